package io.jflannel.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.jflannel.netlink.testing.RootOnly;
import io.jflannel.netlink.testing.Sh;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The harness checked without the daemon, so that a failing scenario points at flanneld and not at
 * the test rig: two hosts whose routes are programmed by hand the way host-gw would, the pods
 * plugged, the ping matrix, the kernel monitor and its classification, etcd round trips, and a
 * teardown that leaves no namespace behind.
 */
@ExtendWith(RootOnly.class)
class HarnessSelfCheckIT {

  @Test
  void wiresPodsAcrossHostsRecordsWritesAndCleansUp() throws Exception {
    String suffix;
    try (Cluster cluster = Cluster.bareEtcd("harness", 2)) {
      suffix = cluster.suffix();
      Host h1 = cluster.host(1);
      Host h2 = cluster.host(2);
      for (Host h : cluster.hosts()) {
        String lease = "10.244." + h.index() + ".0/24";
        Files.writeString(h.subnetFile(), UpstreamShapes.subnetEnv(Backend.HOST_GW, lease, false));
        h.plugPod(h.lease());
      }
      assertThat(h1.lease().lease()).isEqualTo("10.244.1.0/24");
      assertThat(h1.podIp()).isEqualTo("10.244.1.2");
      h1.ns().ip("route", "add", "10.244.2.0/24", "via", h2.publicIp(), "dev", "eth0");
      h2.ns().ip("route", "add", "10.244.1.0/24", "via", h1.publicIp(), "dev", "eth0");

      PeerLease toH2 = new PeerLease("10.244.2.0/24", h2.publicIp(), "host-gw", null, null);
      assertThat(h1.kernel().routes())
          .containsExactlyInAnyOrderElementsOf(
              UpstreamShapes.allRoutes(Backend.HOST_GW, h1, h1.lease(), List.of(toH2)));
      cluster.assertPodsReachEachOther();
      assertThat(h1.readyz()).as("/readyz with nothing listening").isZero();

      // the monitor sees a route written while traffic flows, and ignores the traffic's own ARP
      // churn
      List<String> events;
      try (KernelMonitor monitor = KernelMonitor.start(h1.ns());
          Background ping = Pings.startLong(h2, h1.podIp(), "0.05", 20)) {
        await().atMost(Duration.ofSeconds(10)).until(() -> Pings.replies(ping) >= 3);
        h1.ns().ip("neigh", "flush", "dev", "eth0");
        h1.ns().ip("route", "add", "10.244.99.0/24", "via", h2.publicIp(), "dev", "eth0");
        h1.ns().ip("route", "del", "10.244.99.0/24");
        ping.awaitExit(Duration.ofSeconds(10));
        assertThat(Pings.stats(ping.lines()).transmitted()).isEqualTo(20);
        events = monitor.stop();
      }
      List<FlannelEvents.Verdict> verdicts = FlannelEvents.classify(events);
      assertThat(
              verdicts.stream()
                  .filter(FlannelEvents.Verdict::counts)
                  .map(FlannelEvents.Verdict::event))
          .as("counted events of %s", verdicts)
          .containsExactly(
              "[ROUTE]10.244.99.0/24 via 192.168.100.12 dev eth0",
              "[ROUTE]Deleted 10.244.99.0/24 via 192.168.100.12 dev eth0");
      assertThat(verdicts)
          .as("the eth0 ARP churn is recorded and ignored")
          .anyMatch(v -> !v.counts() && v.event().contains("dev eth0"));

      // etcd round trips, and the TTL of a key attached to a lease
      EtcdServer etcd = cluster.etcd();
      etcd.put(
          EtcdServer.keyOfSubnet("10.244.7.0/24"),
          UpstreamShapes.leaseValue(Backend.VXLAN, "192.168.100.17", "02:00:00:00:00:07"));
      assertThat(etcd.leases())
          .containsExactly(
              new PeerLease(
                  "10.244.7.0/24",
                  "192.168.100.17",
                  "vxlan",
                  "02:00:00:00:00:07",
                  UpstreamShapes.leaseValue(Backend.VXLAN, "192.168.100.17", "02:00:00:00:00:07")));
      assertThat(etcd.grantedTtl(EtcdServer.keyOfSubnet("10.244.7.0/24"))).isZero();
      String grant = etcd.etcdctl("lease", "grant", "600").stdout();
      String id = grant.split(" ")[1];
      assertThat(
              etcd.etcdctl("put", "--lease=" + id, EtcdServer.SUBNETS + "10.244.8.0-24", "not json")
                  .exit())
          .isZero();
      assertThat(etcd.grantedTtl(EtcdServer.SUBNETS + "10.244.8.0-24")).isEqualTo(600);
      assertThat(etcd.leases())
          .as("garbage is left out")
          .extracting(PeerLease::subnet)
          .containsExactly("10.244.7.0/24");
      etcd.delete(EtcdServer.keyOfSubnet("10.244.7.0/24"));
    }
    assertThat(Sh.run("ip", "netns", "list")).as("namespaces left behind").doesNotContain(suffix);
  }

  /**
   * The IPv6 side of the harness, again without the daemon: a dual-stack LAN, pods with both
   * families wired from a hand-written subnet.env, host-gw routes of both families programmed by
   * hand, both ping matrices, full-MTU pings with DF set (and one byte more failing, so {@code -M
   * do} really forbids fragmentation), IPv6 routes read back in upstream's shape, a hand-made IPv6
   * route write counted by the monitor while IPv6 neighbour discovery on eth0 is ignored,
   * upstream's dual-stack and IPv6-only etcd keys read back, and a teardown that leaves nothing
   * behind.
   */
  @Test
  void wiresDualStackPodsAndRecordsIpv6Writes() throws Exception {
    String suffix;
    try (Cluster cluster = Cluster.bareEtcd("harness-ds", 2, Stack.DUAL)) {
      suffix = cluster.suffix();
      Host h1 = cluster.host(1);
      Host h2 = cluster.host(2);
      for (Host h : cluster.hosts()) {
        String lease = "10.244." + h.index() + ".0/24";
        String lease6 = "fd10:0:0:" + h.index() + "::/64";
        Files.writeString(
            h.subnetFile(),
            UpstreamShapes.subnetEnv(Backend.HOST_GW, Stack.DUAL, lease, lease6, false));
        h.plugPod(h.lease());
      }
      assertThat(h1.lease().lease6()).isEqualTo("fd10:0:0:1::/64");
      assertThat(h1.podIp6()).isEqualTo("fd10:0:0:1::2");
      for (Host[] pair : new Host[][] {{h1, h2}, {h2, h1}}) {
        Host from = pair[0];
        Host to = pair[1];
        from.ns().ip("route", "add", to.lease().lease(), "via", to.publicIp(), "dev", "eth0");
        from.ns()
            .ip("-6", "route", "add", to.lease().lease6(), "via", to.publicIpv6(), "dev", "eth0");
      }
      PeerLease toH2 =
          new PeerLease(
              "10.244.2.0/24",
              h2.publicIp(),
              "host-gw",
              null,
              null,
              "fd10:0:0:2::/64",
              h2.publicIpv6(),
              null);
      assertThat(h1.kernel().overlayRoutes6(Stack.IPV6_NETWORK))
          .containsExactlyElementsOf(UpstreamShapes.flannelRoutes6(Backend.HOST_GW, List.of(toH2)));
      assertThat(h1.kernel().routes6()).contains(UpstreamShapes.cni0Route6(h1.lease()));
      cluster.assertPodsReachEachOther();
      for (Family f : Stack.DUAL.families()) {
        Pings.assertFullMtu(cluster.hosts(), f, Backend.UNDERLAY_MTU);
        Sh.Out tooBig =
            h1.podNs()
                .exec(
                    "ping",
                    f.pingFlag(),
                    "-n",
                    "-c",
                    "1",
                    "-W",
                    "1",
                    "-M",
                    "do",
                    "-s",
                    Integer.toString(Backend.UNDERLAY_MTU - f.headers() + 1),
                    f.podIp(h2));
        assertThat(tooBig.exit())
            .as("%s ping one byte over the MTU with DF set: %s", f, tooBig)
            .isNotZero();
      }

      List<String> events;
      try (KernelMonitor monitor = KernelMonitor.start(h1.ns());
          Background ping = Pings.startLong(h2, h1.podIp6(), "0.05", 20)) {
        await().atMost(Duration.ofSeconds(10)).until(() -> Pings.replies(ping) >= 3);
        h1.ns().ip("-6", "neigh", "flush", "dev", "eth0");
        h1.ns().ip("-6", "route", "add", "fd10:0:0:99::/64", "via", h2.publicIpv6(), "dev", "eth0");
        h1.ns().ip("-6", "route", "del", "fd10:0:0:99::/64");
        ping.awaitExit(Duration.ofSeconds(10));
        assertThat(Pings.stats(ping.lines()).received()).isEqualTo(20);
        events = monitor.stop();
      }
      List<FlannelEvents.Verdict> verdicts = FlannelEvents.classify(events);
      assertThat(
              verdicts.stream()
                  .filter(FlannelEvents.Verdict::counts)
                  .map(FlannelEvents.Verdict::event))
          .as("counted events of %s", verdicts)
          .containsExactly(
              "[ROUTE]fd10:0:0:99::/64 via fd00:100::12 dev eth0 metric 1024 pref medium",
              "[ROUTE]Deleted fd10:0:0:99::/64 via fd00:100::12 dev eth0 metric 1024 pref medium");

      EtcdServer etcd = cluster.etcd();
      etcd.put(
          EtcdServer.keyOf("10.244.7.0/24", "fd10:0:0:7::/64"),
          "{\"PublicIP\":\"192.168.100.17\"}");
      etcd.put(
          EtcdServer.keyOf(null, "fd10:0:0:8::/64"),
          "{\"PublicIP\":\"0.0.0.0\",\"PublicIPv6\":\"fd00:100::18\"}");
      assertThat(etcd.getPrefix(EtcdServer.SUBNETS).keySet())
          .containsExactly(
              EtcdServer.SUBNETS + "0.0.0.0-0&fd10:0:0:8::-64",
              EtcdServer.SUBNETS + "10.244.7.0-24&fd10:0:0:7::-64");
      assertThat(etcd.leases())
          .extracting(
              PeerLease::subnet, PeerLease::subnet6, PeerLease::publicIp, PeerLease::publicIpv6)
          .containsExactly(
              tuple(null, "fd10:0:0:8::/64", null, "fd00:100::18"),
              tuple("10.244.7.0/24", "fd10:0:0:7::/64", "192.168.100.17", null));
    }
    assertThat(Sh.run("ip", "netns", "list")).as("namespaces left behind").doesNotContain(suffix);
  }
}
