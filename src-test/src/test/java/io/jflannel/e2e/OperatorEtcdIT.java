package io.jflannel.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jflannel.netlink.testing.RootOnly;
import io.jflannel.netlink.testing.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator sees on a vxlan cluster in etcd mode (three hosts, {@code --ip-masq}, {@code
 * --healthz-store-timeout 5} so the outage scenario reaches the threshold early): {@code flanneld
 * diagnose} on a healthy cluster and after each fault injected by hand, systemd's readiness
 * protocol, and the health probes while etcd is stopped for a minute. The cluster is shared by the
 * scenarios, each of which leaves it converged.
 */
@ExtendWith(RootOnly.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorEtcdIT {
  private static final Logger log = LoggerFactory.getLogger(OperatorEtcdIT.class);
  private static final Duration OUTAGE = Duration.ofSeconds(60);
  private static final int STORE_TIMEOUT_SECONDS = 5;

  private Cluster cluster;

  @BeforeAll
  void startCluster() {
    cluster =
        Cluster.withEtcd(
            "operator",
            Backend.VXLAN,
            3,
            Backend.VXLAN.netConf(),
            List.of(
                "--ip-masq", "--healthz-store-timeout", Integer.toString(STORE_TIMEOUT_SECONDS)));
  }

  @AfterAll
  void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void fromAConvergedCluster() {
    cluster.awaitConverged();
  }

  @Test
  @Order(1)
  void diagnoseFindsNothingWrongOnAHealthyCluster() {
    for (Host h : cluster.hosts()) {
      Diagnosis d = cluster.diagnose(h, List.of());
      log.info("{}", d);
      assertThat(d.exit()).as("%s", d).isZero();
      assertThat(d.problems()).isEmpty();
      assertThat(d.findings())
          .extracting(Diagnosis.Finding::check)
          .contains("lease", "subnet.env", "device", "peers", "underlay", "mtu", "rules", "sysctl");
    }
    // the table, as an operator reads it (the README's sample comes from here)
    Sh.Out table = cluster.runDiagnose(cluster.host(1), List.of("--json=false"));
    assertThat(table.exit()).isZero();
    log.info("flanneld diagnose on h1:\n{}", table.stdout());
  }

  /**
   * With h1's daemon stopped (a stop leaves every kernel object in place, and nothing repairs them
   * meanwhile), each fault is injected, diagnosed and undone in turn: each diagnosis exits 1 and
   * its problems are exactly that fault, named with its fix.
   */
  @Test
  @Order(2)
  void diagnoseNamesEachInjectedFaultAndItsFix() throws Exception {
    Host h = cluster.host(1);
    PeerLease peer = leaseOf(cluster.host(2));
    String peerIp = Ip4.address(peer.subnet());
    assertThat(h.daemon().terminate()).isZero();
    try {
      h.ns().ip("route", "del", peer.subnet());
      expectOnly(
          h,
          "route",
          "missing: " + peer.subnet() + " via " + peerIp + " dev flannel.1 onlink",
          "flanneld rewrites it");
      Sh.Out table = cluster.runDiagnose(h, List.of("--json=false"));
      assertThat(table.exit()).isEqualTo(1);
      log.info("flanneld diagnose on h1, a route deleted:\n{}", table.stdout());
      h.ns().ip("route", "add", peer.subnet(), "via", peerIp, "dev", "flannel.1", "onlink");

      h.ns()
          .ip(
              "neigh",
              "replace",
              peerIp,
              "lladdr",
              "02:00:00:00:00:99",
              "dev",
              "flannel.1",
              "nud",
              "permanent");
      expectOnly(
          h,
          "neighbour",
          "wrong: "
              + peerIp
              + " lladdr 02:00:00:00:00:99 dev flannel.1"
              + " PERMANENT; the lease wants "
              + peerIp
              + " lladdr "
              + peer.vtepMac(),
          "flanneld rewrites it");
      h.ns()
          .ip(
              "neigh",
              "replace",
              peerIp,
              "lladdr",
              peer.vtepMac(),
              "dev",
              "flannel.1",
              "nud",
              "permanent");

      h.ns().ip("link", "set", "cni0", "mtu", "1500");
      expectOnly(h, "mtu", "above FLANNEL_MTU 1450: cni0 1500", "ip link set cni0 mtu 1450");
      h.ns().ip("link", "set", "cni0", "mtu", "1450");

      Path saved = h.dir().resolve("nat.rules");
      Files.writeString(saved, h.ns().exec("iptables-save", "-t", "nat").stdout());
      List<String> masq = h.kernel().iptablesRules("nat", "FLANNEL-POSTRTG");
      int n = 1 + indexOfFirst(masq, "-j MASQUERADE");
      Sh.run(
          "ip",
          "netns",
          "exec",
          h.ns().name(),
          "iptables",
          "-t",
          "nat",
          "-D",
          "FLANNEL-POSTRTG",
          Integer.toString(n));
      expectOnly(h, "rules", "MASQUERADE", "flanneld restores its rules");
      Sh.run("ip", "netns", "exec", h.ns().name(), "bash", "-c", "iptables-restore < " + saved);

      Sh.run("ip", "netns", "exec", h.ns().name(), "sysctl", "-q", "-w", "net.ipv4.ip_forward=0");
      expectOnly(
          h,
          "sysctl",
          "0: this node does not forward pod traffic",
          "sysctl -w net.ipv4.ip_forward=1");
      Sh.run("ip", "netns", "exec", h.ns().name(), "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");

      String env = Files.readString(h.subnetFile());
      Files.writeString(h.subnetFile(), env.replace("FLANNEL_MTU=1450", "FLANNEL_MTU=1400"));
      expectOnly(
          h,
          "subnet.env",
          "stale: FLANNEL_MTU=1400 (the lease says FLANNEL_MTU=1450)",
          "restart flanneld: it rewrites subnet.env at start");
      Files.writeString(h.subnetFile(), env);

      Diagnosis after = cluster.diagnose(h, List.of());
      assertThat(after.exit()).as("every fault undone: %s", after).isZero();
    } finally {
      cluster.start(h);
    }
  }

  /** Diagnoses {@code h}: exit 1, and every problem is of {@code check}, naming the fault. */
  private void expectOnly(Host h, String check, String detail, String fix) {
    Diagnosis d = cluster.diagnose(h, List.of());
    log.info("{}", d);
    SoftAssertions s = new SoftAssertions();
    s.assertThat(d.exit()).as("exit of %s", d).isEqualTo(1);
    s.assertThat(d.problems()).as("problems of %s", d).isNotEmpty();
    s.assertThat(d.problems())
        .as("problems of %s", d)
        .allSatisfy(
            p -> {
              assertThat(p.check()).isEqualTo(check);
              assertThat(p.detail()).contains(detail);
              assertThat(p.fix()).contains(fix);
            });
    s.assertAll();
  }

  private static int indexOfFirst(List<String> lines, String needle) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(needle)) {
        return i;
      }
    }
    throw new AssertionError("no rule with " + needle + " in " + lines);
  }

  /**
   * Under a fake {@code NOTIFY_SOCKET} (systemd's Type=notify), the daemon sends {@code READY=1}
   * once subnet.env exists (it is deleted before the start, so it is this run's), then the status
   * of its readiness, and {@code STOPPING=1} on SIGTERM.
   */
  @Test
  @Order(3)
  void systemdHearsReadyOnceSubnetEnvExistsAndStoppingOnSigterm() throws Exception {
    Host h = cluster.host(1);
    assertThat(h.daemon().terminate()).isZero();
    Files.delete(h.subnetFile());
    List<String> messages = new ArrayList<>();
    try (NotifySocket systemd = new NotifySocket(h.dir().resolve("notify.sock"))) {
      Daemon d =
          cluster.launch(
              h, cluster.daemonFlags(h), Map.of("NOTIFY_SOCKET", systemd.path().toString()));
      String first = null;
      long deadline = System.nanoTime() + Cluster.START_TIMEOUT.toNanos();
      while (first == null && System.nanoTime() < deadline && d.isAlive()) {
        first = systemd.receive();
      }
      boolean envThere = Files.exists(h.subnetFile());
      assertThat(first).as("first notification\n%s", d.logTail(20)).startsWith("READY=1\n");
      assertThat(envThere).as("subnet.env exists when READY=1 arrives").isTrue();
      messages.add(first);
      cluster.awaitReady(h);
      await("STATUS=ready")
          .atMost(Duration.ofSeconds(10))
          .until(() -> receiveInto(systemd, messages).startsWith("STATUS=ready: "));
      assertThat(d.terminate()).isZero();
      await("STOPPING=1")
          .atMost(Duration.ofSeconds(5))
          .until(() -> receiveInto(systemd, messages).startsWith("STOPPING=1"));
    } finally {
      log.info("notifications: {}", messages);
      cluster.start(h);
    }
  }

  private static String receiveInto(NotifySocket s, List<String> into) {
    String m = s.receive();
    if (m == null) {
      return "";
    }
    into.add(m);
    return m;
  }

  /**
   * etcd stopped for a minute: /readyz turns 503 saying why on every host, /healthz stays 200 the
   * whole time, the routes stay and pods keep talking; diagnose cannot check (exit 2). etcd back:
   * both answer 200 again, and a lease written the moment etcd is back is programmed everywhere.
   */
  @Test
  @Order(4)
  void anEtcdOutageFailsReadinessOnlyAndKeepsTrafficFlowing() {
    List<Host> hosts = cluster.hosts();
    Map<Host, List<String>> routes = new HashMap<>();
    hosts.forEach(h -> routes.put(h, h.kernel().overlayRoutes(Backend.NETWORK)));
    cluster.etcd().stop();
    long t0 = System.nanoTime();
    Map<Host, String> notReady = new HashMap<>();
    try {
      Diagnosis blind = cluster.diagnose(cluster.host(2), List.of());
      assertThat(blind.exit()).as("%s", blind).isEqualTo(2);
      assertThat(blind.summary()).startsWith("could not check: ");
      while (System.nanoTime() - t0 < OUTAGE.toNanos()) {
        for (Host h : hosts) {
          assertThat(h.healthz())
              .as("%s /healthz during the outage: %s", h, h.body("/healthz"))
              .isEqualTo(200);
          if (!notReady.containsKey(h) && h.readyz() == 503) {
            notReady.put(h, h.body("/readyz"));
            log.info(
                "{} not ready after {} ms: {}",
                h.name(),
                (System.nanoTime() - t0) / 1_000_000,
                notReady.get(h));
          }
        }
        sleep(500);
      }
      assertThat(notReady.keySet()).as("hosts whose /readyz turned 503").containsAll(hosts);
      assertThat(notReady.values())
          .allSatisfy(
              b ->
                  assertThat(b)
                      .startsWith(
                          "{\"status\":\"not ready\",\"reasons\":"
                              + "[\"lease store unreachable for "));
      hosts.forEach(
          h ->
              assertThat(h.kernel().overlayRoutes(Backend.NETWORK))
                  .as("%s routes after a minute without etcd", h)
                  .isEqualTo(routes.get(h)));
      cluster.assertPodsReachEachOther();
    } finally {
      cluster.etcd().restart();
    }
    String added = "10.244.250.0/24";
    cluster
        .etcd()
        .put(
            EtcdServer.keyOfSubnet(added),
            UpstreamShapes.leaseValue(Backend.VXLAN, "192.168.100.98", "02:00:00:00:98:98"));
    try {
      for (Host h : hosts) {
        await(h.name() + " ready and healthy again")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> h.readyz() == 200 && h.healthz() == 200);
      }
      log.info(
          "ready again {} ms after etcd came back",
          (System.nanoTime() - t0) / 1_000_000 - OUTAGE.toMillis());
      cluster.awaitConverged(); // includes the lease written as etcd came back
    } finally {
      cluster.etcd().delete(EtcdServer.keyOfSubnet(added));
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private PeerLease leaseOf(Host h) {
    String subnet = h.lease().lease();
    return cluster.controlPlane().leases().stream()
        .filter(l -> l.subnet().equals(subnet))
        .findFirst()
        .orElseThrow();
  }
}
