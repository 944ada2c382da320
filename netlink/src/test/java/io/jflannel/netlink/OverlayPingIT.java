package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.netlink.testing.RootOnly;
import io.jflannel.netlink.testing.Sh;
import io.jflannel.netlink.testing.TestNetns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two simulated hosts joined by a veth, each with {@code flannel.1} programmed only through the
 * binding exactly as flannel does (vxlan device, /32 address, then per peer: ARP, FDB, onlink
 * route): a ping crosses the overlay.
 */
@ExtendWith(RootOnly.class)
class OverlayPingIT {
  private record Host(TestNetns ns, Netlink nl, String underlay, String subnetIp, MacAddress mac) {}

  @Test
  void pingCrossesTheVxlanOverlayProgrammedThroughTheBinding() throws Exception {
    String sfx = TestNetns.suffix();
    try (TestNetns a = TestNetns.createNamed("jfl-ova-" + sfx);
        TestNetns b = TestNetns.createNamed("jfl-ovb-" + sfx);
        Netlink nla = Netlink.openInNamespace(a.name());
        Netlink nlb = Netlink.openInNamespace(b.name())) {
      nla.links().createVeth("eth0", "eth0", b.name()); // peer lands in b, also called eth0
      Host ha =
          new Host(a, nla, "192.168.77.1", "10.244.1.0", MacAddress.parse("5e:00:00:00:01:01"));
      Host hb =
          new Host(b, nlb, "192.168.77.2", "10.244.2.0", MacAddress.parse("5e:00:00:00:02:02"));
      int vxa = setUpHost(ha);
      int vxb = setUpHost(hb);
      addPeer(ha, vxa, hb);
      addPeer(hb, vxb, ha);

      Sh.Out ping =
          a.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "-I", "10.244.1.0", "10.244.2.0");

      assertThat(ping.exit()).as(ping.stdout() + ping.stderr()).isZero();
      assertThat(ping.stdout()).contains("3 received");
      assertThat(a.ip("route", "show", "dev", "flannel.1"))
          .contains("10.244.2.0/24 via 10.244.2.0 onlink");
      assertThat(a.exec("bridge", "fdb", "show", "dev", "flannel.1").stdout())
          .contains("5e:00:00:00:02:02 dst 192.168.77.2 self permanent");
      assertThat(a.ip("neigh", "show", "dev", "flannel.1"))
          .contains("10.244.2.0 lladdr 5e:00:00:00:02:02 PERMANENT");
    }
  }

  private static int setUpHost(Host h) throws Exception {
    Link eth = h.nl().links().get("eth0");
    h.nl().addresses().add(Address.of(eth.index(), IpPrefix.parse(h.underlay() + "/24")));
    h.nl().links().setUp(eth.index());
    VxlanAttrs attrs = new VxlanAttrs(1, Ips.parse(h.underlay()), eth.index(), 8472, false, false);
    Link vx = h.nl().links().createVxlan(new VxlanSpec("flannel.1", attrs, 1450, h.mac()));
    h.nl().addresses().replace(Address.of(vx.index(), IpPrefix.parse(h.subnetIp() + "/32")));
    h.nl().links().setUp(vx.index());
    return vx.index();
  }

  private static void addPeer(Host self, int vx, Host peer) throws Exception {
    IpPrefix subnet = IpPrefix.parse(peer.subnetIp() + "/24");
    self.nl().neighbours().replace(Neighbour.permanent(vx, subnet.address(), peer.mac()));
    self.nl().fdb().replace(FdbEntry.permanent(vx, peer.mac(), Ips.parse(peer.underlay())));
    self.nl().routes().replace(Route.via(subnet, subnet.address(), vx).onlink());
  }
}
