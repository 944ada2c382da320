package io.jflannel.backend.hostgw;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.backend.common.Change;
import io.jflannel.backend.common.NexthopIds;
import io.jflannel.backend.common.testing.FakeKernel;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.netlink.Errno;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Ips;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.Nexthop;
import io.jflannel.netlink.Route;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** host-gw's per-peer invariants on the in-memory kernel: no root needed. */
class HostGwNetworkTest {
  private FakeKernel kernel;
  private Link eth0;
  private ExternalInterface iface;

  @BeforeEach
  void host() {
    kernel = new FakeKernel();
    eth0 = kernel.addLink("eth0", 1500);
    kernel.connect(eth0.index(), IpPrefix.parse("192.168.50.0/24"));
    kernel.connect(eth0.index(), IpPrefix.parse("fd00:50::/64"));
    Ip4 ip = Ip4.parse("192.168.50.2");
    Ip6 ip6 = Ip6.parse("fd00:50::2");
    iface = new ExternalInterface("eth0", eth0.index(), 1500, ip, ip6, ip, ip6);
  }

  private static final String V4 =
      "{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"host-gw\"";
  private static final String DUAL =
      "{\"Network\":\"10.244.0.0/16\",\"EnableIPv6\":true,\"IPv6Network\":\"fd10::/56\","
          + "\"Backend\":{\"Type\":\"host-gw\"";

  private HostGwNetwork network(String configText) throws Exception {
    NetworkConfig config = NetworkConfig.parse(configText);
    HostGwBackend b = new HostGwBackend(config, iface, kernel);
    b.prepare(null);
    return (HostGwNetwork) b.register(lease("10.244.1.0/24", "192.168.50.2"));
  }

  private HostGwNetwork network() throws Exception {
    return network(V4 + "}}");
  }

  private static Lease lease(String subnet, String publicIp) {
    return new Lease(
        Ip4Net.parse(subnet),
        null,
        new LeaseAttrs(Ip4.parse(publicIp), null, "host-gw", null, null),
        null,
        0);
  }

  private static Lease dual(int n) {
    return new Lease(
        Ip4Net.parse("10.244." + n + ".0/24"),
        Ip6Net.parse("fd10:0:0:" + n + "::/64"),
        new LeaseAttrs(
            Ip4.parse("192.168.50." + n), Ip6.parse("fd00:50::" + n), "host-gw", null, null),
        null,
        0);
  }

  private static Route route(String dst, String via, int link) {
    return Route.via(IpPrefix.parse(dst), Ips.parse(via), link);
  }

  private List<Route> routes() {
    return kernel.storedRoutes();
  }

  @Test
  void aLeaseAddedChangedAndRemovedIsOneRouteWrittenReplacedAndDeleted() throws Exception {
    try (HostGwNetwork n = network()) {
      n.handle(List.of(new LeaseEvent.Added(lease("10.244.2.0/24", "192.168.50.3"))));
      assertThat(routes()).containsExactly(route("10.244.2.0/24", "192.168.50.3", eth0.index()));
      assertThat(kernel.writes()).hasSize(1);

      kernel.clearWrites();
      n.handle(List.of(new LeaseEvent.Added(lease("10.244.2.0/24", "192.168.50.8"))));
      assertThat(routes()).containsExactly(route("10.244.2.0/24", "192.168.50.8", eth0.index()));
      assertThat(kernel.writes())
          .as("a changed gateway is one replace, no delete")
          .containsExactly(Change.replace(route("10.244.2.0/24", "192.168.50.8", eth0.index())));

      kernel.clearWrites();
      n.handle(List.of(new LeaseEvent.Removed(lease("10.244.2.0/24", "192.168.50.8"))));
      assertThat(routes()).isEmpty();
      assertThat(kernel.writes()).hasSize(1);
      assertThat(n.peerCount()).isZero();
    }
  }

  @Test
  void aRestartOverTheSameStateWritesNothing() throws Exception {
    List<Lease> peers =
        List.of(lease("10.244.2.0/24", "192.168.50.3"), lease("10.244.3.0/24", "192.168.50.4"));
    try (HostGwNetwork first = network()) {
      first.reconcile(peers);
    }
    assertThat(routes()).hasSize(2);
    kernel.clearWrites();
    try (HostGwNetwork again = network()) {
      again.reconcile(peers);
      again.reconcile(peers);
      assertThat(kernel.writes()).isEmpty();
      assertThat(again.writes()).isZero();
    }
  }

  @Test
  void reconcileRepairsDriftAndRemovesExactlyTheStaleRoutes() throws Exception {
    List<Lease> peers =
        List.of(lease("10.244.2.0/24", "192.168.50.3"), lease("10.244.3.0/24", "192.168.50.4"));
    Route notOurs1 = route("10.9.0.0/16", "192.168.50.9", eth0.index()); // outside the Network
    Route notOurs2 = Route.dev(IpPrefix.parse("10.244.9.0/24"), eth0.index()); // no gateway
    Route ownSubnet = route("10.244.1.0/24", "192.168.50.2", eth0.index());
    Route left = route("10.244.7.0/24", "192.168.50.7", eth0.index()); // a node that left
    kernel.plant(notOurs1);
    kernel.plant(notOurs2);
    kernel.plant(ownSubnet);
    kernel.plant(left);
    try (HostGwNetwork n = network()) {
      n.reconcile(peers);
      assertThat(routes())
          .containsExactlyInAnyOrder(
              notOurs1,
              notOurs2,
              ownSubnet,
              route("10.244.2.0/24", "192.168.50.3", eth0.index()),
              route("10.244.3.0/24", "192.168.50.4", eth0.index()));

      kernel.remove(route("10.244.2.0/24", "192.168.50.3", eth0.index())); // deleted by hand
      kernel.remove(route("10.244.3.0/24", "192.168.50.4", eth0.index()));
      kernel.plant(route("10.244.3.0/24", "192.168.50.99", eth0.index())); // changed by hand
      kernel.clearWrites();
      n.reconcile(peers);
      assertThat(routes())
          .contains(
              route("10.244.2.0/24", "192.168.50.3", eth0.index()),
              route("10.244.3.0/24", "192.168.50.4", eth0.index()))
          .doesNotContain(route("10.244.3.0/24", "192.168.50.99", eth0.index()));
      assertThat(kernel.writes()).as("exactly the two drifted routes").hasSize(2);
    }
  }

  @Test
  void nexthopRoutesPutEachPeerBehindItsOwnNexthopObject() throws Exception {
    try (HostGwNetwork n = network(V4 + ",\"NexthopRoutes\":true}}")) {
      Lease peer = lease("10.244.2.0/24", "192.168.50.3");
      n.handle(List.of(new LeaseEvent.Added(peer)));
      int id = NexthopIds.ID_BASE + 2;
      assertThat(kernel.storedNexthops())
          .containsExactly(Nexthop.via(id, Ips.parse("192.168.50.3"), eth0.index(), false));
      assertThat(routes()).containsExactly(Route.nexthop(IpPrefix.parse("10.244.2.0/24"), id));

      kernel.clearWrites();
      n.reconcile(List.of(peer));
      assertThat(kernel.writes()).as("the dumped nhid route matches the one written").isEmpty();

      n.handle(List.of(new LeaseEvent.Removed(peer)));
      assertThat(routes()).isEmpty();
      assertThat(kernel.storedNexthops()).isEmpty();
    }
  }

  @Test
  void withoutNexthopObjectsInTheKernelTheOptionFallsBackToPlainRoutes() throws Exception {
    kernel.hasNexthops(false);
    try (HostGwNetwork n = network(V4 + ",\"NexthopRoutes\":true}}")) {
      n.handle(List.of(new LeaseEvent.Added(lease("10.244.2.0/24", "192.168.50.3"))));
      assertThat(routes()).containsExactly(route("10.244.2.0/24", "192.168.50.3", eth0.index()));
    }
  }

  @Test
  void dualStackPeersGetARoutePerFamilyAndIpv6DriftIsRepaired() throws Exception {
    try (HostGwNetwork n = network(DUAL + "}}")) {
      n.reconcile(List.of(dual(3), dual(4)));
      Route v6 = route("fd10:0:0:3::/64", "fd00:50::3", eth0.index());
      assertThat(routes())
          .contains(route("10.244.3.0/24", "192.168.50.3", eth0.index()), v6.withPriority(1024))
          .hasSize(4);
      kernel.clearWrites();
      n.reconcile(List.of(dual(3), dual(4)));
      assertThat(kernel.writes())
          .as("an IPv6 route kept with the kernel's metric 1024 is the one written")
          .isEmpty();
      kernel.remove(v6);
      Route stale6 = route("fd10:0:0:9::/64", "fd00:50::9", eth0.index());
      kernel.plant(stale6);
      kernel.clearWrites();
      n.reconcile(List.of(dual(3), dual(4)));
      assertThat(routes())
          .contains(v6.withPriority(1024))
          .doesNotContain(stale6.withPriority(1024));
      assertThat(kernel.writes())
          .containsExactlyInAnyOrder(Change.replace(v6), Change.delete(stale6));
    }
  }

  @Test
  void ipv6NexthopIdsArePositionsInTheIpv6Network() throws Exception {
    try (HostGwNetwork n = network(DUAL + ",\"NexthopRoutes\":true}}")) {
      n.handle(List.of(new LeaseEvent.Added(dual(5))));
      assertThat(kernel.storedNexthops())
          .extracting(Nexthop::id)
          .containsExactlyInAnyOrder(NexthopIds.ID_BASE + 5, NexthopIds.ID_BASE + (1 << 23) + 5);
    }
  }

  @Test
  void aRefusedWriteFailsItsPeerAloneAndIsRetriedUntilItWorks() throws Exception {
    Route refused = route("10.244.3.0/24", "192.168.50.4", eth0.index());
    kernel.refuse(c -> c.object().equals(refused), Errno.EEXIST);
    List<Lease> peers =
        List.of(
            lease("10.244.2.0/24", "192.168.50.3"),
            lease("10.244.3.0/24", "192.168.50.4"),
            lease("10.244.4.0/24", "10.200.0.4"), // not on eth0's segment: ENETUNREACH
            lease("10.244.5.0/24", "192.168.50.6"));
    try (HostGwNetwork n = network()) {
      n.handle(peers.stream().map(l -> (LeaseEvent) new LeaseEvent.Added(l)).toList());
      assertThat(routes())
          .containsExactlyInAnyOrder(
              route("10.244.2.0/24", "192.168.50.3", eth0.index()),
              route("10.244.5.0/24", "192.168.50.6", eth0.index()));

      kernel.clearWrites();
      n.reconcile(peers);
      assertThat(kernel.writes())
          .as("the next reconcile tries exactly the two failed peers again")
          .containsExactlyInAnyOrder(
              Change.replace(refused),
              Change.replace(route("10.244.4.0/24", "10.200.0.4", eth0.index())));

      kernel.heal();
      n.reconcile(peers);
      assertThat(routes()).contains(refused).hasSize(3);
    }
  }

  @Test
  void leasesOfAnotherBackendAndTheOwnLeaseAreIgnored() throws Exception {
    Lease vxlan =
        new Lease(
            Ip4Net.parse("10.244.6.0/24"),
            null,
            new LeaseAttrs(Ip4.parse("192.168.50.6"), null, "vxlan", null, null),
            null,
            0);
    try (HostGwNetwork n = network()) {
      n.handle(
          List.of(
              new LeaseEvent.Added(vxlan),
              new LeaseEvent.Added(lease("10.244.1.0/24", "192.168.50.2"))));
      n.reconcile(List.of(vxlan, lease("10.244.1.0/24", "192.168.50.2")));
      assertThat(routes()).isEmpty();
      assertThat(kernel.writes()).isEmpty();
    }
  }

  @Test
  void aBatchLargeEnoughToReportProgressIsWrittenInSlicesWithTheSameResult() throws Exception {
    kernel.connect(eth0.index(), IpPrefix.parse("192.168.0.0/16"));
    List<LeaseEvent> events = new java.util.ArrayList<>();
    for (int k = 2; k < 6_002; k++) {
      String ab = (k >> 8) + "." + (k & 255);
      events.add(new LeaseEvent.Added(lease("10." + ab + ".0/24", "192.168." + ab)));
    }
    try (HostGwNetwork n =
        network("{\"Network\":\"10.0.0.0/8\",\"Backend\":{\"Type\":\"host-gw\"}}")) {
      n.handle(events);
      assertThat(kernel.storedRoutes()).hasSize(6_000);
      assertThat(n.writes()).isEqualTo(6_000);
      assertThat(n.peerCount()).isEqualTo(6_000);
      kernel.clearWrites();
      n.reconcile(events.stream().map(LeaseEvent::lease).toList());
      assertThat(kernel.writes()).isEmpty();
    }
  }

  @Test
  void closingReleasesTheKernelAndLeavesTheRoutes() throws Exception {
    HostGwNetwork n = network();
    n.handle(List.of(new LeaseEvent.Added(lease("10.244.2.0/24", "192.168.50.3"))));
    n.close();
    assertThat(kernel.closed()).isTrue();
    assertThat(routes()).hasSize(1);
  }
}
