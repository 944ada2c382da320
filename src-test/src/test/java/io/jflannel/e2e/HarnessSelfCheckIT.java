package io.jflannel.e2e;

import static org.assertj.core.api.Assertions.assertThat;
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
}
