package io.jflannel.e2e;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.jflannel.netlink.testing.Sh;
import io.jflannel.netlink.testing.TestNetns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Kube mode's control plane on a real Kubernetes v1.20.2 API server: etcd and {@code
 * kube-apiserver}, both inside the switch namespace, the API server on {@value #URL} (the switch
 * bridge's address, as the mock's), etcd on the switch namespace's loopback ({@value #ETCD}).
 *
 * <p>What a cluster has, minus controller-manager, scheduler and kubelets: certificates made with
 * {@code openssl} (a CA, the serving certificate, an admin client certificate in {@code
 * system:masters}, the service-account signing key pair, so the TokenRequest API works), {@code
 * --authorization-mode=Node,RBAC}, the {@code NodeRestriction} admission plugin, the {@code
 * IPv6DualStack} feature gate (v1.20 refuses two {@code podCIDRs} without it), and an audit log
 * ({@link #auditLog}) with every request of flannel's ServiceAccount. Started, it applies the
 * Namespace, ServiceAccount, ClusterRole and ClusterRoleBinding of {@code deploy/kube-flannel.yml}
 * (the file itself, parsed: the daemons get exactly the manifest's rules), asks the TokenRequest
 * API for a token of the ServiceAccount, and writes the kubeconfig every daemon uses ({@code
 * --kubeconfig-file}; the daemons otherwise run with the DaemonSet's flags, as in the mock suite).
 * The harness itself talks to the server as admin, with curl inside the switch namespace. Nodes are
 * registered as {@link KubeApiServer} does (nothing else assigns podCIDRs).
 *
 * <p>The binary: {@code KUBE_APISERVER} from the environment ({@code scripts/test} sets it from
 * {@code scripts/kube-apiserver}, which builds it once from Debian's source package), else the
 * cache that script fills, else an optional copy in {@code shared/kube/} in the directory that
 * holds the checkout (the development machine has one; a checkout elsewhere has none); none: the
 * suite is skipped with the reason ({@link #whyUnavailable}).
 *
 * <p>{@link #close} stops exactly the two processes it started, by PID. Not thread-safe.
 */
final class RealKubeApiServer extends KubeApiServer {
  static final String VERSION = "v1.20.2";
  static final int PORT = 6443;
  static final String URL = "https://" + Lan.GATEWAY + ":" + PORT;
  static final String ETCD = "http://127.0.0.1:23790";
  static final String SERVICE_ACCOUNT = "flannel";
  static final String SERVICE_ACCOUNT_USER =
      "system:serviceaccount:" + POD_NAMESPACE + ":" + SERVICE_ACCOUNT;
  static final String AUDIENCE = "https://kubernetes.default.svc";

  /** Where {@code scripts/kube-apiserver} caches its build. */
  static final Path CACHED = Path.of("/var/cache/jflannel/kube-apiserver-" + VERSION);

  /** The optional copy on the development machine (a checkout elsewhere has none). */
  static final Path SHARED = besideCheckout("shared/kube/kube-apiserver");

  /** {@code relative} in the directory that holds the checkout (the tests run in src-test). */
  private static Path besideCheckout(String relative) {
    Path dir = Path.of("").toAbsolutePath();
    Path checkout =
        java.nio.file.Files.exists(dir.resolve("pom.xml"))
                && dir.getParent() != null
                && java.nio.file.Files.exists(dir.getParent().resolve("pom.xml"))
            ? dir.getParent()
            : dir;
    Path holder = checkout.getParent();
    return holder == null ? Path.of("/nonexistent", relative) : holder.resolve(relative);
  }

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Path pki;
  private final Path auditLog;
  private final Path etcdLog;
  private final Path etcdData;
  private final Path kubeconfig;
  private final List<String> apiserverCmd;
  private final ClusterRole clusterRole;
  private Process etcd;
  private Process apiserver;

  private RealKubeApiServer(
      TestNetns ns, Path dir, Stack stack, List<String> apiserverCmd, ClusterRole clusterRole) {
    super(
        ns,
        null,
        dir.resolve("kube-apiserver.log"),
        dir.resolve("net-conf.json"),
        stack,
        URL,
        List.of(
            "--cacert",
            dir.resolve("pki/ca.crt").toString(),
            "--cert",
            dir.resolve("pki/admin.crt").toString(),
            "--key",
            dir.resolve("pki/admin.key").toString()));
    this.dir = dir;
    this.pki = dir.resolve("pki");
    this.auditLog = dir.resolve("audit.log");
    this.etcdLog = dir.resolve("etcd.log");
    this.etcdData = dir.resolve("etcd-data");
    this.kubeconfig = dir.resolve("flannel.kubeconfig");
    this.apiserverCmd = List.copyOf(apiserverCmd);
    this.clusterRole = clusterRole;
  }

  /** The kube-apiserver binary to use, if there is one; see the class comment. */
  static Optional<Path> binary() {
    String env = System.getenv("KUBE_APISERVER");
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    for (Path p : List.of(CACHED, SHARED)) {
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** Why the suite cannot run here, or empty if it can (as far as the binary goes). */
  static Optional<String> whyUnavailable() {
    String env = System.getenv("KUBE_APISERVER");
    if (env != null && !env.isBlank() && !Files.isExecutable(Path.of(env))) {
      return Optional.of(
          "KUBE_APISERVER="
              + env
              + " is not an executable file; unset it or point it at a kube-apiserver "
              + VERSION);
    }
    if (binary().isEmpty()) {
      return Optional.of(
          "no kube-apiserver "
              + VERSION
              + " binary (KUBE_APISERVER unset, none at "
              + CACHED
              + "); run scripts/kube-apiserver as root to build it (about 200 s, once), or run"
              + " sudo scripts/test, which does");
    }
    return Optional.empty();
  }

  /**
   * Starts etcd and the API server in the switch namespace of {@code lan}, their files under {@code
   * dir}, applies the manifest's RBAC and writes the daemons' kubeconfig; returns once the server
   * is ready.
   */
  static RealKubeApiServer start(Lan lan, Path dir, Stack stack) {
    Path binary =
        binary().orElseThrow(() -> new IllegalStateException(whyUnavailable().orElse("no binary")));
    TestNetns ns = lan.ns();
    ns.ip("link", "set", "lo", "up");
    Path pki = dir.resolve("pki");
    makePki(pki);
    Path policy = dir.resolve("audit-policy.yaml");
    write(
        policy,
        """
        apiVersion: audit.k8s.io/v1
        kind: Policy
        omitStages: ["RequestReceived"]
        rules:
        - level: Metadata
          users: ["%s"]
        - level: None
        """
            .formatted(SERVICE_ACCOUNT_USER));
    List<String> cmd =
        List.of(
            "ip",
            "netns",
            "exec",
            ns.name(),
            binary.toString(),
            "--etcd-servers=" + ETCD,
            "--secure-port=" + PORT,
            "--insecure-port=0",
            "--bind-address=" + Lan.GATEWAY,
            "--advertise-address=" + Lan.GATEWAY,
            "--service-cluster-ip-range=10.96.0.0/16",
            "--authorization-mode=Node,RBAC",
            "--enable-admission-plugins=NodeRestriction",
            "--disable-admission-plugins=ServiceAccount,TaintNodesByCondition",
            "--feature-gates=IPv6DualStack=true",
            "--client-ca-file=" + pki.resolve("ca.crt"),
            "--tls-cert-file=" + pki.resolve("apiserver.crt"),
            "--tls-private-key-file=" + pki.resolve("apiserver.key"),
            "--service-account-issuer=" + AUDIENCE,
            "--service-account-key-file=" + pki.resolve("sa.pub"),
            "--service-account-signing-key-file=" + pki.resolve("sa.key"),
            "--api-audiences=" + AUDIENCE,
            "--audit-policy-file=" + policy,
            "--audit-log-path=" + dir.resolve("audit.log"),
            "--audit-log-maxsize=0",
            "--profiling=false",
            "--cert-dir=" + dir.resolve("apiserver-certs"));
    RealKubeApiServer server = new RealKubeApiServer(ns, dir, stack, cmd, manifestClusterRole());
    try {
      server.startEtcd();
      server.startApiServer();
      server.applyManifestRbac();
      server.rbacApplied = true;
      server.writeDaemonKubeconfig();
      return server;
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
  }

  /** Starts the API server (again) with the same arguments; returns once /readyz says ok. */
  void startApiServer() {
    if (apiserver != null && apiserver.isAlive()) {
      throw new IllegalStateException("the API server runs already, pid " + apiserver.pid());
    }
    Instant launched = Instant.now();
    apiserver = launch(apiserverCmd, log(), "kube-apiserver");
    long t0 = System.nanoTime();
    Process p = apiserver;
    await("kube-apiserver ready on " + URL)
        .atMost(READY_TIMEOUT)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              if (!p.isAlive()) {
                throw new IllegalStateException(
                    "kube-apiserver exited " + p.exitValue() + ":\n" + Processes.tail(log(), 30));
              }
              try {
                Response r = call("GET", "/readyz", null, null);
                return r.status() == 200 && r.body().strip().equals("ok");
              } catch (IllegalStateException notListening) {
                return false;
              }
            });
    if (rbacApplied) {
      // /readyz of v1.20 says ok before the RBAC authorizer's informers hold the roles: until
      // then the ServiceAccount's requests get 403 (the audit test tells those apart by this)
      await("the RBAC authorizer allows the ServiceAccount's watch on nodes")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(this::serviceAccountMayWatchNodes);
    }
    startedInMs = (System.nanoTime() - t0) / 1_000_000;
    starts.add(new Start(launched, Instant.now()));
  }

  private long startedInMs;
  private boolean rbacApplied;
  private final List<Start> starts = new ArrayList<>();

  /**
   * One start of the API server: from the process's launch until its RBAC authorizer allowed the
   * ServiceAccount's calls.
   */
  record Start(Instant launched, Instant authorizerReady) {
    boolean covers(Instant t) {
      return !t.isBefore(launched) && !t.isAfter(authorizerReady);
    }
  }

  /** Every start so far, the first one included. */
  List<Start> starts() {
    return List.copyOf(starts);
  }

  /** A SubjectAccessReview: may the ServiceAccount watch nodes now? */
  private boolean serviceAccountMayWatchNodes() {
    String body =
        """
        {"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{\
        "user":"%s","groups":["system:serviceaccounts","system:serviceaccounts:%s",\
        "system:authenticated"],"resourceAttributes":{"verb":"watch","resource":"nodes"}}}"""
            .formatted(SERVICE_ACCOUNT_USER, POD_NAMESPACE);
    Response r =
        call(
            "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", "application/json", body);
    if (r.status() / 100 != 2) {
      return false;
    }
    try {
      return JSON.readTree(r.body()).path("status").path("allowed").asBoolean();
    } catch (IOException e) {
      return false;
    }
  }

  /** How long the last {@link #startApiServer} waited for /readyz. */
  long startedInMs() {
    return startedInMs;
  }

  /** Stops the API server (SIGTERM, by its PID), keeping etcd and its data. */
  void stopApiServer() {
    if (apiserver != null) {
      Processes.stop(apiserver, Duration.ofSeconds(15));
    }
  }

  /** The API server's PID, for logs. */
  long apiserverPid() {
    return apiserver.pid();
  }

  private void startEtcd() {
    etcd =
        launch(
            List.of(
                "ip",
                "netns",
                "exec",
                ns().name(),
                "etcd",
                "--name",
                "jfl-kube",
                "--data-dir",
                etcdData.toString(),
                "--listen-client-urls",
                ETCD,
                "--advertise-client-urls",
                ETCD,
                "--listen-peer-urls",
                "http://127.0.0.1:23800",
                "--initial-advertise-peer-urls",
                "http://127.0.0.1:23800",
                "--initial-cluster",
                "jfl-kube=http://127.0.0.1:23800",
                "--initial-cluster-state",
                "new"),
            etcdLog,
            "etcd");
    Process p = etcd;
    await("etcd healthy on " + ETCD)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              if (!p.isAlive()) {
                throw new IllegalStateException(
                    "etcd exited " + p.exitValue() + ":\n" + Processes.tail(etcdLog, 20));
              }
              return etcdctl("endpoint", "health").exit() == 0;
            });
  }

  /** {@code etcdctl --endpoints <ETCD> args...} inside the switch namespace (v3 API). */
  Sh.Out etcdctl(String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "env", "ETCDCTL_API=3", "etcdctl", "--endpoints", ETCD, "--command-timeout=10s"));
    cmd.addAll(List.of(args));
    return ns().exec(cmd.toArray(String[]::new));
  }

  /** etcd's current revision. */
  long etcdRevision() {
    Sh.Out o = etcdctl("endpoint", "status", "-w", "json");
    if (o.exit() != 0) {
      throw new IllegalStateException("etcdctl endpoint status: " + o.stderr().strip());
    }
    try {
      return JSON.readTree(o.stdout())
          .get(0)
          .path("Status")
          .path("header")
          .path("revision")
          .asLong();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Compacts etcd's history up to its current revision; returns that revision. */
  long compactEtcd() {
    long rev = etcdRevision();
    Sh.Out o = etcdctl("compact", Long.toString(rev), "--physical");
    if (o.exit() != 0) {
      throw new IllegalStateException("etcdctl compact " + rev + ": " + o.stderr().strip());
    }
    return rev;
  }

  private static Process launch(List<String> cmd, Path log, String what) {
    try {
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(Redirect.appendTo(log.toFile()))
              .redirectInput(Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + what, e);
    }
  }

  /** The ClusterRole of {@code deploy/kube-flannel.yml}, parsed from the file. */
  ClusterRole clusterRole() {
    return clusterRole;
  }

  /**
   * Every (verb, resource, subresource) the manifest's ClusterRole grants, as {@code verb
   * resource[/subresource]}.
   */
  Set<String> grantedCalls() {
    Set<String> granted = new TreeSet<>();
    for (PolicyRule r : clusterRole.getRules()) {
      for (String resource : r.getResources()) {
        for (String verb : r.getVerbs()) {
          granted.add(verb + " " + resource);
        }
      }
    }
    return granted;
  }

  /** The manifest's documents, each parsed generically. */
  static List<GenericKubernetesResource> manifest() {
    Path file = manifestPath();
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<GenericKubernetesResource> docs = new ArrayList<>();
    for (String doc : text.split("(?m)^---\\s*$")) {
      boolean empty = doc.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"));
      if (!empty) {
        docs.add(SERIALIZATION.unmarshal(doc, GenericKubernetesResource.class));
      }
    }
    return docs;
  }

  private static ClusterRole manifestClusterRole() {
    return manifest().stream()
        .filter(d -> d.getKind().equals("ClusterRole"))
        .map(d -> SERIALIZATION.convertValue(d, ClusterRole.class))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException(manifestPath() + " has no ClusterRole"));
  }

  /** {@code deploy/kube-flannel.yml} of this checkout (found from the working directory up). */
  static Path manifestPath() {
    Path d = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (; d != null; d = d.getParent()) {
      Path f = d.resolve("deploy/kube-flannel.yml");
      if (Files.isRegularFile(f)) {
        return f;
      }
    }
    throw new IllegalStateException(
        "no deploy/kube-flannel.yml above " + System.getProperty("user.dir"));
  }

  /**
   * Creates the manifest's Namespace, ServiceAccount, ClusterRole and ClusterRoleBinding, as {@code
   * kubectl apply} would on a new cluster (the ConfigMap and DaemonSet are not needed: the
   * net-conf.json is a file and the daemons are started by the harness).
   */
  private void applyManifestRbac() {
    Map<String, String> paths =
        Map.of(
            "Namespace", "/api/v1/namespaces",
            "ServiceAccount", "/api/v1/namespaces/%s/serviceaccounts",
            "ClusterRole", "/apis/rbac.authorization.k8s.io/v1/clusterroles",
            "ClusterRoleBinding", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings");
    int applied = 0;
    for (GenericKubernetesResource doc : manifest()) {
      String path = paths.get(doc.getKind());
      if (path == null) {
        continue;
      }
      ok(
          "POST",
          path.formatted(doc.getMetadata().getNamespace()),
          "application/json",
          SERIALIZATION.asJson(doc));
      applied++;
    }
    if (applied != paths.size()) {
      throw new IllegalStateException(
          manifestPath() + ": expected one each of " + paths.keySet() + ", applied " + applied);
    }
  }

  /**
   * Gives the ClusterRole {@code flannel} exactly {@code rules} (a test's variant; put the
   * manifest's back with {@link #restoreClusterRole}).
   */
  void setClusterRoleRules(List<PolicyRule> rules) {
    String path = "/apis/rbac.authorization.k8s.io/v1/clusterroles/flannel";
    ClusterRole current = SERIALIZATION.unmarshal(ok("GET", path, null, null), ClusterRole.class);
    current.setRules(rules);
    ok("PUT", path, "application/json", SERIALIZATION.asJson(current));
  }

  /** Puts the manifest's ClusterRole rules back. */
  void restoreClusterRole() {
    setClusterRoleRules(clusterRole.getRules());
  }

  /** A token for the ServiceAccount from the TokenRequest API, valid for two hours. */
  String requestToken() {
    String body =
        """
        {"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest",\
        "spec":{"audiences":["%s"],"expirationSeconds":7200}}"""
            .formatted(AUDIENCE);
    String out =
        ok(
            "POST",
            "/api/v1/namespaces/"
                + POD_NAMESPACE
                + "/serviceaccounts/"
                + SERVICE_ACCOUNT
                + "/token",
            "application/json",
            body);
    try {
      String token = JSON.readTree(out).path("status").path("token").asText();
      if (token.isEmpty()) {
        throw new IllegalStateException("TokenRequest returned no token: " + out);
      }
      return token;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void writeDaemonKubeconfig() {
    String ca;
    try {
      ca = Base64.getEncoder().encodeToString(Files.readAllBytes(pki.resolve("ca.crt")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    write(
        kubeconfig,
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: jfl
          cluster:
            server: %s
            certificate-authority-data: %s
        users:
        - name: flannel
          user:
            token: %s
        contexts:
        - name: flannel@jfl
          context:
            cluster: jfl
            user: flannel
            namespace: %s
        current-context: flannel@jfl
        """
            .formatted(URL, ca, requestToken(), POD_NAMESPACE));
  }

  /** The kubeconfig every daemon runs with: the ServiceAccount's token. */
  Path kubeconfig() {
    return kubeconfig;
  }

  /**
   * The DaemonSet's flags ({@code --kube-subnet-mgr --ip-masq}), the kubeconfig with the
   * ServiceAccount's token in place of the in-cluster config, and net-conf.json from a file.
   */
  @Override
  public List<String> daemonFlags(Host host) {
    return List.of(
        "--kube-subnet-mgr",
        "--kubeconfig-file",
        kubeconfig.toString(),
        "--net-config-path",
        netConf().toString(),
        "--ip-masq");
  }

  /** The audit log: every request of the ServiceAccount (Metadata level, one line per stage). */
  Path auditLog() {
    return auditLog;
  }

  /** One request of the ServiceAccount, from the audit log. */
  record AuditEvent(
      String auditId,
      String stage,
      String verb,
      String resource,
      String subresource,
      String name,
      String sourceIp,
      int code,
      String uri,
      Instant received) {

    /** {@code verb resource[/subresource]}, as {@link #grantedCalls} names them. */
    String call() {
      return verb + " " + resource + (subresource.isEmpty() ? "" : "/" + subresource);
    }
  }

  /**
   * The ServiceAccount's requests logged so far, one event each: the first stage logged
   * (ResponseStarted for a watch, which stays open; ResponseComplete otherwise).
   */
  List<AuditEvent> audit() {
    List<AuditEvent> events = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    List<String> lines;
    try {
      lines = Files.exists(auditLog) ? Files.readAllLines(auditLog) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode e;
      try {
        e = JSON.readTree(line);
      } catch (IOException ex) {
        continue; // a line being written
      }
      if (!SERVICE_ACCOUNT_USER.equals(e.path("user").path("username").asText())
          || !seen.add(e.path("auditID").asText())) {
        continue; // another's, or another stage of a request already read (a watch's end)
      }
      JsonNode ref = e.path("objectRef");
      events.add(
          new AuditEvent(
              e.path("auditID").asText(),
              e.path("stage").asText(),
              e.path("verb").asText(),
              ref.path("resource").asText(),
              ref.path("subresource").asText(),
              ref.path("name").asText(),
              e.path("sourceIPs").path(0).asText(),
              e.path("responseStatus").path("code").asInt(),
              e.path("requestURI").asText(),
              Instant.parse(e.path("requestReceivedTimestamp").asText())));
    }
    return events;
  }

  @Override
  public Path log() {
    return dir.resolve("kube-apiserver.log");
  }

  @Override
  public void close() {
    if (apiserver != null) {
      Processes.stop(apiserver, Duration.ofSeconds(15));
    }
    if (etcd != null) {
      Processes.stop(etcd, Duration.ofSeconds(10));
    }
    WorkDir.deleteTree(etcdData);
  }

  /** CA, serving certificate, admin client certificate and service-account keys, by openssl. */
  private static void makePki(Path pki) {
    try {
      Files.createDirectories(pki);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    write(
        pki.resolve("ext.cnf"),
        """
        [req]
        distinguished_name = dn
        [dn]
        [ca]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,digitalSignature,keyEncipherment,keyCertSign
        subjectKeyIdentifier = hash
        [server]
        basicConstraints = critical,CA:FALSE
        keyUsage = critical,digitalSignature,keyEncipherment
        extendedKeyUsage = serverAuth
        subjectAltName = IP:%s,IP:127.0.0.1,IP:10.96.0.1,DNS:kubernetes,DNS:kubernetes.default.svc
        [client]
        basicConstraints = critical,CA:FALSE
        keyUsage = critical,digitalSignature,keyEncipherment
        extendedKeyUsage = clientAuth
        """
            .formatted(Lan.GATEWAY));
    String d = pki.toString();
    openssl("genrsa", "-out", d + "/ca.key", "2048");
    openssl(
        "req",
        "-x509",
        "-new",
        "-key",
        d + "/ca.key",
        "-sha256",
        "-days",
        "2",
        "-subj",
        "/CN=jflannel-e2e-ca",
        "-extensions",
        "ca",
        "-config",
        d + "/ext.cnf",
        "-out",
        d + "/ca.crt");
    sign(d, "apiserver", "/CN=kube-apiserver", "server");
    sign(d, "admin", "/O=system:masters/CN=admin", "client");
    openssl("genrsa", "-out", d + "/sa.key", "2048");
    openssl("rsa", "-in", d + "/sa.key", "-pubout", "-out", d + "/sa.pub");
  }

  private static void sign(String d, String name, String subject, String ext) {
    openssl("genrsa", "-out", d + "/" + name + ".key", "2048");
    openssl(
        "req",
        "-new",
        "-key",
        d + "/" + name + ".key",
        "-subj",
        subject,
        "-out",
        d + "/" + name + ".csr");
    openssl(
        "x509",
        "-req",
        "-in",
        d + "/" + name + ".csr",
        "-CA",
        d + "/ca.crt",
        "-CAkey",
        d + "/ca.key",
        "-CAcreateserial",
        "-sha256",
        "-days",
        "2",
        "-extfile",
        d + "/ext.cnf",
        "-extensions",
        ext,
        "-out",
        d + "/" + name + ".crt");
  }

  private static void openssl(String... args) {
    String[] cmd = new String[args.length + 1];
    cmd[0] = "openssl";
    System.arraycopy(args, 0, cmd, 1, args.length);
    Sh.Out o = Sh.exec(cmd);
    if (o.exit() != 0) {
      throw new IllegalStateException(
          String.join(" ", cmd)
              + " exited "
              + o.exit()
              + " (is openssl installed?): "
              + o.stderr());
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
