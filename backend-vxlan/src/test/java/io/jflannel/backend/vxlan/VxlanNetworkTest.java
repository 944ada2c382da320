package io.jflannel.backend.vxlan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jflannel.backend.common.Change;
import io.jflannel.backend.common.NexthopIds;
import io.jflannel.backend.common.testing.FakeKernel;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.netlink.Address;
import io.jflannel.netlink.Errno;
import io.jflannel.netlink.FdbEntry;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Ips;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.MacAddress;
import io.jflannel.netlink.Neighbour;
import io.jflannel.netlink.Nexthop;
import io.jflannel.netlink.Route;
import io.jflannel.netlink.VxlanAttrs;
import io.jflannel.netlink.wire.Rt;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** vxlan's device and per-peer invariants on the in-memory kernel: no root needed. */
class VxlanNetworkTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONFIG =
      "{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"vxlan\"";

  private FakeKernel kernel;
  private Link eth0;
  private ExternalInterface iface;

  @BeforeEach
  void host() {
    kernel = new FakeKernel();
    eth0 = kernel.addLink("eth0", 1500);
    kernel.connect(eth0.index(), IpPrefix.parse("192.168.50.0/24"));
    Ip4 ip = Ip4.parse("192.168.50.2");
    iface = new ExternalInterface("eth0", eth0.index(), 1500, ip, null, ip, null);
  }

  private VxlanBackend backend(String options) throws Exception {
    NetworkConfig config = NetworkConfig.parse(CONFIG + options + "}}");
    return new VxlanBackend(config, VxlanOptions.parse(config.backend()), iface, kernel);
  }

  private VxlanNetwork network(String options) throws Exception {
    VxlanBackend b = backend(options);
    b.prepare(null);
    return (VxlanNetwork) b.register(OWN);
  }

  private VxlanNetwork network() throws Exception {
    return network("");
  }

  private static Lease lease(String subnet, String publicIp, String mac) {
    try {
      return new Lease(
          Ip4Net.parse(subnet),
          null,
          new LeaseAttrs(
              Ip4.parse(publicIp),
              null,
              "vxlan",
              JSON.readTree("{\"VNI\":1,\"VtepMAC\":\"" + mac + "\"}"),
              null),
          null,
          0);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static final Lease OWN = lease("10.244.1.0/24", "192.168.50.2", "0e:00:00:00:00:01");

  private int vx() {
    return kernel.findLink("flannel.1").orElseThrow().index();
  }

  /** Upstream's three objects for a peer: neighbour, FDB entry, onlink route. */
  private List<Object> objects(String subnetIp, String publicIp, String mac) {
    MacAddress m = MacAddress.parse(mac);
    return List.of(
        Neighbour.permanent(vx(), Ips.parse(subnetIp), m),
        FdbEntry.permanent(vx(), m, Ips.parse(publicIp)),
        Route.via(IpPrefix.parse(subnetIp + "/24"), Ips.parse(subnetIp), vx()).onlink());
  }

  private List<Object> stored() {
    List<Object> all = new java.util.ArrayList<>();
    all.addAll(kernel.storedNeighbours());
    all.addAll(kernel.storedFdb());
    all.addAll(kernel.storedRoutes());
    return all;
  }

  @Test
  void preparesTheDeviceAsUpstreamAndAdvertisesItsMac() throws Exception {
    LeaseAttrs attrs = backend("").prepare(null);
    Link dev = kernel.findLink("flannel.1").orElseThrow();
    assertThat(dev.vxlan())
        .isEqualTo(new VxlanAttrs(1, Ips.parse("192.168.50.2"), eth0.index(), 8472, false, false));
    assertThat(dev.mtu()).isEqualTo(1450);
    assertThat(attrs.toJson())
        .isEqualTo(
            "{\"PublicIP\":\"192.168.50.2\",\"PublicIPv6\":null,\"BackendType\":\"vxlan\","
                + "\"BackendData\":{\"VNI\":1,\"VtepMAC\":\""
                + dev.mac()
                + "\"}}");
  }

  @Test
  void thePreviousMacIsKeptWhateverTheFieldsLetterCaseAndAnIncompatibleDeviceIsRecreated()
      throws Exception {
    kernel.createVxlan(
        new io.jflannel.netlink.VxlanSpec(
            "flannel.1", new VxlanAttrs(1, null, 0, 4789, false, false), 1450, null));
    LeaseAttrs previous =
        new LeaseAttrs(
            null, null, "vxlan", JSON.readTree("{\"vtepmac\":\"0E:00:00:00:00:42\"}"), null);
    backend("").prepare(previous);
    Link dev = kernel.findLink("flannel.1").orElseThrow();
    assertThat(dev.vxlan().port()).isEqualTo(8472);
    assertThat(dev.mac()).isEqualTo(MacAddress.parse("0e:00:00:00:00:42"));
    assertThat(kernel.deviceOps()).contains("deleteLink flannel.1");
  }

  @Test
  void registerGivesTheDeviceItsAddressDropsStaleOnesOfTheNetworkAndBringsItUp() throws Exception {
    VxlanBackend b = backend("");
    b.prepare(null);
    kernel.replaceAddress(Address.of(vx(), IpPrefix.parse("10.244.9.0/32"))); // an old lease
    kernel.replaceAddress(Address.of(vx(), IpPrefix.parse("172.16.0.1/32"))); // not ours
    try (var n = b.register(OWN)) {
      assertThat(n.mtu()).isEqualTo(1450);
      assertThat(kernel.addresses(vx()))
          .extracting(Address::prefix)
          .containsExactlyInAnyOrder(
              IpPrefix.parse("10.244.1.0/32"), IpPrefix.parse("172.16.0.1/32"));
      assertThat(kernel.link(vx()).isUp()).isTrue();
    }
  }

  @Test
  void aLeaseAddedChangedAndRemovedIsExactlyOneNeighbourFdbEntryAndRoute() throws Exception {
    try (VxlanNetwork n = network()) {
      n.handle(
          List.of(
              new LeaseEvent.Added(lease("10.244.2.0/24", "192.168.50.3", "0e:00:00:00:00:02"))));
      assertThat(stored())
          .containsExactlyInAnyOrderElementsOf(
              objects("10.244.2.0", "192.168.50.3", "0e:00:00:00:00:02"));

      kernel.clearWrites(); // the peer's VTEP got a new MAC (a reboot)
      n.handle(
          List.of(
              new LeaseEvent.Added(lease("10.244.2.0/24", "192.168.50.3", "0e:00:00:00:00:22"))));
      assertThat(stored())
          .containsExactlyInAnyOrderElementsOf(
              objects("10.244.2.0", "192.168.50.3", "0e:00:00:00:00:22"));
      assertThat(kernel.writes())
          .as("the old FDB entry goes, the neighbour and FDB entry are replaced, the route stays")
          .containsExactlyInAnyOrder(
              Change.delete(
                  FdbEntry.permanent(
                      vx(), MacAddress.parse("0e:00:00:00:00:02"), Ips.parse("192.168.50.3"))),
              Change.replace(
                  Neighbour.permanent(
                      vx(), Ips.parse("10.244.2.0"), MacAddress.parse("0e:00:00:00:00:22"))),
              Change.replace(
                  FdbEntry.permanent(
                      vx(), MacAddress.parse("0e:00:00:00:00:22"), Ips.parse("192.168.50.3"))));

      n.handle(
          List.of(
              new LeaseEvent.Removed(lease("10.244.2.0/24", "192.168.50.3", "0e:00:00:00:00:22"))));
      assertThat(stored()).isEmpty();
    }
  }

  @Test
  void aRestartOverTheSameStateWritesNothing() throws Exception {
    List<Lease> peers =
        List.of(
            lease("10.244.2.0/24", "192.168.50.3", "0e:00:00:00:00:02"),
            lease("10.244.3.0/24", "192.168.50.4", "0e:00:00:00:00:03"));
    LeaseAttrs advertised;
    VxlanBackend first = backend("");
    advertised = first.prepare(null);
    try (var n = first.register(OWN)) {
      n.reconcile(peers);
    }
    kernel.clearWrites();
    VxlanBackend again = backend("");
    assertThat(again.prepare(advertised)).isEqualTo(advertised);
    try (var n = again.register(OWN)) {
      n.reconcile(peers);
    }
    assertThat(kernel.writes()).isEmpty();
    assertThat(kernel.deviceOps()).isEmpty();
  }

  @Test
  void reconcileRepairsDriftAndRemovesExactlyWhatIsStale() throws Exception {
    List<Lease> peers =
        List.of(
            lease("10.244.2.0/24", "192.168.50.3", "0e:00:00:00:00:02"),
            lease("10.244.3.0/24", "192.168.50.4", "0e:00:00:00:00:03"));
    try (VxlanNetwork n = network()) {
      n.reconcile(peers);
      int vx = vx();
      // left while we were down
      MacAddress gone = MacAddress.parse("0e:00:00:00:00:07");
      kernel.plant(Neighbour.permanent(vx, Ips.parse("10.244.7.0"), gone));
      kernel.plant(FdbEntry.permanent(vx, gone, Ips.parse("192.168.50.7")));
      kernel.plant(
          Route.via(IpPrefix.parse("10.244.7.0/24"), Ips.parse("10.244.7.0"), vx).onlink());
      // not ours: a learned neighbour, an IPv6 one, a route on another link, the link-local route
      Neighbour learned = new Neighbour(vx, Ips.parse("10.244.8.0"), gone, Rt.NUD_REACHABLE, 0);
      Neighbour v6 = Neighbour.permanent(vx, Ips.parse("fe80::7"), gone);
      Route elsewhere =
          Route.via(IpPrefix.parse("10.244.9.0/24"), Ips.parse("192.168.50.9"), eth0.index());
      Route linkLocal =
          new Route(
              IpPrefix.parse("fe80::/64"),
              null,
              vx,
              0,
              Rt.RT_SCOPE_UNIVERSE,
              Rt.RT_TABLE_MAIN,
              Rt.RTPROT_KERNEL,
              Rt.RTN_UNICAST,
              0,
              256,
              null);
      kernel.plant(learned);
      kernel.plant(v6);
      kernel.plant(elsewhere);
      kernel.plant(linkLocal);
      // drift of a live peer
      kernel.remove(
          Neighbour.permanent(vx, Ips.parse("10.244.2.0"), MacAddress.parse("0e:00:00:00:00:02")));
      kernel.plant(
          FdbEntry.permanent(
              vx, MacAddress.parse("0e:00:00:00:00:03"), Ips.parse("192.168.50.99")));

      kernel.clearWrites();
      n.reconcile(peers);
      assertThat(stored())
          .containsAll(objects("10.244.2.0", "192.168.50.3", "0e:00:00:00:00:02"))
          .containsAll(objects("10.244.3.0", "192.168.50.4", "0e:00:00:00:00:03"))
          .contains(learned, v6, elsewhere, linkLocal)
          .hasSize(10);
      assertThat(kernel.writes()).as("3 removals, 2 repairs").hasSize(5);

      kernel.clearWrites();
      n.reconcile(peers);
      assertThat(kernel.writes()).isEmpty();
    }
  }

  @Test
  void nexthopRoutesPutEachPeerBehindItsOwnNexthopObject() throws Exception {
    try (VxlanNetwork n = network(",\"NexthopRoutes\":true")) {
      Lease peer = lease("10.244.2.0/24", "192.168.50.3", "0e:00:00:00:00:02");
      n.handle(List.of(new LeaseEvent.Added(peer)));
      int id = NexthopIds.ID_BASE + 2;
      assertThat(kernel.storedNexthops())
          .containsExactly(Nexthop.via(id, Ips.parse("10.244.2.0"), vx(), true));
      assertThat(kernel.storedRoutes())
          .containsExactly(Route.nexthop(IpPrefix.parse("10.244.2.0/24"), id));
      kernel.clearWrites();
      n.reconcile(List.of(peer));
      assertThat(kernel.writes()).isEmpty();
      n.handle(List.of(new LeaseEvent.Removed(peer)));
      assertThat(stored()).isEmpty();
      assertThat(kernel.storedNexthops()).isEmpty();
    }
  }

  @Test
  void directRoutingRoutesPeersOnTheLinkDirectlyAndTheOthersThroughTheDevice() throws Exception {
    try (VxlanNetwork n = network(",\"DirectRouting\":true")) {
      Lease near = lease("10.244.2.0/24", "192.168.50.3", "0e:00:00:00:00:02");
      Lease far = lease("10.244.3.0/24", "10.200.0.4", "0e:00:00:00:00:03");
      n.reconcile(List.of(near, far));
      assertThat(stored())
          .containsExactlyInAnyOrderElementsOf(
              concat(
                  List.of(
                      Route.via(
                          IpPrefix.parse("10.244.2.0/24"),
                          Ips.parse("192.168.50.3"),
                          eth0.index())),
                  objects("10.244.3.0", "10.200.0.4", "0e:00:00:00:00:03")));
      kernel.clearWrites();
      n.reconcile(List.of(near, far));
      assertThat(kernel.writes()).isEmpty();
    }
  }

  private static List<Object> concat(List<?> a, List<?> b) {
    List<Object> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  @Test
  void aRefusedWriteFailsItsPeerAloneAndIsRetriedUntilItWorks() throws Exception {
    Lease bad = lease("10.244.3.0/24", "192.168.50.4", "0e:00:00:00:00:03");
    kernel.refuse(
        c -> c.object() instanceof FdbEntry f && f.dst().equals(Ips.parse("192.168.50.4")),
        Errno.EEXIST);
    kernel.refuse(
        c -> c.object() instanceof Neighbour x && x.ip().equals(Ips.parse("10.244.4.0")),
        Errno.ENETUNREACH);
    List<Lease> peers =
        List.of(
            lease("10.244.2.0/24", "192.168.50.3", "0e:00:00:00:00:02"),
            bad,
            lease("10.244.4.0/24", "192.168.50.5", "0e:00:00:00:00:04"));
    try (VxlanNetwork n = network()) {
      n.handle(peers.stream().map(l -> (LeaseEvent) new LeaseEvent.Added(l)).toList());
      assertThat(stored())
          .containsAll(objects("10.244.2.0", "192.168.50.3", "0e:00:00:00:00:02"))
          .hasSize(3 + 2 + 2);
      kernel.clearWrites();
      n.reconcile(peers);
      assertThat(kernel.writes()).as("only the two refused objects are tried again").hasSize(2);
      kernel.heal();
      n.reconcile(peers);
      assertThat(stored()).hasSize(9);
    }
  }

  @Test
  void aPeerWithUnusableDataIsSkippedAndTheOthersProgrammed() throws Exception {
    try (VxlanNetwork n = network()) {
      Lease garbage = lease("10.244.5.0/24", "192.168.50.5", "not-a-mac");
      Lease hostgw =
          new Lease(
              Ip4Net.parse("10.244.6.0/24"),
              null,
              new LeaseAttrs(Ip4.parse("192.168.50.6"), null, "host-gw", null, null),
              null,
              0);
      Lease good = lease("10.244.2.0/24", "192.168.50.3", "0e:00:00:00:00:02");
      n.handle(
          List.of(
              new LeaseEvent.Added(garbage),
              new LeaseEvent.Added(hostgw),
              new LeaseEvent.Added(good)));
      assertThat(stored())
          .containsExactlyInAnyOrderElementsOf(
              objects("10.244.2.0", "192.168.50.3", "0e:00:00:00:00:02"));
      assertThat(n.peerCount()).isEqualTo(1);
    }
  }
}
