package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.netlink.wire.NlMessage;
import io.jflannel.netlink.wire.Rt;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link LinkCodec#decode} on the kernel's real {@code RTM_NEWLINK} replies: {@code
 * captured/link-dump.hex} ({@code ip -d link show}) and {@code captured/link-get.hex}.
 */
class LinkDecodingTest {
  // ifi_flags as the kernel reported them
  private static final int LOOPBACK_UP = 0x10049; // UP|LOOPBACK|RUNNING|LOWER_UP
  private static final int ETHER_UP = 0x11043; // UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP
  private static final int ETHER_DOWN = 0x1002; // BROADCAST|MULTICAST

  private static final Link LO =
      new Link(1, "lo", "", LOOPBACK_UP, 65536, MacAddress.of(new byte[6]), 0, null);
  private static final Link EXT0P =
      new Link(2, "ext0p", "veth", ETHER_UP, 1500, mac("1e:2d:27:cc:61:7c"), 3, null);
  private static final Link EXT0 =
      new Link(3, "ext0", "veth", ETHER_UP, 1500, mac("0e:00:00:00:00:01"), 2, null);
  // its peer (ifindex 2) lives in another namespace; IFLA_LINK still names it
  private static final Link EXT1 =
      new Link(4, "ext1", "veth", ETHER_DOWN, 1500, mac("22:26:e1:7b:c5:0a"), 2, null);
  private static final Link FLANNEL_1 =
      new Link(
          5,
          "flannel.1",
          "vxlan",
          ETHER_UP,
          1450,
          mac("5e:aa:bb:cc:dd:01"),
          0,
          new VxlanAttrs(1, Ips.parse("192.168.50.2"), 3, 8472, false, false));
  private static final Link VX7 =
      new Link(
          6,
          "vx7",
          "vxlan",
          ETHER_DOWN,
          1500,
          mac("c6:44:27:f5:a6:b7"),
          0,
          new VxlanAttrs(7, null, 0, 4789, true, true));
  private static final Link VX6 =
      new Link(
          7,
          "vx6",
          "vxlan",
          ETHER_DOWN,
          1500,
          mac("de:b2:23:c7:da:ae"),
          0,
          new VxlanAttrs(6, Ips.parse("fd00::2"), 0, 8472, false, false));

  @BeforeAll
  static void littleEndian() {
    Captured.assumeLittleEndian();
  }

  private static MacAddress mac(String s) {
    return MacAddress.parse(s);
  }

  private static List<Link> decodeAll(String file) throws NetlinkParseException {
    List<Link> out = new ArrayList<>();
    for (NlMessage m : Captured.messages(file, Rt.RTM_NEWLINK)) {
      out.add(LinkCodec.decode(m));
    }
    return out;
  }

  @Test
  void dumpDecodesToEveryLinkOfTheNamespace() throws Exception {
    assertThat(decodeAll("link-dump.hex"))
        .containsExactly(LO, EXT0P, EXT0, EXT1, FLANNEL_1, VX7, VX6);
  }

  @Test
  void dumpIsOneDatagramOfMultipartMessagesEndedByDone() throws Exception {
    List<NlMessage> ms = Captured.messages("link-dump.hex");
    assertThat(ms).extracting(NlMessage::type).endsWith(Rt.NLMSG_DONE).hasSize(8);
    assertThat(ms).allSatisfy(m -> assertThat(m.flags() & Rt.NLM_F_MULTI).isNotZero());
    assertThat(ms).extracting(NlMessage::seq).containsOnly(ms.get(0).seq());
  }

  @Test
  void vxlanAttributesOfFlannelsDeviceParseBack() throws Exception {
    Link vx = LinkCodec.decode(Captured.only(Captured.datagram("link-get.hex", "datagram-1")));

    assertThat(vx).isEqualTo(FLANNEL_1);
    VxlanAttrs a = vx.vxlan();
    assertThat(a.vni()).isEqualTo(1);
    assertThat(a.local()).isEqualTo(Ips.parse("192.168.50.2"));
    assertThat(a.underlayIndex()).isEqualTo(EXT0.index());
    assertThat(a.port()).isEqualTo(8472);
    assertThat(a.learning()).isFalse();
    assertThat(a.gbp()).isFalse();
    assertThat(a).hasToString("vxlan id 1 local 192.168.50.2 dev #3 dstport 8472 nolearning");
  }

  @Test
  void vxlanWithLearningAndGbpAndOneWithAnIpv6LocalParseBack() throws Exception {
    List<Link> links = decodeAll("link-dump.hex");
    assertThat(links.get(5).vxlan()).isEqualTo(new VxlanAttrs(7, null, 0, 4789, true, true));
    assertThat(links.get(6).vxlan().local()).isEqualTo(Ips.parse("fd00::2"));
    assertThat(links.get(6).vxlan())
        .hasToString("vxlan id 6 local fd00::2 dstport 8472 nolearning");
  }

  @Test
  void upAndLowerUpFollowTheFlags() throws Exception {
    List<Link> links = decodeAll("link-dump.hex");
    assertThat(links)
        .filteredOn(Link::isUp)
        .extracting(Link::name)
        .containsExactly("lo", "ext0p", "ext0", "flannel.1");
    assertThat(links)
        .filteredOn(l -> Links.lowerUp(l.flags()))
        .extracting(Link::name)
        .containsExactly("lo", "ext0p", "ext0", "flannel.1");
  }
}
