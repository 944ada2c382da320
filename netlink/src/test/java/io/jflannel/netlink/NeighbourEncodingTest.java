package io.jflannel.netlink;

import static io.jflannel.netlink.Golden.assertIdentical;
import static io.jflannel.netlink.Golden.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.netlink.Golden.Msg;
import io.jflannel.netlink.wire.Rt;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Neighbour (ARP/NDP) and FDB requests compared with what iproute2 6.1.0 sent for the same command
 * (captured with {@code strace -f -e trace=sendmsg,sendto -e write=all -xx ip -n <ns> ...} and
 * {@code bridge -n <ns> ...}; ext0 = ifindex 3, flannel.1 = 5). ndmsg offsets: 0 family, 4 ifindex,
 * 8 state (u16), 10 flags, 11 type.
 */
class NeighbourEncodingTest {
  private static final IntFunction<String> NAMES = i -> "if" + i;
  private static final MacAddress PEER_MAC = MacAddress.parse("5e:aa:bb:cc:dd:02");

  @BeforeAll
  static void littleEndian() {
    Captured.assumeLittleEndian();
  }

  private static byte[] encode(Request r, byte[] golden) {
    return r.encode(Golden.seq(golden));
  }

  @Test
  void permanentArpReplaceIsIproute2s() {
    // ip -n <ns> neigh replace 10.244.2.0 lladdr 5e:aa:bb:cc:dd:02 dev flannel.1 nud permanent
    byte[] ip =
        Golden.message(
            "300000001c000505400d026b00000000020000000500000080000000080001000af402000a0002005eaa"
                + "bbccdd020000");
    Neighbour n = Neighbour.permanent(5, Ips.parse("10.244.2.0"), PEER_MAC);

    assertIdentical(encode(NeighbourCodec.replace(n, NAMES), ip), ip);
  }

  @Test
  void permanentNdpReplaceIsIproute2s() {
    // ip -n <ns> neigh replace fd00:1::9 lladdr 5e:aa:bb:cc:dd:09 dev ext0 nud permanent
    byte[] ip =
        Golden.message(
            "3c0000001c000505400d026b000000000a000000030000008000000014000100fd000001000000000000"
                + "0000000000090a0002005eaabbccdd090000");
    Neighbour n =
        Neighbour.permanent(3, Ips.parse("fd00:1::9"), MacAddress.parse("5e:aa:bb:cc:dd:09"));

    assertIdentical(encode(NeighbourCodec.replace(n, NAMES), ip), ip);
  }

  @Test
  void deleteWithoutLladdrIsIproute2s() {
    // ip -n <ns> neigh del 10.244.2.0 dev flannel.1   (iproute2's default state is permanent)
    byte[] ip =
        Golden.message("240000001d000500400d026b00000000020000000500000080000000080001000af40200");
    Neighbour n = new Neighbour(5, Ips.parse("10.244.2.0"), null, Rt.NUD_PERMANENT, 0);

    assertIdentical(encode(NeighbourCodec.delete(n, NAMES), ip), ip);
  }

  @Test
  void deleteOfAnEntryWithItsMacAddsOnlyNdaLladdr() {
    // ip -n <ns> neigh del 10.244.2.0 dev flannel.1
    byte[] ip =
        Golden.message("240000001d000500400d026b00000000020000000500000080000000080001000af40200");
    Neighbour n = Neighbour.permanent(5, Ips.parse("10.244.2.0"), PEER_MAC);
    Msg ours = parse(encode(NeighbourCodec.delete(n, NAMES), ip));

    // Deleting the Neighbour we added also sends its NDA_LLADDR; neigh_delete reads only NDA_DST.
    assertThat(ours.attr(Rt.NDA_LLADDR)).isEqualTo(PEER_MAC.bytes());
    assertThat(ours.withoutAttr(Rt.NDA_LLADDR).renderInWireOrder())
        .isEqualTo(parse(ip).renderInWireOrder());
  }

  @Test
  void dumpOfEveryFamilyIsIproute2s() {
    // ip -n <ns> neigh show, its RTM_GETNEIGH request; iproute2 passed sizeof(req) = 284 bytes to
    // sendto, the kernel reads nlmsg_len = 28. (Neighbours.list dumps AF_INET and AF_INET6 one
    // after the other instead; same header otherwise.)
    byte[] ip =
        Golden.message(
            "1c0000001e000103410d026b00000000000000000000000000000000" + "00".repeat(256));
    assertIdentical(encode(NeighbourCodec.dump(Rt.AF_UNSPEC), ip), ip);
  }

  @Test
  void fdbAppendDiffersFromIproute2OnlyInLeavingOutNudNoarp() {
    // bridge -n <ns> fdb append 5e:aa:bb:cc:dd:02 dev flannel.1 dst 192.168.50.3 self permanent
    byte[] ip =
        Golden.message(
            "300000001c00050c400d026b000000000700000005000000c00002000a0002005eaabbccdd0200000800"
                + "0100c0a83203");
    FdbEntry f = FdbEntry.permanent(5, PEER_MAC, Ips.parse("192.168.50.3"));

    assertFdbLikeIproute2(encode(NeighbourCodec.fdbAppend(f, NAMES), ip), ip);
  }

  @Test
  void fdbReplaceDiffersFromIproute2OnlyInLeavingOutNudNoarp() {
    // bridge -n <ns> fdb replace 5e:aa:bb:cc:dd:03 dev flannel.1 dst 192.168.50.4 self permanent
    byte[] ip =
        Golden.message(
            "300000001c000505400d026b000000000700000005000000c00002000a0002005eaabbccdd0300000800"
                + "0100c0a83204");
    FdbEntry f =
        FdbEntry.permanent(5, MacAddress.parse("5e:aa:bb:cc:dd:03"), Ips.parse("192.168.50.4"));

    assertFdbLikeIproute2(encode(NeighbourCodec.fdbReplace(f, NAMES), ip), ip);
  }

  @Test
  void fdbDeleteDiffersFromIproute2OnlyInLeavingOutNudNoarp() {
    // bridge -n <ns> fdb del 5e:aa:bb:cc:dd:03 dev flannel.1 dst 192.168.50.4 self
    byte[] ip =
        Golden.message(
            "300000001d000500400d026b000000000700000005000000c00002000a0002005eaabbccdd0300000800"
                + "0100c0a83204");
    FdbEntry f =
        FdbEntry.permanent(5, MacAddress.parse("5e:aa:bb:cc:dd:03"), Ips.parse("192.168.50.4"));

    assertFdbLikeIproute2(encode(NeighbourCodec.fdbDelete(f, NAMES), ip), ip);
  }

  /**
   * AF_BRIDGE, NTF_SELF, NDA_LLADDR then NDA_DST, all as iproute2 has them. The one difference:
   * bridge(8) starts from ndm_state = NUD_NOARP and ORs NUD_PERMANENT in (0xc0); we send
   * NUD_PERMANENT alone (0x80), as vishvananda/netlink does for flannel. The vxlan driver needs
   * PERMANENT or REACHABLE on add and ignores the state on delete; `bridge fdb show` prints
   * "permanent" for both. Harmless.
   */
  private static void assertFdbLikeIproute2(byte[] ours, byte[] ip) {
    Msg iproute2 = parse(ip);
    Msg we = parse(ours);
    assertThat(iproute2.headerU16(8)).isEqualTo(Rt.NUD_NOARP | Rt.NUD_PERMANENT);
    assertThat(we.headerU16(8)).isEqualTo(Rt.NUD_PERMANENT);
    assertThat(we.headerByte(0)).isEqualTo(Rt.AF_BRIDGE);
    assertThat(we.headerByte(10)).isEqualTo(Rt.NTF_SELF);
    assertThat(we.renderInWireOrder())
        .isEqualTo(iproute2.withHeaderU16(8, Rt.NUD_PERMANENT).renderInWireOrder());
  }

  @Test
  void fdbDumpIsIproute2s() {
    // bridge -n <ns> fdb show, its AF_BRIDGE RTM_GETNEIGH request (sizeof(req) = 284 sent)
    byte[] ip =
        Golden.message(
            "1c0000001e000103410d026b00000000070000000000000000000000" + "00".repeat(256));
    assertIdentical(encode(NeighbourCodec.dump(Rt.AF_BRIDGE), ip), ip);
  }
}
