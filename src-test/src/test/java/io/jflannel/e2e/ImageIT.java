package io.jflannel.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.jflannel.netlink.testing.RootOnly;
import io.jflannel.netlink.testing.Sh;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The container image ({@code Dockerfile}, built by {@code scripts/image}) run as {@code
 * deploy/kube-flannel.yml}'s DaemonSet runs it, as the third host of a kube-mode cluster whose
 * other two hosts run the packaged daemon.
 *
 * <p>The container ({@code podman run}, Debian's runc) gets what the pod gets: the network of its
 * host ({@code --network ns:/run/netns/jfl-h3-<sfx>}, i.e. {@code hostNetwork}), no capability but
 * {@code NET_ADMIN} and {@code NET_RAW}, {@code /run/flannel} and {@code /run/xtables.lock} from
 * the host's tree, {@code /etc/kube-flannel/} holding the manifest's ConfigMap, and the manifest's
 * own command, args and env (fieldRefs resolved as the kubelet would: {@code NODE_NAME}, {@code
 * POD_NAME}, {@code POD_NAMESPACE}). One thing is added, {@code --kube-api-url}: in a pod the API
 * server is found through {@code KUBERNETES_SERVICE_HOST/PORT} and a ServiceAccount token, always
 * over HTTPS, which the mock API server ({@link KubeApiServer}, plain HTTP on the switch) does not
 * serve; the packaged daemons reach it with the same flag. The host gets a default route via the
 * switch, as a real node has, so flanneld picks its interface by itself, without {@code --iface}.
 *
 * <p>Skipped, with the reason, when not root, without podman, or when the image was not built
 * ({@code sudo scripts/image}; {@code scripts/test} builds it when podman is present).
 */
@ExtendWith({RootOnly.class, ImageIT.ImageBuilt.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImageIT {
  private static final Logger log = LoggerFactory.getLogger(ImageIT.class);
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /** podman's runtime and ulimits on this kind of machine (see scripts/image). */
  private static final List<String> RUN_OPTIONS =
      List.of(
          "--runtime",
          "/usr/sbin/runc",
          "run",
          "--rm",
          "--ulimit",
          "nofile=1024:1024",
          "--ulimit",
          "nproc=1024:1024");

  private String image;
  private DaemonSet daemonSet;
  private ConfigMap config;
  private Cluster cluster;
  private Host host;
  private Daemon container;
  private String containerName;

  /** The image under test: {@code -Djflannel.image} (src-test's pom sets scripts/image's tag). */
  static String image() {
    return System.getProperty("jflannel.image", "localhost/jflannel:v0.1.0");
  }

  /**
   * Skips the class, with the reason (failsafe reports it, and it is logged), without podman or
   * without the image. It does not build the image: {@code scripts/test} does, once, before the
   * suite.
   */
  static final class ImageBuilt implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      String reason = null;
      if (Sh.exec("sh", "-c", "command -v podman").exit() != 0) {
        reason =
            "skipped: podman is not installed (apt-get install podman, then sudo scripts/image)";
      } else if (Sh.exec("podman", "image", "exists", image()).exit() != 0) {
        reason =
            "skipped: image "
                + image()
                + " is not built (sudo scripts/image; scripts/test builds it when podman is present)";
      }
      if (reason != null) {
        log.warn("ImageIT {}", reason);
        return ConditionEvaluationResult.disabled(reason);
      }
      return ConditionEvaluationResult.enabled("image " + image() + " present");
    }
  }

  @BeforeAll
  void startClusterAndContainer() throws IOException {
    image = image();
    loadManifest();

    String netConf = config.getData().get("net-conf.json");
    cluster = Cluster.withKube("image", Backend.VXLAN, 2, netConf, List.of());
    host = cluster.addHost();
    containerName = "jfl-img-" + cluster.suffix();
    cluster.onClose(() -> Sh.exec("podman", "rm", "-f", "-t", "0", containerName));
    // A node has a default route; flanneld, without --iface as in the manifest, takes its
    // interface.
    host.ns().ip("route", "add", "default", "via", Lan.GATEWAY);

    long t0 = System.nanoTime();
    container = cluster.launchCommand(host, flannelContainer());
    cluster.awaitReady(host);
    log.info(
        "image {}: container {} ready in {} ms",
        image,
        containerName,
        (System.nanoTime() - t0) / 1_000_000);
    host.plugPod(host.lease());
    cluster.awaitConverged();
  }

  @AfterAll
  void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The DaemonSet and ConfigMap of {@code deploy/kube-flannel.yml}. */
  private void loadManifest() throws IOException {
    Path manifest =
        Path.of(System.getProperty("kube.manifest", "../deploy/kube-flannel.yml")).normalize();
    String text = Files.readString(manifest);
    for (String doc : text.split("(?m)^---\\s*$")) {
      if (!doc.contains("kind:")) {
        continue;
      }
      HasMetadata o = SERIALIZATION.unmarshal(doc);
      if (o instanceof DaemonSet ds) {
        daemonSet = ds;
      } else if (o instanceof ConfigMap cm) {
        config = cm;
      }
    }
    assertThat(daemonSet).as("a DaemonSet in %s", manifest).isNotNull();
    assertThat(config).as("a ConfigMap in %s", manifest).isNotNull();
  }

  private Container container(String name, boolean init) {
    var spec = daemonSet.getSpec().getTemplate().getSpec();
    return (init ? spec.getInitContainers() : spec.getContainers())
        .stream()
            .filter(c -> c.getName().equals(name))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no container " + name + " in the manifest"));
  }

  /** The ConfigMap's files, as its volume shows them at /etc/kube-flannel/. */
  private Path configDir(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<String, String> e : config.getData().entrySet()) {
      Files.writeString(dir.resolve(e.getKey()), e.getValue());
    }
    return dir;
  }

  /** The kube-flannel container's env, fieldRefs resolved as the kubelet would on {@link #host}. */
  private Map<String, String> env(Container c) {
    Map<String, String> env = new TreeMap<>();
    for (EnvVar v : c.getEnv()) {
      if (v.getValue() != null) {
        env.put(v.getName(), v.getValue());
        continue;
      }
      String field = v.getValueFrom().getFieldRef().getFieldPath();
      env.put(
          v.getName(),
          switch (field) {
            case "spec.nodeName" -> KubeApiServer.nodeName(host);
            case "metadata.name" -> KubeApiServer.podName(host);
            case "metadata.namespace" -> KubeApiServer.POD_NAMESPACE;
            default -> throw new AssertionError("the manifest's env uses fieldRef " + field);
          });
    }
    return env;
  }

  /** {@code podman run} of the kube-flannel container, as the DaemonSet would run it. */
  private List<String> flannelContainer() throws IOException {
    Container c = container("kube-flannel", false);
    Path xtablesLock = host.dir().resolve("xtables.lock");
    if (!Files.exists(xtablesLock)) {
      Files.createFile(xtablesLock); // hostPath type FileOrCreate
    }
    Path cfg = configDir(host.dir().resolve("kube-flannel-cfg"));
    List<String> cmd = new ArrayList<>(List.of("podman"));
    cmd.addAll(RUN_OPTIONS);
    cmd.addAll(
        List.of(
            "--name",
            containerName,
            "--network",
            "ns:/run/netns/" + host.ns().name(),
            "--cap-drop",
            "all",
            "--cap-add",
            "NET_ADMIN",
            "--cap-add",
            "NET_RAW",
            // /run/flannel: the host's directory, where the harness reads subnet.env
            "-v",
            host.dir() + ":/run/flannel",
            "-v",
            xtablesLock + ":/run/xtables.lock",
            "-v",
            cfg + ":/etc/kube-flannel:ro"));
    env(c).forEach((k, v) -> cmd.addAll(List.of("-e", k + "=" + v)));
    cmd.addAll(List.of("--entrypoint", c.getCommand().get(0), image));
    cmd.addAll(c.getCommand().subList(1, c.getCommand().size()));
    cmd.addAll(c.getArgs());
    cmd.add("--kube-api-url=" + KubeApiServer.URL);
    return cmd;
  }

  @Test
  @Order(1)
  void theContainerBringsItsHostIntoTheClusterAndPodsReachEachOther() {
    cluster.assertPodsReachEachOther();

    SoftAssertions s = new SoftAssertions();
    s.assertThat(host.lease().text())
        .as("subnet.env the container wrote to the host's /run/flannel")
        .isEqualTo(UpstreamShapes.subnetEnv(Backend.VXLAN, KubeApiServer.podCidr(host), true));
    s.assertThat(cluster.kube().leases()).as("nodes advertising a lease").hasSize(3);
    s.assertThat(host.kernel().iptablesRules("nat", "FLANNEL-POSTRTG"))
        .as("the container's masquerade rules (--ip-masq) in the host's nat table")
        .containsExactlyElementsOf(UpstreamShapes.masqRules(KubeApiServer.podCidr(host)));
    s.assertThat(host.healthz())
        .as("/healthz of the container on the host's port 8081")
        .isEqualTo(200);
    long pid =
        Long.parseLong(
            Sh.run("podman", "inspect", "--format", "{{.State.Pid}}", containerName).strip());
    s.assertThat(readProc(pid, "maps"))
        .as(
            "the JVM maps the image's kube-mode class-data sharing archive (dumped by the jlink runtime)")
        .contains("/opt/flanneld/lib/flanneld-kube.jsa");
    s.assertAll();

    Map<String, String> status = procStatus(pid);
    log.info(
        "image {}: container {} pid {} ({}): VmRSS {}, VmHWM {}; image size {}",
        image,
        containerName,
        pid,
        status.get("Name"),
        status.get("VmRSS"),
        status.get("VmHWM"),
        Sh.run("podman", "image", "inspect", "--format", "{{.Size}}", image).strip());
    assertThat(status.get("Name")).as("the container's main process").isEqualTo("java");
  }

  /**
   * The install-cni init container's command and args, from the same image, with {@code
   * /etc/cni/net.d} from the host's tree: the manifest's CNI config lands there as {@code
   * 10-flannel.conflist}, no temporary file left.
   */
  @Test
  @Order(2)
  void installCniPutsTheConflistInPlace() throws IOException {
    Container c = container("install-cni", true);
    Path netD = Files.createDirectories(host.dir().resolve("etc-cni-net.d"));
    Path cfg = configDir(host.dir().resolve("install-cni-cfg"));
    List<String> cmd = new ArrayList<>(List.of("podman"));
    cmd.addAll(RUN_OPTIONS);
    cmd.addAll(
        List.of(
            "--network",
            "none",
            "--cap-drop",
            "all",
            "-v",
            netD + ":/etc/cni/net.d",
            "-v",
            cfg + ":/etc/kube-flannel:ro",
            "--entrypoint",
            c.getCommand().get(0),
            image));
    cmd.addAll(c.getCommand().subList(1, c.getCommand().size()));
    cmd.addAll(c.getArgs());
    Sh.Out out = Sh.exec(cmd.toArray(String[]::new));
    assertThat(out.exit()).as("install-cni exit status: %s", out.stderr()).isZero();
    try (var files = Files.list(netD)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList())
          .as("/etc/cni/net.d after install-cni")
          .containsExactly("10-flannel.conflist");
    }
    assertThat(Files.readString(netD.resolve("10-flannel.conflist")))
        .isEqualTo(config.getData().get("cni-conf.json"));
  }

  /**
   * {@code podman stop -t 5} (SIGTERM, then SIGKILL after 5 s): flanneld exits 0 well before,
   * leaving the host's routes for its successor; the other hosts keep reaching each other.
   */
  @Test
  @Order(3)
  void stopsCleanlyOnSigtermWithinFiveSeconds() {
    List<String> routes = host.kernel().overlayRoutes(Backend.NETWORK);
    long t0 = System.nanoTime();
    Sh.Out stop = Sh.exec("podman", "stop", "-t", "5", containerName);
    int exit = container.awaitExit(Duration.ofSeconds(10));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    log.info("image {}: podman stop -t 5 took {} ms, container exit {}", image, ms, exit);
    assertThat(stop.exit()).as("podman stop: %s", stop.stderr()).isZero();
    assertThat(exit).as("container exit status\n%s", container.logTail(20)).isZero();
    assertThat(ms).as("ms from SIGTERM to exit (5,000: SIGKILL)").isLessThan(5_000);
    assertThat(host.kernel().overlayRoutes(Backend.NETWORK))
        .as("the host's routes after flanneld stopped")
        .containsExactlyElementsOf(routes);
  }

  private static Map<String, String> procStatus(long pid) {
    Map<String, String> m = new TreeMap<>();
    for (String l : readProc(pid, "status").lines().toList()) {
      int colon = l.indexOf(':');
      if (colon > 0) {
        m.put(l.substring(0, colon), l.substring(colon + 1).strip());
      }
    }
    return m;
  }

  /** {@code /proc/<pid>/<file>} of the container's process, seen from the host. */
  private static String readProc(long pid, String file) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
