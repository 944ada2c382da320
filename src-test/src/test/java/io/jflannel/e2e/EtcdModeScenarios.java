package io.jflannel.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jflannel.netlink.testing.RootOnly;
import io.jflannel.netlink.testing.Sh;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
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
 * The etcd-mode scenarios, run once per backend by the subclasses: three hosts share one cluster
 * for the whole class (starting three JVM daemons costs more than every scenario together), and
 * each scenario starts by waiting until every host holds exactly its peers and leaves the cluster
 * that way: a crashed daemon is restarted, a deleted entry is repaired, garbage is removed, a host
 * added for a scenario is removed again.
 */
@ExtendWith(RootOnly.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class EtcdModeScenarios {
  private static final Logger log = LoggerFactory.getLogger(EtcdModeScenarios.class);
  private static final Duration RESYNC = Duration.ofSeconds(Cluster.RESYNC_SECONDS);

  private Cluster cluster;

  abstract Backend backend();

  /** The cluster shared by the class's scenarios, for the scenarios of one backend only. */
  Cluster cluster() {
    return cluster;
  }

  @BeforeAll
  void startCluster() {
    cluster = Cluster.withEtcd(backend().type(), backend(), 3);
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
  void everyPodReachesEveryOtherPodOverUpstreamShapedState() throws Exception {
    cluster.assertPodsReachEachOther();

    Backend backend = backend();
    List<Host> hosts = cluster.hosts();
    Map<String, String> keys = cluster.etcd().getPrefix(EtcdServer.SUBNETS);
    SoftAssertions s = new SoftAssertions();
    s.assertThat(keys).as("lease keys in etcd").hasSize(hosts.size());
    for (Host h : hosts) {
      SubnetEnv env = h.lease();
      String lease = env.lease();
      String key = EtcdServer.keyOfSubnet(lease);
      String mac =
          switch (backend) {
            case VXLAN -> h.kernel().linkMac(KernelState.VXLAN_DEVICE);
            case WIREGUARD -> Wireguard.publicKey(h);
            default -> null;
          };

      s.assertThat(env.text())
          .as("%s subnet.env", h.name())
          .isEqualTo(UpstreamShapes.subnetEnv(backend, lease, false));
      s.assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(h.subnetFile())))
          .as("%s subnet.env mode", h.name())
          .isEqualTo("rw-r--r--");
      s.assertThat(lease)
          .as("%s lease: a /24 of the network past its first subnet", h.name())
          .endsWith("/24")
          .isNotEqualTo("10.244.0.0/24");
      s.assertThat(keys)
          .as("%s lease in etcd", h.name())
          .containsEntry(key, UpstreamShapes.leaseValue(backend, h.publicIp(), mac));
      s.assertThat(cluster.etcd().grantedTtl(key))
          .as("%s etcd lease TTL (24 h)", h.name())
          .isEqualTo(86400);

      ProgrammedPeers.assertUpstreamShaped(s, backend, h, hosts);
    }
    s.assertAll();
  }

  @Test
  @Order(2)
  void crashAndRestartKeepsLeaseWritesNothingAndLosesNoPacket() {
    assumeTrue(
        backend().kernelDataPlane(),
        backend().type()
            + " forwards in the daemon: a restart interrupts the traffic (its own scenario)");
    Host victim = cluster.host(1);
    Host peer = cluster.host(2);
    String subnetEnvBefore = victim.lease().text();
    Map<String, String> leasesBefore = cluster.etcd().getPrefix(EtcdServer.SUBNETS);
    KernelState k = victim.kernel();
    List<String> routesBefore = k.routes();
    List<String> arpBefore = k.neighbours(KernelState.VXLAN_DEVICE);
    List<String> fdbBefore = k.fdb(KernelState.VXLAN_DEVICE);

    int count = 240; // 12 s at 20 packets/s: the daemon's restart plus at least one resync period
    List<String> events;
    List<String> pingOutput;
    long restartMillis;
    try (KernelMonitor monitor = KernelMonitor.start(victim.ns());
        Background ping = Pings.startLong(peer, victim.podIp(), "0.05", count)) {
      long tPing = System.nanoTime();
      await("first replies of " + peer.name() + " -> " + victim.name())
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> Pings.replies(ping) >= 5 || !ping.isAlive());
      log.info("{}: ping replying after {} ms", backend(), (System.nanoTime() - tPing) / 1_000_000);

      long t0 = System.nanoTime();
      victim.daemon().kill();
      cluster.start(victim);
      restartMillis = (System.nanoTime() - t0) / 1_000_000;
      long readyAt = System.nanoTime();
      assertThat(ping.isAlive())
          .as(
              "the ping (%d packets, %d s) ended before the restarted daemon was ready (%d ms): raise its count",
              count, count / 20, restartMillis)
          .isTrue();

      ping.awaitExit(Duration.ofSeconds(30));
      long observedAfterReady = (System.nanoTime() - readyAt) / 1_000_000;
      assertThat(observedAfterReady)
          .as(
              "observation after ready (ms) must cover one resync period of %d s; raise the ping count",
              RESYNC.toSeconds())
          .isGreaterThan(RESYNC.toMillis() + 500);
      events = monitor.stop();
      pingOutput = ping.lines();
      log.info(
          "{}: restart ready in {} ms, observed {} ms after ready",
          backend(),
          restartMillis,
          observedAfterReady);
    }

    List<FlannelEvents.Verdict> verdicts = FlannelEvents.classify(events);
    String recording =
        verdicts.isEmpty()
            ? "(no events)"
            : String.join("\n", verdicts.stream().map(Object::toString).toList());
    log.info(
        "{}: kernel events on {} during the restart window:\n{}",
        backend(),
        victim.name(),
        recording);

    Pings.Stats stats = Pings.stats(pingOutput);
    SoftAssertions s = new SoftAssertions();
    s.assertThat(victim.lease().text())
        .as("subnet.env after the restart (same lease)")
        .isEqualTo(subnetEnvBefore);
    s.assertThat(cluster.etcd().getPrefix(EtcdServer.SUBNETS))
        .as("leases in etcd after the restart")
        .isEqualTo(leasesBefore);
    s.assertThat(verdicts.stream().filter(FlannelEvents.Verdict::counts).toList())
        .as(
            "kernel writes on %s during the restart window; full recording:\n%s",
            victim.name(), recording)
        .isEmpty();
    s.assertThat(stats.lost())
        .as(
            "packets lost by ping %s -> %s across the restart:\n%s",
            peer.name(),
            victim.name(),
            String.join(
                "\n", pingOutput.subList(Math.max(0, pingOutput.size() - 4), pingOutput.size())))
        .isZero();
    s.assertThat(stats.transmitted()).as("packets sent").isEqualTo(count);
    s.assertThat(k.routes())
        .as("routes after the restart")
        .containsExactlyInAnyOrderElementsOf(routesBefore);
    s.assertThat(k.neighbours(KernelState.VXLAN_DEVICE))
        .as("ARP after the restart")
        .containsExactlyInAnyOrderElementsOf(arpBefore);
    s.assertThat(k.fdb(KernelState.VXLAN_DEVICE))
        .as("FDB after the restart")
        .containsExactlyInAnyOrderElementsOf(fdbBefore);
    s.assertAll();
  }

  /**
   * udp: the one route of the whole Network through flannel0 is the entry deleted; wireguard: that
   * route and one WireGuard peer.
   */
  @Test
  @Order(3)
  void repairsHandDeletedRouteArpAndFdbWithinOneResyncPeriod() {
    Host h = cluster.host(1);
    PeerLease a = leaseOf(cluster.host(2));
    PeerLease b = leaseOf(cluster.host(3));

    long t0 = System.nanoTime();
    boolean oneRoute = backend() == Backend.UDP || backend() == Backend.WIREGUARD;
    h.ns().ip("route", "del", oneRoute ? Backend.NETWORK : a.subnet());
    if (backend() == Backend.WIREGUARD) {
      String key = Wireguard.expectedPeer(b).orElseThrow().split(" ")[0];
      Wireguard.wg(h, "set", Wireguard.DEVICE, "peer", key, "remove");
    }
    if (backend() == Backend.VXLAN) {
      h.ns().ip("neigh", "del", Ip4.address(b.subnet()), "dev", KernelState.VXLAN_DEVICE);
      Sh.run(
          "bridge",
          "-n",
          h.ns().name(),
          "fdb",
          "del",
          a.vtepMac(),
          "dev",
          KernelState.VXLAN_DEVICE,
          "dst",
          a.publicIp(),
          "self");
    }
    Duration limit = RESYNC.plusMillis(1500);
    await(h.name() + " repairs the deleted entries")
        .atMost(limit)
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(() -> cluster.assertPeersProgrammed(h));
    log.info(
        "{}: drift on {} repaired in {} ms (limit {} ms)",
        backend(),
        h.name(),
        (System.nanoTime() - t0) / 1_000_000,
        limit.toMillis());
    cluster.assertPodsReachEachOther();
  }

  @Test
  @Order(4)
  void skipsGarbageLeaseWithWarningAndKeepsEveryOtherPeerWorking() {
    List<String> leased = cluster.controlPlane().leases().stream().map(PeerLease::subnet).toList();
    String garbage = leased.contains("10.244.250.0/24") ? "10.244.251.0/24" : "10.244.250.0/24";
    String key = EtcdServer.keyOfSubnet(garbage);
    String needle = Ip4.address(garbage);
    cluster.etcd().put(key, "this is not JSON {");
    try {
      for (Host h : cluster.hosts()) {
        h.awaitWarningNaming(needle);
      }
      cluster.awaitConverged(); // exactly the real peers: no route/ARP/FDB for the garbage subnet
      cluster.assertPodsReachEachOther();

      // a daemon that starts while the garbage is there reads it in its initial listing
      Host h = cluster.host(2);
      assertThat(h.daemon().terminate())
          .as("exit status after SIGTERM\n%s", h.daemon().logTail(20))
          .isZero();
      cluster.start(h);
      h.awaitWarningNaming(needle);
      cluster.awaitConverged();
      cluster.assertPodsReachEachOther();
    } finally {
      cluster.etcd().delete(key);
    }
  }

  /**
   * A fourth host joins, then leaves: stopped, its lease deleted while it is down. The others drop
   * it from their kernel state (udp: from the daemon's peer table), a ping to its pod fails at once
   * with "net unreachable" instead of being sent to the departed host, and the rest still talk.
   */
  @Test
  @Order(5)
  void forgetsHostThatLeft() {
    Host leaver = cluster.addHost();
    cluster.start(leaver);
    cluster.awaitConverged();
    cluster.assertPodsReachEachOther();

    assertThat(leaver.daemon().terminate())
        .as("leaver exit status after SIGTERM\n%s", leaver.daemon().logTail(20))
        .isZero();
    cluster.etcd().delete(EtcdServer.keyOfSubnet(leaver.lease().lease()));
    long t0 = System.nanoTime();
    cluster.awaitConverged(Duration.ofSeconds(15));
    log.info(
        "{}: running hosts forgot the leaver in {} ms",
        backend(),
        (System.nanoTime() - t0) / 1_000_000);
    cluster.removeHost(leaver);
    if (backend() != Backend.WIREGUARD) { // wireguard-go drops a packet for no peer silently
      Pings.assertNetUnreachable(cluster.hosts(), leaver.podIp());
    }
    cluster.assertPodsReachEachOther();
  }

  /**
   * Upstream issue #2554: a node deleted while flanneld was down stays routed forever. Here the
   * restarted daemon runs with a resync period far longer than the wait, so only its start-up
   * reconcile can remove the stale entries. The departed peer is a lease written by hand (as an
   * upstream node would have), so no daemon needs to start for it.
   */
  @Test
  @Order(6)
  void restartRemovesEntriesOfPeerThatLeftWhileDown() {
    assumeTrue(
        backend().kernelDataPlane() && backend() != Backend.WIREGUARD,
        backend().type()
            + " keeps no per-peer kernel entries that could go stale (wireguard: a flanneld"
            + " stopped with SIGTERM stops the wireguard-go it started, peers and all)");
    List<String> leased = cluster.controlPlane().leases().stream().map(PeerLease::subnet).toList();
    String gone = leased.contains("10.244.251.0/24") ? "10.244.252.0/24" : "10.244.251.0/24";
    String key = EtcdServer.keyOfSubnet(gone);
    cluster
        .etcd()
        .put(key, UpstreamShapes.leaseValue(backend(), "192.168.100.99", "02:00:00:00:99:99"));
    cluster.awaitConverged(Duration.ofSeconds(15)); // every host programs the hand-written peer

    Host down = cluster.host(1);
    assertThat(down.daemon().terminate())
        .as("h1 exit status after SIGTERM\n%s", down.daemon().logTail(20))
        .isZero();
    cluster.etcd().delete(key);
    cluster.awaitConverged(Duration.ofSeconds(15));
    assertThat(down.kernel().overlayRoutes(Backend.NETWORK))
        .as("h1 was down when the peer left, so it still routes to %s", gone)
        .anyMatch(r -> r.startsWith(gone + " "));

    List<String> flags = new ArrayList<>(cluster.daemonFlags(down));
    flags.set(flags.indexOf("--resync-period") + 1, "600");
    cluster.launch(down, flags);
    cluster.awaitReady(down);
    long t0 = System.nanoTime();
    try {
      cluster.awaitConverged(Duration.ofSeconds(15)); // far below the 600 s period
      log.info(
          "{}: restarted h1 dropped the departed peer {} ms after ready",
          backend(),
          (System.nanoTime() - t0) / 1_000_000);
    } finally {
      down.daemon().terminate();
      cluster.start(down); // back to the cluster's own flags
    }
  }

  /**
   * The backend's device deleted ({@code ip link del}), then set down, on a running host (a CNI
   * reinstall or a cleanup script does this): a pod of another host pinging this host's pod 20
   * times a second is answered again within 2 s each time, the lease in etcd (with the VTEP MAC)
   * and the device's MAC are unchanged, and every entry is back.
   */
  @Test
  @Order(8)
  void aDeletedOrDownedDeviceIsMadeAgainAndPodsPingWithinTwoSeconds() {
    assumeTrue(backend() != Backend.HOST_GW, "host-gw has no device of its own");
    String dev =
        switch (backend()) {
          case VXLAN -> KernelState.VXLAN_DEVICE;
          case WIREGUARD -> Wireguard.DEVICE;
          default -> KernelState.UDP_DEVICE;
        };
    Host victim = cluster.host(1);
    Host peer = cluster.host(2);
    Map<String, String> leases = cluster.etcd().getPrefix(EtcdServer.SUBNETS);
    String mac = backend() == Backend.VXLAN ? victim.kernel().linkMac(dev) : null;
    for (List<String> fault :
        List.of(List.of("link", "del", dev), List.of("link", "set", dev, "down"))) {
      List<String> output;
      try (Background ping = Pings.startLong(peer, victim.podIp(), "0.05", 160)) {
        await("first replies of " + peer.name() + " -> " + victim.name())
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> Pings.replies(ping) >= 5 || !ping.isAlive());
        victim.ns().ip(fault.toArray(String[]::new));
        ping.awaitExit(Duration.ofSeconds(30));
        output = ping.lines();
      }
      List<Integer> answered = Pings.answered(output);
      int last = answered.get(answered.size() - 1);
      List<Integer> lost =
          java.util.stream.IntStream.rangeClosed(1, last)
              .filter(seq -> !answered.contains(seq))
              .boxed()
              .toList();
      log.info(
          "{}: ip {}: {} echo request(s) of 50 ms lost",
          backend(),
          String.join(" ", fault),
          lost.size());
      SoftAssertions s = new SoftAssertions();
      s.assertThat(lost.size() * 50)
          .as("ms without replies after ip %s (lost %s)", String.join(" ", fault), lost)
          .isLessThanOrEqualTo(2000);
      s.assertThat(last).as("replies go on to the end").isGreaterThan(150);
      if (mac != null) {
        s.assertThat(victim.kernel().linkMac(dev)).as("%s MAC", dev).isEqualTo(mac);
      }
      s.assertThat(cluster.etcd().getPrefix(EtcdServer.SUBNETS))
          .as("leases in etcd (VtepMAC included)")
          .isEqualTo(leases);
      s.assertAll();
      cluster.awaitConverged(Duration.ofSeconds(5));
    }
    assertThat(victim.metric("flannel_device_repairs_total", "reason=\"down\""))
        .isGreaterThanOrEqualTo(1);
  }

  private PeerLease leaseOf(Host h) {
    String subnet = h.lease().lease();
    return cluster.controlPlane().leases().stream()
        .filter(l -> l.subnet().equals(subnet))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no lease for " + h.name() + " (" + subnet + ")"));
  }
}
