package io.jflannel.e2e;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddressBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.jflannel.netlink.testing.Sh;
import io.jflannel.netlink.testing.TestNetns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Kube mode's control plane: fabric8's CRUD mock API server ({@link MockApiServerMain}) running as
 * its own JVM inside the switch namespace on {@value #URL}, net-conf.json in a file of the
 * cluster's tree, and the Node objects a kubelet and the controller manager would have registered.
 *
 * <p>The test JVM lives in the root namespace and cannot reach {@value #URL}, so every API call of
 * the harness is {@code curl} run inside the switch namespace ({@code ip netns exec <switch> curl
 * ...}), with the bodies written and read by fabric8's model classes. The daemons run with the
 * DaemonSet's flags ({@code --kube-subnet-mgr --ip-masq}, plus {@code --kube-api-url} and {@code
 * --net-config-path} because they run outside a pod).
 *
 * <p>Every host gets its Node when the cluster cables it ({@link #hostAdded}), so it exists before
 * the daemon starts: name {@code h<i>}, {@code spec.podCIDR} {@code 10.244.<i>.0/24}, a {@code
 * Ready} condition, labels and annotations of its own ({@link #registeredNode}), which the
 * scenarios check flanneld leaves alone. Both ways a daemon learns its node's name are used: hosts
 * with an odd index get {@code NODE_NAME}; hosts with an even index get {@code POD_NAME} and {@code
 * POD_NAMESPACE}, as kube-flannel.yml's downward API sets them, and a Pod {@code
 * kube-flannel/kube-flannel-ds-h<i>} scheduled on their node, which the daemon must look up.
 *
 * <p>{@link #close} stops the server by its PID (SIGTERM, then SIGKILL). Not thread-safe: one test
 * thread drives it.
 */
class KubeApiServer implements ControlPlane {
  static final int PORT = 8080;
  static final String URL = "http://" + Lan.GATEWAY + ":" + PORT;

  /** The prefix of flannel's node annotations ({@code --kube-annotation-prefix}'s default). */
  static final String ANNOTATION_PREFIX = "flannel.alpha.coreos.com/";

  /** The namespace of the flannel pods (kube-flannel.yml's). */
  static final String POD_NAMESPACE = "kube-flannel";

  /** What the Ready condition, set "by kubelet" at registration, says; flanneld must keep it. */
  static final String READY_TIME = "2026-01-01T00:00:00Z";

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final TestNetns ns;
  private final Process process;
  private final Path log;
  private final Path netConf;
  private final Stack stack;
  private final String url;
  private final List<String> curlAuth;

  private KubeApiServer(TestNetns ns, Process process, Path log, Path netConf, Stack stack) {
    this(ns, process, log, netConf, stack, URL, List.of());
  }

  /**
   * A server reached at {@code url} from inside {@code ns}, with {@code curlAuth} added to every
   * curl call of the harness (TLS and credentials of a real API server, {@link RealKubeApiServer});
   * {@code process} is stopped by {@link #close}, unless null.
   */
  KubeApiServer(
      TestNetns ns,
      Process process,
      Path log,
      Path netConf,
      Stack stack,
      String url,
      List<String> curlAuth) {
    this.ns = ns;
    this.process = process;
    this.log = log;
    this.netConf = netConf;
    this.stack = stack;
    this.url = url;
    this.curlAuth = List.copyOf(curlAuth);
  }

  /** The namespace the server listens in (the switch's). */
  TestNetns ns() {
    return ns;
  }

  /** Where net-conf.json is written. */
  Path netConf() {
    return netConf;
  }

  /**
   * Starts the mock API server in the switch namespace of {@code lan} with this JVM's java and
   * classpath, its log and net-conf.json under {@code dir}; returns once curl gets the (empty) node
   * list from inside the namespace.
   */
  static KubeApiServer start(Lan lan, Path dir) {
    return start(lan, dir, Stack.IPV4);
  }

  /**
   * As {@link #start(Lan, Path)}, for a cluster running {@code stack}: its Nodes are registered
   * with a pod CIDR of each family of the stack ({@link #podCidrs}).
   */
  static KubeApiServer start(Lan lan, Path dir, Stack stack) {
    Path log = dir.resolve("apiserver.log");
    List<String> cmd =
        List.of(
            "ip",
            "netns",
            "exec",
            lan.ns().name(),
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Xmx128m",
            "-cp",
            System.getProperty("java.class.path"),
            MockApiServerMain.class.getName(),
            Lan.GATEWAY,
            Integer.toString(PORT));
    Process p;
    try {
      p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(Redirect.appendTo(log.toFile()))
              .redirectInput(Redirect.from(Path.of("/dev/null").toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the mock API server", e);
    }
    KubeApiServer server = new KubeApiServer(lan.ns(), p, log, dir.resolve("net-conf.json"), stack);
    try {
      await("mock API server listening on " + URL)
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                if (!p.isAlive()) {
                  throw new IllegalStateException(
                      "the mock API server exited " + p.exitValue() + ":\n" + server.logTail());
                }
                return Files.readString(log).contains(MockApiServerMain.READY);
              });
      server.nodes();
      return server;
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
  }

  /** The name of {@code host}'s Node: the host's name, {@code h<i>}. */
  static String nodeName(Host host) {
    return host.name();
  }

  /** The pod CIDR the "controller manager" assigns to {@code host}: {@code 10.244.<i>.0/24}. */
  static String podCidr(Host host) {
    return "10.244." + host.index() + ".0/24";
  }

  /**
   * The IPv6 pod CIDR the "controller manager" assigns to {@code host}: {@code fd10:0:0:<i>::/64}.
   */
  static String podCidr6(Host host) {
    return "fd10:0:0:" + host.index() + "::/64";
  }

  /**
   * The pod CIDRs of {@code host} in {@code stack}, IPv4 first as the controller manager lists them
   * in a dual-stack cluster whose IPv4 cluster CIDR comes first.
   */
  static List<String> podCidrs(Host host, Stack stack) {
    List<String> cidrs = new ArrayList<>();
    if (stack.v4()) {
      cidrs.add(podCidr(host));
    }
    if (stack.v6()) {
      cidrs.add(podCidr6(host));
    }
    return cidrs;
  }

  /** The InternalIP addresses kubelet reports for {@code host} in {@code stack}, IPv4 first. */
  static List<String> internalIps(Host host, Stack stack) {
    return stack.v6() ? List.of(host.publicIp(), host.publicIpv6()) : List.of(host.publicIp());
  }

  /**
   * The Node as registered before flanneld runs: {@code spec.podCIDR}/{@code podCIDRs}, kubelet's
   * labels, two annotations and a {@code Ready} condition, and its addresses.
   */
  static Node registeredNode(String name, String podCidr, String internalIp) {
    return registeredNode(name, List.of(podCidr), List.of(internalIp));
  }

  /**
   * As {@link #registeredNode(String, String, String)} with several pod CIDRs ({@code spec.podCIDR}
   * is the first) and InternalIP addresses, as a dual-stack cluster registers them.
   */
  static Node registeredNode(String name, List<String> podCidrs, List<String> internalIps) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels("kubernetes.io/hostname", name)
        .addToLabels("kubernetes.io/os", "linux")
        .addToLabels("node-role.kubernetes.io/worker", "")
        .addToAnnotations("node.alpha.kubernetes.io/ttl", "0")
        .addToAnnotations("volumes.kubernetes.io/controller-managed-attach-detach", "true")
        .endMetadata()
        .withNewSpec()
        .withPodCIDR(podCidrs.get(0))
        .withPodCIDRs(podCidrs)
        .endSpec()
        .withNewStatus()
        .addNewCondition()
        .withType("Ready")
        .withStatus("True")
        .withReason("KubeletReady")
        .withMessage("kubelet is posting ready status")
        .withLastHeartbeatTime(READY_TIME)
        .withLastTransitionTime(READY_TIME)
        .endCondition()
        .addAllToAddresses(
            internalIps.stream()
                .map(ip -> new NodeAddressBuilder().withType("InternalIP").withAddress(ip).build())
                .toList())
        .addNewAddress()
        .withType("Hostname")
        .withAddress(name)
        .endAddress()
        .endStatus()
        .build();
  }

  /**
   * Whether {@code host}'s daemon finds its node through its pod ({@code POD_NAME}, {@code
   * POD_NAMESPACE}) rather than {@code NODE_NAME}: the hosts with an even index.
   */
  static boolean findsNodeThroughPod(Host host) {
    return host.index() % 2 == 0;
  }

  /** The name of the flannel pod on {@code host}: {@code kube-flannel-ds-h<i>}. */
  static String podName(Host host) {
    return "kube-flannel-ds-" + nodeName(host);
  }

  /**
   * The DaemonSet's pod on {@code host}, as the scheduler leaves it: {@code spec.nodeName} set,
   * kube-flannel.yml's labels and container.
   */
  static Pod flannelPod(Host host) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(podName(host))
        .withNamespace(POD_NAMESPACE)
        .addToLabels("app", "flannel")
        .addToLabels("k8s-app", "flannel")
        .addToLabels("tier", "node")
        .endMetadata()
        .withNewSpec()
        .withNodeName(nodeName(host))
        .withHostNetwork(true)
        .withServiceAccountName("flannel")
        .addNewContainer()
        .withName("kube-flannel")
        .withImage("ghcr.io/flannel-io/flannel:v0.28.9")
        .withCommand("/opt/bin/flanneld")
        .withArgs("--ip-masq", "--kube-subnet-mgr", "--healthz-port=8081")
        .endContainer()
        .endSpec()
        .build();
  }

  /**
   * Registers {@code host}'s Node ({@link #registeredNode}) before its daemon can start and, if it
   * {@linkplain #findsNodeThroughPod finds its node through its pod}, that pod.
   */
  @Override
  public void hostAdded(Host host) {
    createNode(registeredNode(host));
    if (findsNodeThroughPod(host)) {
      ok(
          "POST",
          "/api/v1/namespaces/" + POD_NAMESPACE + "/pods",
          "application/json",
          SERIALIZATION.asJson(flannelPod(host)));
    }
  }

  /** The Node of {@code host} as registered in this server's stack. */
  Node registeredNode(Host host) {
    return registeredNode(nodeName(host), podCidrs(host, stack), internalIps(host, stack));
  }

  /** {@code POST /api/v1/nodes}. */
  void createNode(Node node) {
    ok("POST", "/api/v1/nodes", "application/json", SERIALIZATION.asJson(node));
  }

  /** {@code GET /api/v1/nodes/<name>}; null if there is no such node. */
  Node node(String name) {
    Response r = call("GET", "/api/v1/nodes/" + name, null, null);
    if (r.status() == 404) {
      return null;
    }
    return SERIALIZATION.unmarshal(r.require("GET node " + name), Node.class);
  }

  /** {@code GET /api/v1/nodes}. */
  List<Node> nodes() {
    return SERIALIZATION
        .unmarshal(ok("GET", "/api/v1/nodes", null, null), NodeList.class)
        .getItems();
  }

  /**
   * Removes annotation {@code key} from Node {@code name} with a JSON patch ({@code PATCH
   * application/json-patch+json}, one {@code remove} operation), as {@code kubectl annotate node
   * <name> <key>-} would.
   */
  void removeAnnotation(String name, String key) {
    String path = "/metadata/annotations/" + key.replace("~", "~0").replace("/", "~1");
    ok(
        "PATCH",
        "/api/v1/nodes/" + name,
        "application/json-patch+json",
        "[{\"op\":\"remove\",\"path\":\"" + path + "\"}]");
  }

  /**
   * Sets label {@code key} to {@code value} on Node {@code name} with a JSON merge patch: an update
   * of the Node that changes nothing flannel reads.
   */
  void label(String name, String key, String value) {
    ok(
        "PATCH",
        "/api/v1/nodes/" + name,
        "application/merge-patch+json",
        "{\"metadata\":{\"labels\":{\"" + key + "\":\"" + value + "\"}}}");
  }

  /** {@code DELETE /api/v1/nodes/<name>}. */
  void deleteNode(String name) {
    ok("DELETE", "/api/v1/nodes/" + name, null, null);
  }

  @Override
  public List<String> daemonFlags(Host host) {
    return List.of(
        "--kube-subnet-mgr",
        "--kube-api-url",
        URL,
        "--net-config-path",
        netConf.toString(),
        "--ip-masq");
  }

  /** {@code NODE_NAME}, or {@code POD_NAME} and {@code POD_NAMESPACE}; see the class comment. */
  @Override
  public Map<String, String> daemonEnv(Host host) {
    return findsNodeThroughPod(host)
        ? Map.of("POD_NAME", podName(host), "POD_NAMESPACE", POD_NAMESPACE)
        : Map.of("NODE_NAME", nodeName(host));
  }

  @Override
  public void writeNetworkConfig(String text) {
    try {
      Files.writeString(netConf, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The lease of every node carrying flannel's annotations; see {@link #leaseOf}. */
  @Override
  public List<PeerLease> leases() {
    List<PeerLease> leases = new ArrayList<>();
    for (Node node : nodes()) {
      PeerLease lease = leaseOf(node);
      if (lease != null) {
        leases.add(lease);
      }
    }
    return leases;
  }

  /**
   * The lease a node advertises, per family, as upstream's {@code nodeToLease} reads it: the IPv4
   * subnet from the IPv4 entry of {@code spec.podCIDRs} (else {@code spec.podCIDR}), public IP and
   * VtepMAC from {@code public-ip} and {@code backend-data}; the IPv6 subnet from the IPv6 entry,
   * public IPv6 and VtepMAC from {@code public-ipv6} and {@code backend-v6-data}; the backend type.
   * A family's public IP that is missing or not an address of that family leaves it out of the
   * family (its subnet stays, as the Node has it). Null, leniently, for a node flannel must skip:
   * no {@code kube-subnet-manager: "true"}, no pod CIDR, no usable public IP of any family, backend
   * data that is not JSON.
   */
  static PeerLease leaseOf(Node node) {
    Map<String, String> a = node.getMetadata().getAnnotations();
    if (a == null || !"true".equals(a.get(ANNOTATION_PREFIX + "kube-subnet-manager"))) {
      return null;
    }
    List<String> cidrs = new ArrayList<>();
    if (node.getSpec() != null && node.getSpec().getPodCIDRs() != null) {
      cidrs.addAll(node.getSpec().getPodCIDRs());
    }
    if (cidrs.isEmpty() && node.getSpec() != null && node.getSpec().getPodCIDR() != null) {
      cidrs.add(node.getSpec().getPodCIDR());
    }
    String subnet =
        cidrs.stream().filter(c -> !Ip6.is(c)).findFirst().map(Ip4::network).orElse(null);
    String subnet6 = cidrs.stream().filter(Ip6::is).findFirst().map(Ip6::network).orElse(null);
    if (subnet == null && subnet6 == null) {
      return null;
    }
    String publicIp = a.get(ANNOTATION_PREFIX + "public-ip");
    try {
      Ip4.parse(publicIp == null ? "" : publicIp);
    } catch (IllegalArgumentException e) {
      publicIp = null;
    }
    String publicIpv6 = a.get(ANNOTATION_PREFIX + "public-ipv6");
    try {
      Ip6.parse(publicIpv6 == null ? "" : publicIpv6);
    } catch (IllegalArgumentException e) {
      publicIpv6 = null;
    }
    if (publicIp == null && publicIpv6 == null) {
      return null;
    }
    String data = a.get(ANNOTATION_PREFIX + "backend-data");
    String data6 = a.get(ANNOTATION_PREFIX + "backend-v6-data");
    JsonNode json;
    JsonNode json6;
    try {
      json = data == null ? null : JSON.readTree(data);
      json6 = data6 == null ? null : JSON.readTree(data6);
    } catch (JsonProcessingException e) {
      return null;
    }
    if ((data != null && (json == null || json.isMissingNode()))
        || (data6 != null && (json6 == null || json6.isMissingNode()))) {
      return null;
    }
    return new PeerLease(
        subnet,
        publicIp,
        a.getOrDefault(ANNOTATION_PREFIX + "backend-type", ""),
        PeerLease.vtepMac(json),
        data,
        subnet6,
        publicIpv6,
        PeerLease.vtepMac(json6));
  }

  @Override
  public Path log() {
    return log;
  }

  String logTail() {
    return Processes.tail(log, 20);
  }

  @Override
  public void close() {
    if (process != null) {
      Processes.stop(process, Duration.ofSeconds(10));
    }
  }

  /** One HTTP exchange: the status code and the body. */
  record Response(int status, String body) {
    String require(String what) {
      if (status / 100 != 2) {
        throw new IllegalStateException(what + ": HTTP " + status + ": " + body.strip());
      }
      return body;
    }
  }

  /** One API call that must succeed (2xx); returns the body. */
  String ok(String method, String path, String contentType, String body) {
    return call(method, path, contentType, body).require(method + " " + path);
  }

  /** {@code curl -X <method> [body] <URL><path>}, run inside the switch namespace. */
  Response call(String method, String path, String contentType, String body) {
    List<String> cmd =
        new ArrayList<>(
            List.of("curl", "-sS", "--max-time", "10", "-X", method, "-w", "\n%{http_code}"));
    cmd.addAll(curlAuth);
    if (body != null) {
      cmd.addAll(List.of("-H", "Content-Type: " + contentType, "--data-binary", body));
    }
    cmd.add(url + path);
    Sh.Out o = ns.exec(cmd.toArray(String[]::new));
    if (o.exit() != 0) {
      throw new IllegalStateException(
          "curl "
              + method
              + " "
              + url
              + path
              + " in "
              + ns
              + " exited "
              + o.exit()
              + " (is curl installed?): "
              + o.stderr().strip());
    }
    String out = o.stdout();
    int nl = out.lastIndexOf('\n');
    return new Response(Integer.parseInt(out.substring(nl + 1).strip()), out.substring(0, nl));
  }
}
