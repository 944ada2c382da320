package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.netlink.testing.RootOnly;
import io.jflannel.netlink.testing.TestNetns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RootOnly.class)
class LinksIT {
  private TestNetns ns;
  private Netlink nl;

  @BeforeEach
  void setUp() throws Exception {
    ns = TestNetns.create("links");
    nl = Netlink.openInNamespace(ns.name());
  }

  @AfterEach
  void tearDown() {
    if (nl != null) {
      nl.close();
    }
    if (ns != null) {
      ns.close();
    }
  }

  @Test
  void listsLoopbackAndGetsItByNameAndIndex() throws Exception {
    assertThat(nl.links().list()).extracting(Link::name).containsExactly("lo");
    Link lo = nl.links().get("lo");
    assertThat(lo.index()).isEqualTo(1);
    assertThat(nl.links().get(1).name()).isEqualTo("lo");
  }

  @Test
  void missingLinkIsATypedNotFound() {
    assertThatThrownBy(() -> nl.links().get("nope0"))
        .isInstanceOf(LinkNotFoundException.class)
        .hasMessageContaining("RTM_GETLINK dev nope0 failed: No such device (ENODEV)");
    assertThatThrownBy(() -> nl.links().get(4242)).isInstanceOf(LinkNotFoundException.class);
  }

  @Test
  void listsTheLinksEnslavedToABridge() throws Exception {
    ns.ip("link", "add", "br9", "type", "bridge");
    ns.ip("link", "add", "p1", "type", "veth", "peer", "name", "p1x");
    ns.ip("link", "add", "p2", "type", "veth", "peer", "name", "p2x");
    ns.ip("link", "set", "p1", "master", "br9");
    ns.ip("link", "set", "p2", "master", "br9");
    int bridge = nl.links().get("br9").index();
    assertThat(nl.links().ports(bridge))
        .extracting(Link::name)
        .containsExactlyInAnyOrder("p1", "p2");
    assertThat(nl.links().ports(nl.links().get("p1").index())).isEmpty();
  }

  @Test
  void createsVethPairSetsStateMtuMacAndDeletes() throws Exception {
    nl.links().createVeth("ext0", "ext0p");
    Link ext = nl.links().get("ext0");
    Link peer = nl.links().get("ext0p");
    assertThat(ext.kind()).isEqualTo("veth");
    assertThat(ext.parentIndex()).isEqualTo(peer.index());

    nl.links().setMtu(ext.index(), 1400);
    nl.links().setMac(ext.index(), MacAddress.parse("0e:00:00:00:00:01"));
    nl.links().setUp(ext.index());
    Link after = nl.links().get(ext.index());
    assertThat(after.mtu()).isEqualTo(1400);
    assertThat(after.mac()).isEqualTo(MacAddress.parse("0e:00:00:00:00:01"));
    assertThat(after.isUp()).isTrue();
    assertThat(ns.ip("link", "show", "ext0"))
        .contains("mtu 1400")
        .contains("link/ether 0e:00:00:00:00:01")
        .contains("UP");

    nl.links().setDown(ext.index());
    assertThat(nl.links().get(ext.index()).isUp()).isFalse();

    nl.links().delete(ext.index());
    assertThat(nl.links().find("ext0")).isEmpty();
    assertThat(nl.links().find("ext0p")).isEmpty();
  }

  @Test
  void createsVethWithPeerInAnotherNamespace() throws Exception {
    try (TestNetns other = TestNetns.create("peer")) {
      nl.links().createVeth("ext0", "ext0p", other.name());
      assertThat(nl.links().find("ext0p")).isEmpty();
      assertThat(other.ip("link", "show", "ext0p")).contains("ext0p");
    }
  }

  @Test
  void createsVxlanAsFlannelDoesAndParsesItBack() throws Exception {
    nl.links().createVeth("ext0", "ext0p");
    Link ext = nl.links().get("ext0");
    nl.addresses().add(Address.of(ext.index(), IpPrefix.parse("192.168.50.2/24")));
    MacAddress mac = MacAddress.parse("5e:aa:bb:cc:dd:01");
    VxlanAttrs want = new VxlanAttrs(1, Ips.parse("192.168.50.2"), ext.index(), 8472, false, false);

    Link vx = nl.links().createVxlan(new VxlanSpec("flannel.1", want, 1450, mac));

    assertThat(vx.kind()).isEqualTo("vxlan");
    assertThat(vx.vxlan()).isEqualTo(want);
    assertThat(vx.mtu()).isEqualTo(1450);
    assertThat(vx.mac()).isEqualTo(mac);
    assertThat(ns.ip("-d", "link", "show", "flannel.1"))
        .contains("vxlan id 1 local 192.168.50.2 dev ext0")
        .contains("dstport 8472")
        .contains("nolearning")
        .contains("mtu 1450")
        .contains("link/ether 5e:aa:bb:cc:dd:01");
    assertThat(nl.links().list()).extracting(Link::name).contains("flannel.1");
  }

  @Test
  void createsVxlanWithLearningAndGbp() throws Exception {
    VxlanAttrs want = new VxlanAttrs(7, null, 0, 4789, true, true);
    Link vx = nl.links().createVxlan(new VxlanSpec("vx7", want, 0, null));
    assertThat(vx.vxlan()).isEqualTo(want);
    String shown = ns.ip("-d", "link", "show", "vx7");
    assertThat(shown).contains("vxlan id 7").contains("dstport 4789").contains("gbp");
    assertThat(shown).doesNotContain("nolearning");
  }

  @Test
  void creatingAnExistingLinkFailsWithEexist() throws Exception {
    VxlanAttrs attrs = new VxlanAttrs(1, null, 0, 8472, false, false);
    nl.links().createVxlan(new VxlanSpec("flannel.1", attrs, 0, null));
    assertThatThrownBy(() -> nl.links().createVxlan(new VxlanSpec("flannel.1", attrs, 0, null)))
        .isInstanceOfSatisfying(
            NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST))
        .hasMessageContaining("RTM_NEWLINK flannel.1 type vxlan id 1")
        .hasMessageContaining("File exists (EEXIST)");
  }
}
