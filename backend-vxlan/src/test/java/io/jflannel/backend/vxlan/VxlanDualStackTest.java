package io.jflannel.backend.vxlan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jflannel.backend.common.NexthopIds;
import io.jflannel.backend.common.testing.FakeKernel;
import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.netlink.Address;
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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** vxlan over both families and IPv6 alone, on the in-memory kernel: no root needed. */
class VxlanDualStackTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DUAL =
      "{\"Network\":\"10.244.0.0/16\",\"EnableIPv6\":true,\"IPv6Network\":\"fd10::/56\","
          + "\"Backend\":{\"Type\":\"vxlan\"";
  private static final String V6_ONLY =
      "{\"EnableIPv4\":false,\"EnableIPv6\":true,\"IPv6Network\":\"fd10::/56\","
          + "\"Backend\":{\"Type\":\"vxlan\"";

  private FakeKernel kernel;
  private Link eth0;
  private ExternalInterface dual;
  private ExternalInterface v6only;

  @BeforeEach
  void host() {
    kernel = new FakeKernel();
    eth0 = kernel.addLink("eth0", 1500);
    Ip4 ip = Ip4.parse("192.168.50.2");
    Ip6 ip6 = Ip6.parse("fd00:50::2");
    dual = new ExternalInterface("eth0", eth0.index(), 1500, ip, ip6, ip, ip6);
    v6only = new ExternalInterface("eth0", eth0.index(), 1500, null, ip6, null, ip6);
  }

  private VxlanBackend backend(String config, ExternalInterface iface) throws Exception {
    NetworkConfig c = NetworkConfig.parse(config + "}}");
    return new VxlanBackend(c, VxlanOptions.parse(c.backend()), iface, kernel);
  }

  private static final Lease OWN = peer(1, "0e:00:00:00:00:01", "0e:00:00:00:06:01");

  /** A dual-stack peer n in upstream's attributes; a null MAC leaves that family's data out. */
  private static Lease peer(int n, String mac, String mac6) {
    try {
      return new Lease(
          Ip4Net.parse("10.244." + n + ".0/24"),
          Ip6Net.parse("fd10:0:0:" + n + "::/64"),
          new LeaseAttrs(
              Ip4.parse("192.168.50." + n),
              mac6 == null ? null : Ip6.parse("fd00:50::" + n),
              "vxlan",
              mac == null ? null : JSON.readTree("{\"VNI\":1,\"VtepMAC\":\"" + mac + "\"}"),
              mac6 == null ? null : JSON.readTree("{\"VNI\":1,\"VtepMAC\":\"" + mac6 + "\"}")),
          null,
          0);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static Lease v6peer(int n, String mac6) throws Exception {
    return new Lease(
        null,
        Ip6Net.parse("fd10:0:0:" + n + "::/64"),
        new LeaseAttrs(
            null,
            Ip6.parse("fd00:50::" + n),
            "vxlan",
            null,
            JSON.readTree("{\"VNI\":1,\"VtepMAC\":\"" + mac6 + "\"}")),
        null,
        0);
  }

  private int dev(String name) {
    return kernel.findLink(name).orElseThrow().index();
  }

  /**
   * Upstream's objects of one family of a peer: neighbour, FDB entry, onlink route; an IPv6 route
   * as the kernel keeps it, with the metric 1024 it gives a route written without one.
   */
  private List<Object> objects(String dev, String subnet, String publicIp, String mac) {
    MacAddress m = MacAddress.parse(mac);
    IpPrefix p = IpPrefix.parse(subnet);
    return List.of(
        Neighbour.permanent(dev(dev), p.address(), m),
        FdbEntry.permanent(dev(dev), m, Ips.parse(publicIp)),
        kept(Route.via(p, p.address(), dev(dev)).onlink()));
  }

  /** {@code r} as the kernel stores it: IPv6 routes get metric 1024 when written without one. */
  private static Route kept(Route r) {
    return r.family() == Rt.AF_INET6 ? r.withPriority(1024) : r;
  }

  /** The neighbours, FDB entries and routes flanneld wrote (not the kernel's own routes). */
  private List<Object> stored() {
    List<Object> all = new ArrayList<>();
    all.addAll(kernel.storedNeighbours());
    all.addAll(kernel.storedFdb());
    kernel.storedRoutes().stream().filter(r -> r.protocol() != Rt.RTPROT_KERNEL).forEach(all::add);
    return all;
  }

  @Test
  void dualStackMakesBothDevicesAsUpstreamAndAdvertisesBothInItsFormat() throws Exception {
    LeaseAttrs attrs = backend(DUAL, dual).prepare(null);
    Link v4 = kernel.findLink("flannel.1").orElseThrow();
    Link v6 = kernel.findLink("flannel-v6.1").orElseThrow();
    assertThat(v4.vxlan())
        .isEqualTo(new VxlanAttrs(1, Ips.parse("192.168.50.2"), eth0.index(), 8472, false, false));
    assertThat(v6.vxlan())
        .isEqualTo(new VxlanAttrs(1, Ips.parse("fd00:50::2"), eth0.index(), 8472, false, false));
    assertThat(v4.mtu()).isEqualTo(1450);
    assertThat(v6.mtu()).as("the outer IPv6 header is 20 bytes longer").isEqualTo(1430);
    assertThat(attrs.toJson())
        .isEqualTo(
            "{\"PublicIP\":\"192.168.50.2\",\"PublicIPv6\":\"fd00:50::2\",\"BackendType\":\"vxlan\","
                + "\"BackendData\":{\"VNI\":1,\"VtepMAC\":\""
                + v4.mac()
                + "\"},\"BackendV6Data\":{\"VNI\":1,\"VtepMAC\":\""
                + v6.mac()
                + "\"}}");
  }

  @Test
  void eachDeviceKeepsItsPreviousMacAndGetsItsHostAddress() throws Exception {
    LeaseAttrs previous = OWN.attrs();
    VxlanBackend b = backend(DUAL, dual);
    b.prepare(previous);
    assertThat(kernel.findLink("flannel.1").orElseThrow().mac())
        .isEqualTo(MacAddress.parse("0e:00:00:00:00:01"));
    assertThat(kernel.findLink("flannel-v6.1").orElseThrow().mac())
        .isEqualTo(MacAddress.parse("0e:00:00:00:06:01"));
    kernel.replaceAddress(Address.of(dev("flannel-v6.1"), IpPrefix.parse("fd10:0:0:9::/128")));
    try (var n = b.register(OWN)) {
      assertThat(n.mtu()).as("both tunnels carry a full-size pod packet").isEqualTo(1430);
      assertThat(kernel.addresses(dev("flannel-v6.1")))
          .extracting(Address::prefix)
          .containsExactly(IpPrefix.parse("fd10:0:0:1::/128"));
      assertThat(kernel.addresses(dev("flannel.1")))
          .extracting(Address::prefix)
          .containsExactly(IpPrefix.parse("10.244.1.0/32"));
    }
  }

  @Test
  void aDualStackPeerGetsUpstreamsObjectsOfBothFamiliesAndARestartWritesNothing() throws Exception {
    List<Lease> peers = List.of(peer(2, "0e:00:00:00:00:02", "0e:00:00:00:06:02"));
    VxlanBackend first = backend(DUAL, dual);
    LeaseAttrs advertised = first.prepare(null);
    try (var n = first.register(OWN)) {
      n.handle(List.of(new LeaseEvent.Added(peers.get(0))));
    }
    List<Object> want =
        new ArrayList<>(objects("flannel.1", "10.244.2.0/24", "192.168.50.2", "0e:00:00:00:00:02"));
    want.addAll(objects("flannel-v6.1", "fd10:0:0:2::/64", "fd00:50::2", "0e:00:00:00:06:02"));
    assertThat(stored()).containsExactlyInAnyOrderElementsOf(want);

    kernel.clearWrites();
    VxlanBackend again = backend(DUAL, dual);
    again.prepare(advertised);
    try (var n = again.register(OWN)) {
      n.reconcile(peers);
    }
    assertThat(kernel.writes()).isEmpty();
    assertThat(kernel.deviceOps()).isEmpty();
  }

  @Test
  void afterARestartTheFirstBatchOfEventsWritesOnlyWhatTheKernelLacks() throws Exception {
    Lease two = peer(2, "0e:00:00:00:00:02", "0e:00:00:00:06:02");
    Lease three = peer(3, "0e:00:00:00:00:03", "0e:00:00:00:06:03");
    VxlanBackend first = backend(DUAL, dual);
    LeaseAttrs advertised = first.prepare(null);
    try (var n = first.register(OWN)) {
      n.handle(List.of(new LeaseEvent.Added(two), new LeaseEvent.Added(three)));
    }
    int v6 = dev("flannel-v6.1");
    Route gone =
        Route.via(IpPrefix.parse("fd10:0:0:3::/64"), Ips.parse("fd10:0:0:3::"), v6).onlink();
    kernel.remove(gone); // lost while the daemon was down
    kernel.clearWrites();
    VxlanBackend again = backend(DUAL, dual);
    again.prepare(advertised);
    try (var n = again.register(OWN)) {
      n.handle(List.of(new LeaseEvent.Added(two), new LeaseEvent.Added(three)));
      assertThat(kernel.writes())
          .as("an IPv6 route replaced with itself is a kernel event: only the lost one is written")
          .containsExactly(io.jflannel.backend.common.Change.replace(gone));
      kernel.clearWrites();
      n.handle(List.of(new LeaseEvent.Added(peer(4, "0e:00:00:00:00:04", "0e:00:00:00:06:04"))));
      assertThat(kernel.writes()).as("a new peer after the first batch: all of it").hasSize(6);
    }
  }

  @Test
  void aPeerWithoutPublicIpv6IsProgrammedForIpv4Only() throws Exception {
    VxlanBackend b = backend(DUAL, dual);
    b.prepare(null);
    try (var n = b.register(OWN)) {
      n.handle(List.of(new LeaseEvent.Added(peer(3, "0e:00:00:00:00:03", null))));
      assertThat(stored())
          .containsExactlyInAnyOrderElementsOf(
              objects("flannel.1", "10.244.3.0/24", "192.168.50.3", "0e:00:00:00:00:03"));
    }
  }

  @Test
  void ipv6DriftIsRepairedStaleIpv6EntriesGoAndTheLinkLocalRouteStays() throws Exception {
    List<Lease> peers = List.of(peer(2, "0e:00:00:00:00:02", "0e:00:00:00:06:02"));
    VxlanBackend b = backend(DUAL, dual);
    b.prepare(null);
    try (var n = b.register(OWN)) {
      n.reconcile(peers);
      int v6 = dev("flannel-v6.1");
      Route linkLocal =
          new Route(
              IpPrefix.parse("fe80::/64"),
              null,
              v6,
              0,
              Rt.RT_SCOPE_UNIVERSE,
              Rt.RT_TABLE_MAIN,
              Rt.RTPROT_KERNEL,
              Rt.RTN_UNICAST,
              0,
              256,
              null);
      MacAddress gone = MacAddress.parse("0e:00:00:00:06:07");
      kernel.plant(linkLocal);
      kernel.plant(Neighbour.permanent(v6, Ips.parse("fd10:0:0:7::"), gone));
      kernel.plant(FdbEntry.permanent(v6, gone, Ips.parse("fd00:50::7")));
      kernel.plant(
          Route.via(IpPrefix.parse("fd10:0:0:7::/64"), Ips.parse("fd10:0:0:7::"), v6).onlink());
      kernel.remove(
          Route.via(IpPrefix.parse("fd10:0:0:2::/64"), Ips.parse("fd10:0:0:2::"), v6).onlink());
      kernel.clearWrites();
      n.reconcile(peers);
      assertThat(kernel.writes()).as("3 stale removals, 1 repair").hasSize(4);
      assertThat(kernel.storedRoutes())
          .as("the kernel's own routes (fe80::/64, the device's /128) stay")
          .contains(linkLocal)
          .anyMatch(r -> r.dst().equals(IpPrefix.parse("fd10:0:0:1::/128")))
          .contains(
              kept(
                  Route.via(IpPrefix.parse("fd10:0:0:2::/64"), Ips.parse("fd10:0:0:2::"), v6)
                      .onlink()));
      kernel.clearWrites();
      n.reconcile(peers);
      assertThat(kernel.writes())
          .as("IPv6 routes compare equal as the kernel keeps them")
          .isEmpty();
    }
  }

  @Test
  void ipv6OnlyMakesOnlyTheIpv6DeviceAndAdvertisesNoIpv4() throws Exception {
    VxlanBackend b = backend(V6_ONLY, v6only);
    LeaseAttrs attrs = b.prepare(null);
    assertThat(kernel.findLink("flannel.1")).isEmpty();
    Link v6 = kernel.findLink("flannel-v6.1").orElseThrow();
    assertThat(attrs.toJson())
        .isEqualTo(
            "{\"PublicIP\":\"0.0.0.0\",\"PublicIPv6\":\"fd00:50::2\",\"BackendType\":\"vxlan\","
                + "\"BackendV6Data\":{\"VNI\":1,\"VtepMAC\":\""
                + v6.mac()
                + "\"}}");
    Lease own = v6peer(1, v6.mac().toString());
    try (var n = b.register(own)) {
      assertThat(n.mtu()).isEqualTo(1430);
      n.handle(List.of(new LeaseEvent.Added(v6peer(4, "0e:00:00:00:06:04"))));
      assertThat(stored())
          .containsExactlyInAnyOrderElementsOf(
              objects("flannel-v6.1", "fd10:0:0:4::/64", "fd00:50::4", "0e:00:00:00:06:04"));
    }
  }

  @Test
  void ipv6NexthopIdsArePositionsInTheIpv6Network() throws Exception {
    VxlanBackend b = backend(DUAL + ",\"NexthopRoutes\":true", dual);
    b.prepare(null);
    try (var n = b.register(OWN)) {
      n.handle(List.of(new LeaseEvent.Added(peer(5, "0e:00:00:00:00:05", "0e:00:00:00:06:05"))));
      assertThat(kernel.storedNexthops())
          .extracting(Nexthop::id)
          .containsExactlyInAnyOrder(NexthopIds.ID_BASE + 5, NexthopIds.ID_BASE + (1 << 23) + 5);
      assertThat(kernel.storedNexthops())
          .contains(
              Nexthop.via(
                  NexthopIds.ID_BASE + (1 << 23) + 5,
                  Ips.parse("fd10:0:0:5::"),
                  dev("flannel-v6.1"),
                  true));
    }
  }

  @Test
  void aFamilyWithoutAnAddressOnTheInterfaceIsOneLineNamingTheFix() {
    ExternalInterface v4only =
        new ExternalInterface(
            "eth0",
            eth0.index(),
            1500,
            Ip4.parse("192.168.50.2"),
            null,
            Ip4.parse("192.168.50.2"),
            null);
    assertThatThrownBy(() -> backend(DUAL, v4only).prepare(null))
        .isInstanceOf(BackendException.class)
        .hasMessage(
            "vxlan: eth0 has no IPv6 address, but the net config enables IPv6; give it one, pick"
                + " another interface (--iface, --public-ipv6), or set \"EnableIPv6\": false");
  }
}
