package io.jflannel.netlink;

import static io.jflannel.netlink.Golden.assertIdentical;
import static io.jflannel.netlink.Golden.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.netlink.wire.Rt;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Link requests compared with what iproute2 6.1.0 sent for the same command (captured with {@code
 * strace -f -e trace=sendmsg,sendto -e write=all -xx ip -n <ns> ...} in a throwaway namespace where
 * ext0p/ext0 = ifindex 2/3 and ext1 = 4). Our request is encoded with iproute2's sequence number.
 */
class LinkEncodingTest {
  private static final IntFunction<String> NAMES = i -> "if" + i;
  private static final int IFLA_EXT_MASK = 29; // linux/if_link.h

  @BeforeAll
  static void littleEndian() {
    Captured.assumeLittleEndian();
  }

  private static byte[] encode(Request r, byte[] golden) {
    return r.encode(Golden.seq(golden));
  }

  @Test
  void wireguardWithMtuIsWhatIproute2Sends() {
    // ip -n <ns> link add flannel-wg mtu 1420 type wireguard (sent; this kernel has no module)
    byte[] ip =
        Golden.message(
            "4c00000010000506 2d25166b00000000 0000000000000000 0000000000000000"
                + "080004008c050000 0f000300666c616e6e656c2d77670000"
                + "14001200 0d000100 776972656775617264000000");
    byte[] ours = encode(LinkCodec.createWireguard("flannel-wg", 1420), ip);
    // same values; iproute2 puts IFLA_MTU first and leaves out the NUL after the kind
    assertThat(parse(ours).render()).isEqualTo(parse(ip).withNulTerminatedKind().render());
    assertThat(ours).hasSameSizeAs(ip);
  }

  @Test
  void vxlanWithMtuMacLocalAndUnderlayHasIproute2sAttributesInAnotherOrder() {
    // ip -n <ns> link add flannel.1 mtu 1450 address 5e:aa:bb:cc:dd:01 type vxlan id 1
    //   local 192.168.50.2 dev ext0 dstport 8472 nolearning
    byte[] ip =
        Golden.message(
            "8000000010000506280d026b000000000000000000000000000000000000000008000400aa0500000a00"
                + "01005eaabbccdd0100000e000300666c616e6e656c2e310000003c0012000900010076786c616e0000"
                + "002c0002000800030003000000080001000100000008000400c0a8320205000700000000000600"
                + "0f0021180000");
    VxlanAttrs attrs = new VxlanAttrs(1, Ips.parse("192.168.50.2"), 3, 8472, false, false);
    byte[] ours =
        encode(
            LinkCodec.createVxlan(
                new VxlanSpec("flannel.1", attrs, 1450, MacAddress.parse("5e:aa:bb:cc:dd:01"))),
            ip);

    // Same header, flags (REQUEST|ACK|EXCL|CREATE) and attribute values, with two harmless
    // differences: the order (iproute2 puts IFLA_MTU and IFLA_ADDRESS before IFLA_IFNAME and
    // IFLA_VXLAN_LINK before IFLA_VXLAN_ID; the kernel indexes attributes by type) and the NUL
    // after the kind "vxlan", which iproute2 leaves out (see Golden.Msg#withNulTerminatedKind).
    assertThat(parse(ours).render()).isEqualTo(parse(ip).withNulTerminatedKind().render());
    assertThat(ours).hasSameSizeAs(ip);
    assertThat(parse(ip).attrTypes())
        .containsExactly(Rt.IFLA_MTU, Rt.IFLA_ADDRESS, Rt.IFLA_IFNAME, Rt.IFLA_LINKINFO);
    assertThat(parse(ours).attrTypes())
        .containsExactly(Rt.IFLA_IFNAME, Rt.IFLA_MTU, Rt.IFLA_ADDRESS, Rt.IFLA_LINKINFO);
  }

  @Test
  void vxlanWithLearningAndGbpHasIproute2sAttributesInAnotherOrder() {
    // ip -n <ns> link add vx7 type vxlan id 7 dstport 4789 learning gbp
    byte[] ip =
        Golden.message(
            "5800000010000506280d026b00000000000000000000000000000000000000000800030076783700300"
                + "012000900010076786c616e00000020000200040017000800010007000000050007000100000006"
                + "000f0012b50000");
    byte[] ours =
        encode(
            LinkCodec.createVxlan(
                new VxlanSpec("vx7", new VxlanAttrs(7, null, 0, 4789, true, true), 0, null)),
            ip);

    // iproute2 writes the IFLA_VXLAN_GBP flag first in IFLA_INFO_DATA, we write it last; and it
    // leaves out the NUL after the kind. Neither matters to the kernel.
    assertThat(parse(ours).render()).isEqualTo(parse(ip).withNulTerminatedKind().render());
    assertThat(ours).hasSameSizeAs(ip);
  }

  @Test
  void vxlanWithIpv6LocalMatchesIproute2InWireOrderButForTheKindsNul() {
    // ip -n <ns> link add vx6 type vxlan id 6 local fd00::2 dstport 8472 nolearning
    byte[] ip =
        Golden.message(
            "6800000010000506280d026b00000000000000000000000000000000000000000800030076783600400"
                + "012000900010076786c616e00000030000200080001000600000014001100fd0000000000000000"
                + "00000000000002050007000000000006000f0021180000");
    VxlanAttrs attrs = new VxlanAttrs(6, Ips.parse("fd00::2"), 0, 8472, false, false);

    byte[] ours = encode(LinkCodec.createVxlan(new VxlanSpec("vx6", attrs, 0, null)), ip);

    // Every field in the same order; only the kind is "vxlan\0" here and "vxlan" in iproute2's
    // (same padded size, so the lengths agree too).
    assertThat(parse(ours).renderInWireOrder())
        .isEqualTo(parse(ip).withNulTerminatedKind().renderInWireOrder());
    assertThat(ours).hasSameSizeAs(ip);
  }

  @Test
  void vethPairMatchesIproute2InWireOrderButForTheKindsNul() {
    // ip -n <ns> link add ext0 type veth peer name ext0p
    byte[] ip =
        Golden.message(
            "5c00000010000506230d026b0000000000000000000000000000000000000000090003006578743000"
                + "0000003000120008000100766574682400020020000100000000000000000000000000000000000a"
                + "0003006578743070000000");

    byte[] ours = encode(LinkCodec.createVeth("ext0", "ext0p", -1), ip);

    // Every field in the same order, the peer's ifinfomsg included; only the kind is "veth\0"
    // (4 bytes longer once padded, which the nested lengths and nlmsg_len reflect) where iproute2
    // sends "veth".
    assertThat(parse(ours).renderInWireOrder())
        .isEqualTo(parse(ip).withNulTerminatedKind().renderInWireOrder());
    assertThat(ours).hasSize(ip.length + 4);
  }

  @Test
  void vethPairWithPeerNamespaceFdHasIproute2sAttributesInAnotherOrder() {
    // ip -n <ns> link add ext1 type veth peer name ext1p netns <ns2>; iproute2 opened
    // /var/run/netns/<ns2> as fd 4, so we encode fd 4 too.
    byte[] ip =
        Golden.message(
            "6400000010000506230d026b0000000000000000000000000000000000000000090003006578743100"
                + "0000003800120008000100766574682c000200280001000000000000000000000000000000000008"
                + "001c00040000000a0003006578743170000000");
    byte[] ours = encode(LinkCodec.createVeth("ext1", "ext1p", 4), ip);

    // Inside VETH_INFO_PEER iproute2 writes IFLA_NET_NS_FD before IFLA_IFNAME (it parses the peer
    // arguments with the same code as the link's and adds the name last); we write the name first.
    // And the kind's NUL again. Neither matters to the kernel.
    assertThat(parse(ours).render()).isEqualTo(parse(ip).withNulTerminatedKind().render());
    assertThat(ours).hasSize(ip.length + 4);
  }

  @Test
  void setUpSetsIffUpInFlagsAndChangeLikeIproute2() {
    // ip -n <ns> link set ext0 up
    byte[] ip = Golden.message("2000000010000500280d026b0000000000000000030000000100000001000000");
    assertIdentical(encode(LinkCodec.setUp(3, true, NAMES), ip), ip);
  }

  @Test
  void setDownClearsIffUpWithIffUpInChangeLikeIproute2() {
    // ip -n <ns> link set ext0 down
    byte[] ip = Golden.message("2000000010000500280d026b0000000000000000030000000000000001000000");
    assertIdentical(encode(LinkCodec.setUp(3, false, NAMES), ip), ip);
  }

  @Test
  void setMtuIsByteForByteIproute2s() {
    // ip -n <ns> link set ext0 mtu 1400
    byte[] ip =
        Golden.message(
            "2800000010000500280d026b00000000000000000300000000000000000000000800040078050000");
    assertIdentical(encode(LinkCodec.setMtu(3, 1400, NAMES), ip), ip);
  }

  @Test
  void setMacIsByteForByteIproute2s() {
    // ip -n <ns> link set ext0 address 0e:00:00:00:00:01
    byte[] ip =
        Golden.message(
            "2c00000010000500290d026b00000000000000000300000000000000000000000a0001000e0000000001"
                + "0000");
    MacAddress mac = MacAddress.parse("0e:00:00:00:00:01");
    assertIdentical(encode(LinkCodec.setMac(3, mac, NAMES), ip), ip);
  }

  @Test
  void deleteIsByteForByteIproute2s() {
    // ip -n <ns> link del ext1
    byte[] ip = Golden.message("2000000011000500620d026b0000000000000000040000000000000000000000");
    assertIdentical(encode(LinkCodec.delete(4, NAMES), ip), ip);
  }

  @Test
  void getByIndexIsByteForByteIproute2s() {
    // ip -n <ns> link set ext0 address 0e:00:00:00:00:01 first reads link 3 with this request
    byte[] ip = Golden.message("2000000012000100280d026b0000000000000000030000000000000000000000");
    assertIdentical(encode(LinkCodec.getByIndex(3), ip), ip);
  }

  @Test
  void getByNameLacksOnlyIproute2sExtMask() {
    // ip -n <ns> addr add 192.168.50.2/24 dev ext0 first looks "ext0" up with this request
    byte[] ip =
        Golden.message(
            "3400000012000100270d026b000000000000000000000000000000000000000008001d000900000009"
                + "0003006578743000000000");
    byte[] ours = encode(LinkCodec.getByName("ext0"), ip);

    // iproute2 adds IFLA_EXT_MASK (29) = RTEXT_FILTER_VF|RTEXT_FILTER_SKIP_STATS to keep the reply
    // small; without it the kernel adds VF info and stats we ignore. Harmless.
    assertThat(parse(ip).attr(IFLA_EXT_MASK)).containsExactly(9, 0, 0, 0);
    assertThat(parse(ours).renderInWireOrder())
        .isEqualTo(parse(ip).withoutAttr(IFLA_EXT_MASK).renderInWireOrder());
  }

  @Test
  void dumpLacksOnlyIproute2sExtMask() {
    // ip -n <ns> addr show: its first request dumps the links
    byte[] ip =
        Golden.message(
            "2800000012000103400d026b000000000000000000000000000000000000000008001d0001000000");
    byte[] ours = encode(LinkCodec.dump(), ip);

    // iproute2 asks for IFLA_EXT_MASK = RTEXT_FILTER_VF; we do not read VF info. Harmless.
    assertThat(parse(ip).attr(IFLA_EXT_MASK)).containsExactly(1, 0, 0, 0);
    assertThat(parse(ours).renderInWireOrder())
        .isEqualTo(parse(ip).withoutAttr(IFLA_EXT_MASK).renderInWireOrder());
    assertThat(parse(ours).attrTypes()).isEqualTo(List.of());
  }
}
