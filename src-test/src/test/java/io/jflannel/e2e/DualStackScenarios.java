package io.jflannel.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.Node;
import io.jflannel.netlink.testing.RootOnly;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
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
 * Dual-stack and IPv6-only networks end to end, run by the subclasses once per control plane (etcd,
 * kube), backend and {@link Stack}: three hosts on a LAN carrying IPv4 and IPv6 ({@code
 * 192.168.100.0/24}, {@code fd00:100::/64}), the network config enabling IPv6 ({@code
 * "IPv6Network":"fd10::/56"}, and in IPv6 only {@code "EnableIPv4":false}), pods with an address of
 * each enabled family behind {@code cni0}. One cluster per class, each scenario starting from and
 * leaving a converged cluster, as {@link EtcdModeScenarios}.
 *
 * <p>Upstream's formats are the reference throughout: subnet.env, the etcd key and value or the
 * Node's annotations, and the kernel objects of both families, checked with {@code ip route},
 * {@code ip -6 route}, {@code ip neigh}, {@code ip -6 neigh} and {@code bridge fdb}.
 */
@ExtendWith(RootOnly.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class DualStackScenarios {
  private static final Logger log = LoggerFactory.getLogger(DualStackScenarios.class);
  private static final Duration RESYNC = Duration.ofSeconds(Cluster.RESYNC_SECONDS);

  /** The hand-made upstream peer of {@link #upstreamShapedPeerGetsUpstreamsEntriesInEachFamily}. */
  private static final String PEER_SUBNET = "10.244.240.0/24";

  private static final String PEER_SUBNET6 = "fd10:0:0:f0::/64";
  private static final String PEER_IP = "192.168.100.99";
  private static final String PEER_IP6 = "fd00:100::99";
  private static final String PEER_MAC = "02:00:00:00:44:01";
  private static final String PEER_MAC6 = "02:00:00:00:66:01";
  private static final String PEER_NODE = "upstream-peer";

  private Cluster cluster;

  abstract Backend backend();

  abstract Stack stack();

  /** Kube mode (the mock API server) rather than etcd mode. */
  abstract boolean kube();

  /** In kube mode, a real API server ({@link RealKubeApiServer}) rather than the mock. */
  boolean realApiServer() {
    return false;
  }

  @BeforeAll
  void startCluster() {
    String name =
        (kube() ? "kube-" : "etcd-") + backend().type() + "-" + stack().name().toLowerCase();
    if (realApiServer()) {
      Optional<String> why = RealKubeApiServer.whyUnavailable();
      assumeTrue(why.isEmpty(), () -> why.orElseThrow());
      cluster = Cluster.withRealKube("real-" + name, backend(), stack(), 3);
      return;
    }
    cluster =
        kube()
            ? Cluster.withKube(name, backend(), stack(), 3)
            : Cluster.withEtcd(name, backend(), stack(), 3);
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
  void everyPodReachesEveryOtherPodInEachFamilyOverUpstreamShapedState() {
    for (Family f : stack().families()) {
      cluster.assertPodsReachEachOther(f);
    }
    List<Host> hosts = cluster.hosts();
    SoftAssertions s = new SoftAssertions();
    for (Host h : hosts) {
      SubnetEnv env = h.lease();
      s.assertThat(env.text())
          .as("%s subnet.env", h.name())
          .isEqualTo(
              UpstreamShapes.subnetEnv(backend(), stack(), env.lease(), env.lease6(), kube()));
      s.assertThat(env.lease() != null)
          .as("%s has an IPv4 lease", h.name())
          .isEqualTo(stack().v4());
      s.assertThat(env.lease6()).as("%s IPv6 lease", h.name()).isNotNull().endsWith("/64");
      if (kube()) {
        s.assertThat(env.lease6())
            .as("%s IPv6 lease: its Node's IPv6 pod CIDR", h.name())
            .isEqualTo(KubeApiServer.podCidr6(h));
        assertAnnotations(s, h);
      } else {
        assertEtcdLease(s, h);
      }
      ProgrammedPeers.assertUpstreamShaped(s, backend(), stack(), h, hosts);
    }
    s.assertAll();
  }

  private void assertEtcdLease(SoftAssertions s, Host h) {
    SubnetEnv env = h.lease();
    String key = EtcdServer.keyOf(env);
    s.assertThat(cluster.etcd().getPrefix(EtcdServer.SUBNETS))
        .as("%s lease in etcd (key %s)", h.name(), key)
        .containsEntry(
            key,
            UpstreamShapes.leaseValue(
                backend(), stack(), h.publicIp(), h.publicIpv6(), mac(h), mac6(h)));
    s.assertThat(cluster.etcd().grantedTtl(key))
        .as("%s etcd lease TTL (24 h)", h.name())
        .isEqualTo(86400);
  }

  private void assertAnnotations(SoftAssertions s, Host h) {
    KubeApiServer kube = cluster.kube();
    Node node = kube.node(KubeApiServer.nodeName(h));
    Map<String, String> want = new TreeMap<>(kube.registeredNode(h).getMetadata().getAnnotations());
    want.putAll(
        UpstreamShapes.nodeAnnotations(
            backend(), stack(), h.publicIp(), h.publicIpv6(), mac(h), mac6(h)));
    s.assertThat(node.getMetadata().getAnnotations())
        .as("%s annotations: upstream's flannel ones plus the node's own", h.name())
        .isEqualTo(want);
    s.assertThat(node.getSpec())
        .as("%s spec", h.name())
        .isEqualTo(kube.registeredNode(h).getSpec());
  }

  private String mac(Host h) {
    return backend() == Backend.VXLAN && stack().v4()
        ? h.kernel().linkMac(KernelState.VXLAN_DEVICE)
        : null;
  }

  private String mac6(Host h) {
    return backend() == Backend.VXLAN && stack().v6()
        ? h.kernel().linkMac(KernelState.VXLAN6_DEVICE)
        : null;
  }

  /**
   * The largest packet a pod may send (FLANNEL_MTU of subnet.env) crosses each overlay whole with
   * "don't fragment" set: {@code ping -M do -s <MTU-28>} over IPv4, {@code ping -6 -M do -s
   * <MTU-48>} over IPv6, between every pair of pods.
   */
  @Test
  @Order(2)
  void fullMtuPingWithDontFragmentCrossesEachOverlay() {
    List<Host> hosts = cluster.hosts();
    int mtu = hosts.get(0).lease().mtu();
    assertThat(hosts)
        .as("FLANNEL_MTU of every host")
        .allSatisfy(h -> assertThat(h.lease().mtu()).isEqualTo(stack().mtu(backend())));
    for (Family f : stack().families()) {
      Pings.assertFullMtu(hosts, f, mtu);
    }
  }

  /**
   * A peer whose lease is written by hand in upstream's exact format (etcd value, or Node with
   * upstream's annotations), with a fixed VtepMAC per family and a fixed public IP and IPv6: every
   * host programs upstream's exact entries for it, read back with {@code ip -6 neigh}, {@code
   * bridge fdb} and {@code ip -6 route} (and their IPv4 twins), then drops them when it leaves.
   */
  @Test
  @Order(3)
  void upstreamShapedPeerGetsUpstreamsEntriesInEachFamily() {
    Runnable remove = addUpstreamPeer();
    try {
      cluster.awaitConverged(Duration.ofSeconds(15));
      SoftAssertions s = new SoftAssertions();
      for (Host h : cluster.hosts()) {
        KernelState k = h.kernel();
        boolean vxlan = backend() == Backend.VXLAN;
        if (stack().v6()) {
          String a6 = Ip6.address(PEER_SUBNET6);
          s.assertThat(k.routes6())
              .as("%s ip -6 route", h.name())
              .contains(
                  vxlan
                      ? PEER_SUBNET6
                          + " via "
                          + a6
                          + " dev flannel-v6.1 metric 1024 onlink pref medium"
                      : PEER_SUBNET6 + " via " + PEER_IP6 + " dev eth0 metric 1024 pref medium");
          if (vxlan) {
            s.assertThat(k.neighbours6(KernelState.VXLAN6_DEVICE))
                .as("%s ip -6 neigh show dev flannel-v6.1", h.name())
                .contains(a6 + " lladdr " + PEER_MAC6 + " PERMANENT");
            s.assertThat(k.fdb(KernelState.VXLAN6_DEVICE))
                .as("%s bridge fdb show dev flannel-v6.1", h.name())
                .contains(PEER_MAC6 + " dst " + PEER_IP6 + " self permanent");
          }
        }
        if (stack().v4()) {
          String a4 = Ip4.address(PEER_SUBNET);
          s.assertThat(k.routes())
              .as("%s ip route", h.name())
              .contains(
                  vxlan
                      ? PEER_SUBNET + " via " + a4 + " dev flannel.1 onlink"
                      : PEER_SUBNET + " via " + PEER_IP + " dev eth0");
          if (vxlan) {
            s.assertThat(k.neighbours(KernelState.VXLAN_DEVICE))
                .as("%s ip -4 neigh show dev flannel.1", h.name())
                .contains(a4 + " lladdr " + PEER_MAC + " PERMANENT");
            s.assertThat(k.fdb(KernelState.VXLAN_DEVICE))
                .as("%s bridge fdb show dev flannel.1", h.name())
                .contains(PEER_MAC + " dst " + PEER_IP + " self permanent");
          }
        }
      }
      s.assertAll();
    } finally {
      remove.run();
    }
    cluster.awaitConverged(Duration.ofSeconds(15)); // the peer's entries are gone again
    cluster.assertPodsReachEachOther();
  }

  /** Writes the hand-made upstream peer; returns what removes it. */
  private Runnable addUpstreamPeer() {
    if (kube()) {
      KubeApiServer kube = cluster.kube();
      List<String> cidrs = new ArrayList<>();
      if (stack().v4()) {
        cidrs.add(PEER_SUBNET);
      }
      cidrs.add(PEER_SUBNET6);
      Node node =
          KubeApiServer.registeredNode(
              PEER_NODE, cidrs, stack().v4() ? List.of(PEER_IP, PEER_IP6) : List.of(PEER_IP6));
      node.getMetadata().getAnnotations().putAll(upstreamAnnotations());
      kube.createNode(node);
      return () -> kube.deleteNode(PEER_NODE);
    }
    String key = EtcdServer.keyOf(stack().v4() ? PEER_SUBNET : null, PEER_SUBNET6);
    cluster.etcd().put(key, upstreamValue());
    return () -> cluster.etcd().delete(key);
  }

  /** The etcd value an upstream node of this backend and stack writes, spelled out. */
  private String upstreamValue() {
    String data6 = "\"BackendV6Data\":{\"VNI\":1,\"VtepMAC\":\"" + PEER_MAC6 + "\"}";
    String data = "\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"" + PEER_MAC + "\"}";
    return switch (backend()) {
      case VXLAN ->
          stack().v4()
              ? "{\"PublicIP\":\""
                  + PEER_IP
                  + "\",\"PublicIPv6\":\""
                  + PEER_IP6
                  + "\",\"BackendType\":\"vxlan\","
                  + data
                  + ","
                  + data6
                  + "}"
              : "{\"PublicIP\":\"0.0.0.0\",\"PublicIPv6\":\""
                  + PEER_IP6
                  + "\",\"BackendType\":\"vxlan\","
                  + data6
                  + "}";
      case HOST_GW ->
          "{\"PublicIP\":\""
              + PEER_IP
              + "\",\"PublicIPv6\":\""
              + PEER_IP6
              + "\",\"BackendType\":\"host-gw\"}";
      case UDP -> throw new IllegalStateException("udp has no IPv6");
      case WIREGUARD ->
          throw new IllegalStateException("the dual-stack scenarios do not run on wireguard");
    };
  }

  /** The annotations an upstream node of this backend and stack writes, spelled out. */
  private Map<String, String> upstreamAnnotations() {
    String p = KubeApiServer.ANNOTATION_PREFIX;
    boolean vxlan = backend() == Backend.VXLAN;
    Map<String, String> a = new LinkedHashMap<>();
    a.put(p + "kube-subnet-manager", "true");
    a.put(p + "backend-type", backend().leaseType());
    if (stack().v4()) {
      a.put(p + "backend-data", vxlan ? "{\"VNI\":1,\"VtepMAC\":\"" + PEER_MAC + "\"}" : "null");
      a.put(p + "public-ip", PEER_IP);
    }
    a.put(p + "backend-v6-data", vxlan ? "{\"VNI\":1,\"VtepMAC\":\"" + PEER_MAC6 + "\"}" : "null");
    a.put(p + "public-ipv6", PEER_IP6);
    return a;
  }

  /**
   * kill -9 and restart of a node: the restarted daemon writes nothing to the kernel in either
   * family (routes, neighbours, FDB, devices, addresses: recorded with {@code ip monitor} and
   * {@code bridge monitor} across the restart and one resync period after it), keeps both subnets
   * (subnet.env and the lease record unchanged), and a ping per family from a peer's pod loses no
   * packet meanwhile.
   */
  @Test
  @Order(4)
  void crashAndRestartWritesNothingInEitherFamilyAndKeepsBothSubnets() {
    Host victim = cluster.host(1);
    Host peer = cluster.host(2);
    String subnetEnvBefore = victim.lease().text();
    Map<String, String> recordBefore = leaseRecords();
    KernelState k = victim.kernel();
    Map<String, List<String>> stateBefore = kernelSnapshot(k);

    int count = 240; // 12 s at 20 packets/s: the restart plus at least one resync period
    List<String> events;
    Map<Family, List<String>> outputs = new LinkedHashMap<>();
    try (KernelMonitor monitor = KernelMonitor.start(victim.ns());
        Background ping4 = longPing(peer, victim, Family.V4, count);
        Background ping6 = longPing(peer, victim, Family.V6, count)) {
      List<Background> pings = new ArrayList<>();
      for (Background b : new Background[] {ping4, ping6}) {
        if (b != null) {
          pings.add(b);
        }
      }
      await("first replies of " + peer.name() + " -> " + victim.name())
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> pings.stream().allMatch(b -> Pings.replies(b) >= 5 || !b.isAlive()));

      long t0 = System.nanoTime();
      victim.daemon().kill();
      cluster.start(victim);
      long restartMillis = (System.nanoTime() - t0) / 1_000_000;
      long readyAt = System.nanoTime();
      assertThat(pings)
          .as("pings still running when the restarted daemon was ready (%d ms)", restartMillis)
          .allMatch(Background::isAlive);
      for (Background b : pings) {
        b.awaitExit(Duration.ofSeconds(30));
      }
      long observed = (System.nanoTime() - readyAt) / 1_000_000;
      assertThat(observed)
          .as("observation after ready (ms) must cover one resync period; raise the ping count")
          .isGreaterThan(RESYNC.toMillis() + 500);
      events = monitor.stop();
      if (ping4 != null) {
        outputs.put(Family.V4, ping4.lines());
      }
      if (ping6 != null) {
        outputs.put(Family.V6, ping6.lines());
      }
      log.info(
          "{}: restart ready in {} ms, observed {} ms after ready",
          cluster,
          restartMillis,
          observed);
    }

    List<FlannelEvents.Verdict> verdicts = FlannelEvents.classify(events);
    String recording =
        verdicts.isEmpty()
            ? "(no events)"
            : String.join("\n", verdicts.stream().map(Object::toString).toList());
    log.info(
        "{}: kernel events on {} during the restart window:\n{}",
        cluster,
        victim.name(),
        recording);
    SoftAssertions s = new SoftAssertions();
    s.assertThat(victim.lease().text())
        .as("subnet.env after the restart (same subnets)")
        .isEqualTo(subnetEnvBefore);
    s.assertThat(leaseRecords()).as("lease records after the restart").isEqualTo(recordBefore);
    s.assertThat(verdicts.stream().filter(FlannelEvents.Verdict::counts).toList())
        .as(
            "kernel writes on %s during the restart window; full recording:\n%s",
            victim.name(), recording)
        .isEmpty();
    outputs.forEach(
        (family, out) -> {
          Pings.Stats stats = Pings.stats(out);
          s.assertThat(stats.lost())
              .as(
                  "%s packets lost by ping %s -> %s across the restart:\n%s",
                  family,
                  peer.name(),
                  victim.name(),
                  String.join("\n", out.subList(Math.max(0, out.size() - 4), out.size())))
              .isZero();
          s.assertThat(stats.transmitted()).as("%s packets sent", family).isEqualTo(count);
        });
    s.assertThat(kernelSnapshot(k)).as("kernel state after the restart").isEqualTo(stateBefore);
    s.assertAll();
  }

  private Background longPing(Host from, Host to, Family family, int count) {
    if (!stack().families().contains(family)) {
      return null;
    }
    return Pings.startLong(from, family.podIp(to), "0.05", count);
  }

  /** What the restart must leave alone, per command, sorted. */
  private static Map<String, List<String>> kernelSnapshot(KernelState k) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put("ip -4 route", k.routes().stream().sorted().toList());
    m.put("ip -6 route", k.routes6().stream().sorted().toList());
    for (String dev : List.of(KernelState.VXLAN_DEVICE, KernelState.VXLAN6_DEVICE)) {
      m.put("ip -4 neigh show dev " + dev, k.neighbours(dev).stream().sorted().toList());
      m.put("ip -6 neigh show dev " + dev, k.neighbours6(dev).stream().sorted().toList());
      m.put("bridge fdb show dev " + dev, k.fdb(dev).stream().sorted().toList());
    }
    return m;
  }

  /** The stored lease of every node: etcd's keys and values, or each Node's flannel annotations. */
  private Map<String, String> leaseRecords() {
    if (!kube()) {
      return cluster.etcd().getPrefix(EtcdServer.SUBNETS);
    }
    Map<String, String> m = new TreeMap<>();
    for (Node n : cluster.kube().nodes()) {
      n.getMetadata()
          .getAnnotations()
          .forEach(
              (k, v) -> {
                if (k.startsWith(KubeApiServer.ANNOTATION_PREFIX)) {
                  m.put(n.getMetadata().getName() + " " + k, v);
                }
              });
      m.put(n.getMetadata().getName() + " podCIDRs", String.valueOf(n.getSpec().getPodCIDRs()));
    }
    return m;
  }

  /**
   * Kube mode, dual-stack: a fourth node runs flanneld, then loses its {@code public-ipv6}
   * annotation. The others keep it for IPv4 (every pod pings it over IPv4) and drop it for IPv6
   * alone (the other pods still ping each other over IPv6), and each daemon logs exactly one
   * warning naming the node, not repeated when the Node is updated again or at every resync.
   */
  @Test
  @Order(5)
  void dualStackPeerWithoutPublicIpv6KeepsIpv4WithOneWarning() {
    assumeTrue(kube() && stack() == Stack.DUAL, "a kube-mode dual-stack scenario");
    KubeApiServer kube = cluster.kube();
    List<Host> others = cluster.hosts();
    Host h4 = cluster.addHost();
    String name = KubeApiServer.nodeName(h4);
    try {
      cluster.start(h4);
      cluster.awaitConverged();
      kube.removeAnnotation(name, KubeApiServer.ANNOTATION_PREFIX + "public-ipv6");
      for (Host h : others) {
        h.awaitWarningNaming(name);
      }
      await("the others drop " + name + " for IPv6 only")
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(100))
          .untilAsserted(
              () -> {
                for (Host h : others) {
                  cluster.assertPeersProgrammed(h);
                }
              });
      kube.label(
          name, "jflannel.test/touched", "yes"); // an update that changes nothing flannel reads
      cluster.assertPodsReachEachOther(Family.V4); // h4's pod included
      Pings.assertMatrix(others, Family.V6);
      await("three resync periods")
          .pollDelay(RESYNC.multipliedBy(3))
          .atMost(RESYNC.multipliedBy(4))
          .until(() -> true);
      Pattern names = Pattern.compile(".*\\b" + Pattern.quote(name) + "\\b.*");
      SoftAssertions s = new SoftAssertions();
      for (Host h : others) {
        cluster.assertPeersProgrammed(h);
        List<String> warnings =
            h.daemon()
                .output()
                .lines()
                .filter(l -> l.contains(" WARN ") && names.matcher(l).matches())
                .toList();
        s.assertThat(warnings).as("%s WARN lines naming %s", h.name(), name).hasSize(1);
      }
      s.assertAll();
    } finally {
      cluster.removeHost(h4);
      kube.deleteNode(name);
    }
    cluster.awaitConverged(Duration.ofSeconds(15));
  }
}
