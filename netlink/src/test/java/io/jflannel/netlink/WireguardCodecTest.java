package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.netlink.wire.Attrs;
import io.jflannel.netlink.wire.NlMessage;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code wireguard} generic-netlink messages against golden bytes: the family look-up as {@code
 * wg} 1.0.20210914 sent it (captured with {@code strace -e write=all -xx wg set ...}), and the
 * device messages assembled by hand, field by field, from {@code include/uapi/linux/wireguard.h}
 * (the kernel without the module cannot answer {@code wg}, so nothing else could be captured here).
 */
class WireguardCodecTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final int FAMILY = 0x17;

  @BeforeAll
  static void littleEndian() {
    Captured.assumeLittleEndian();
  }

  /** Byte equality, shown as hex so a failure points at the differing field. */
  private static void assertSame(byte[] ours, byte[] golden) {
    assertThat(Golden.hex(ours)).isEqualTo(Golden.hex(golden));
  }

  private static byte[] key(int b) {
    byte[] k = new byte[32];
    Arrays.fill(k, (byte) b);
    return k;
  }

  private static String keyHex(int b) {
    return HEX.formatHex(key(b));
  }

  @Test
  void familyLookUpIsWhatWgSends() {
    byte[] wg =
        Golden.message(
            "24000000 1000 0500 9124166b 00000000" // nlmsghdr: len 36, nlctrl, REQUEST|ACK
                + "03 01 0000" // genlmsghdr: CTRL_CMD_GETFAMILY, version 1
                + "0e00 0200 776972656775617264000000"); // CTRL_ATTR_FAMILY_NAME "wireguard"
    assertSame(GenericNetlink.getFamily("wireguard").encode(Golden.seq(wg)), wg);
  }

  @Test
  void familyIdIsReadFromTheControllersReply() throws Exception {
    byte[] reply =
        Golden.message(
            "2c000000 1000 0000 01000000 00000000"
                + "01 02 0000" // CTRL_CMD_NEWFAMILY, version 2
                + "0e00 0200 776972656775617264000000" // CTRL_ATTR_FAMILY_NAME
                + "0600 0100 1700 0000"); // CTRL_ATTR_FAMILY_ID 0x17
    NlMessage m = NlMessage.split(ByteBuffer.wrap(reply).order(ByteOrder.nativeOrder())).get(0);
    assertThat(GenericNetlink.familyId(m)).isEqualTo(0x17);
  }

  @Test
  void getDeviceIsADumpNamingTheDevice() {
    byte[] want =
        Golden.message(
            "24000000 1700 0503 01000000 00000000" // family 0x17, REQUEST|ACK|DUMP
                + "00 01 0000" // WG_CMD_GET_DEVICE, version 1
                + "0f00 0200 666c616e6e656c2d776700 00"); // WGDEVICE_A_IFNAME "flannel-wg"
    assertSame(WireguardCodec.get(FAMILY, "flannel-wg").encode(1), want);
  }

  @Test
  void setDeviceWithKeyPortARemovalAndAPeer() {
    WireguardPeerConfig peer =
        new WireguardPeerConfig(
            key(0x33),
            false,
            key(0x44),
            new InetSocketAddress(Ips.parse("192.168.50.3"), 51820),
            25,
            List.of(IpPrefix.parse("10.244.2.0/24")));
    List<Request> rs =
        WireguardCodec.set(
            FAMILY,
            "flannel-wg",
            key(0x11),
            51820,
            List.of(WireguardPeerConfig.removal(key(0x22)), peer));
    byte[] want =
        Golden.message(
            "14010000 1700 0500 07000000 00000000" // len 276, REQUEST|ACK
                + "01 01 0000" // WG_CMD_SET_DEVICE, version 1
                + "0f00 0200 666c616e6e656c2d776700 00" // WGDEVICE_A_IFNAME
                + "2400 0300"
                + keyHex(0x11) // WGDEVICE_A_PRIVATE_KEY
                + "0600 0600 6cca 0000" // WGDEVICE_A_LISTEN_PORT 51820 (host order)
                + "c400 0880" // WGDEVICE_A_PEERS | NLA_F_NESTED, 196 bytes
                + "3000 0080" // entry 0
                + "2400 0100"
                + keyHex(0x22) // WGPEER_A_PUBLIC_KEY
                + "0800 0300 01000000" // WGPEER_A_FLAGS REMOVE_ME
                + "9000 0080" // entry 0, 144 bytes
                + "2400 0100"
                + keyHex(0x33) // WGPEER_A_PUBLIC_KEY
                + "0800 0300 02000000" // WGPEER_A_FLAGS REPLACE_ALLOWEDIPS
                + "2400 0200"
                + keyHex(0x44) // WGPEER_A_PRESHARED_KEY
                + "1400 0400 0200 ca6c c0a83203 0000000000000000" // WGPEER_A_ENDPOINT sockaddr_in
                + "0600 0500 1900 0000" // WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL 25
                + "2000 0980" // WGPEER_A_ALLOWEDIPS | NLA_F_NESTED
                + "1c00 0080" // entry 0
                + "0600 0100 0200 0000" // WGALLOWEDIP_A_FAMILY AF_INET
                + "0800 0200 0af40200" // WGALLOWEDIP_A_IPADDR 10.244.2.0
                + "0500 0300 18 000000"); // WGALLOWEDIP_A_CIDR_MASK 24
    assertThat(rs).hasSize(1);
    assertSame(rs.get(0).encode(7), want);
  }

  @Test
  void anIpv6EndpointIsASockaddrIn6() {
    byte[] sa = WireguardCodec.sockaddr(new InetSocketAddress(Ips.parse("fd00:50::3"), 51821));
    assertThat(HEX.formatHex(sa))
        .isEqualTo("0a00" + "ca6d" + "00000000" + "fd000050000000000000000000000003" + "00000000");
    assertThat(WireguardCodec.endpoint(sa))
        .isEqualTo(new InetSocketAddress(Ips.parse("fd00:50::3"), 51821));
  }

  @Test
  void manyPeersAreSplitAcrossMessagesTheFirstCarryingTheDevice() throws Exception {
    List<WireguardPeerConfig> peers = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      byte[] k = key(0x55);
      k[0] = (byte) i;
      k[1] = (byte) (i >> 8);
      peers.add(
          new WireguardPeerConfig(
              k,
              false,
              null,
              new InetSocketAddress(Ips.parse("192.168.0.1"), 51820),
              0,
              List.of(IpPrefix.parse("10.244." + (i % 250) + ".0/24"))));
    }
    List<Request> rs = WireguardCodec.set(FAMILY, "flannel-wg", key(0x11), 51820, peers);
    assertThat(rs.size()).isGreaterThan(10);
    int seen = 0;
    for (int i = 0; i < rs.size(); i++) {
      byte[] bytes = rs.get(i).encode(i + 1);
      assertThat(bytes.length).isLessThanOrEqualTo(8192);
      NlMessage m = NlMessage.split(ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder())).get(0);
      Attrs a = m.attrs(4);
      assertThat(a.string(WireguardCodec.WGDEVICE_A_IFNAME)).isEqualTo("flannel-wg");
      assertThat(a.has(WireguardCodec.WGDEVICE_A_PRIVATE_KEY)).isEqualTo(i == 0);
      for (Attrs p : a.nested(WireguardCodec.WGDEVICE_A_PEERS).entries()) {
        byte[] k = p.bytes(WireguardCodec.WGPEER_A_PUBLIC_KEY);
        assertThat((k[0] & 0xff) | (k[1] & 0xff) << 8).isEqualTo(seen++);
      }
    }
    assertThat(seen).isEqualTo(1000);
  }

  /** The kernel's reply, assembled with the uapi header's numbers (no codec code involved). */
  private static final class Reply {
    final ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);

    Reply() {
      b.putInt(0).putShort((short) FAMILY).putShort((short) 0x2).putInt(9).putInt(0); // MULTI
      b.put((byte) 0).put((byte) 1).putShort((short) 0);
    }

    Reply attr(int type, byte[] v) {
      b.putShort((short) (4 + v.length)).putShort((short) type).put(v);
      while (b.position() % 4 != 0) {
        b.put((byte) 0);
      }
      return this;
    }

    int open(int type) {
      int at = b.position();
      b.putShort((short) 0).putShort((short) (type | 0x8000));
      return at;
    }

    Reply close(int at) {
      b.putShort(at, (short) (b.position() - at));
      return this;
    }

    NlMessage message() throws Exception {
      b.putInt(0, b.position());
      ByteBuffer out = ByteBuffer.wrap(Arrays.copyOf(b.array(), b.position()));
      return NlMessage.split(out.order(ByteOrder.nativeOrder())).get(0);
    }
  }

  private static byte[] le(long v, int n) {
    ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    if (n == 2) {
      b.putShort((short) v);
    } else if (n == 4) {
      b.putInt((int) v);
    } else {
      b.putLong(v);
    }
    return b.array();
  }

  private static void allowed(Reply r, int family, String ip, int cidr) {
    int e = r.open(0);
    r.attr(1, le(family, 2)).attr(2, Ips.parse(ip).getAddress()).attr(3, new byte[] {(byte) cidr});
    r.close(e);
  }

  @Test
  void aDumpSplitInsideAPeerIsMergedBack() throws Exception {
    Reply first = new Reply();
    first
        .attr(1, le(5, 4))
        .attr(2, "flannel-wg\0".getBytes())
        .attr(3, key(0x11))
        .attr(4, key(0x12))
        .attr(6, le(51820, 2))
        .attr(7, le(0, 4));
    int peers = first.open(8);
    int p = first.open(0);
    first
        .attr(1, key(0x33))
        .attr(2, new byte[32])
        .attr(4, WireguardCodec.sockaddr(new InetSocketAddress(Ips.parse("192.168.50.3"), 51820)))
        .attr(5, le(25, 2));
    byte[] ts = new byte[16];
    System.arraycopy(le(1_700_000_000L, 8), 0, ts, 0, 8);
    first.attr(6, ts).attr(7, le(1000, 8)).attr(8, le(2000, 8)).attr(10, le(1, 4));
    int ips = first.open(9);
    allowed(first, 2, "10.244.2.0", 24);
    first.close(ips).close(p).close(peers);

    Reply second = new Reply();
    peers = second.open(8);
    p = second.open(0);
    second.attr(1, key(0x33));
    ips = second.open(9);
    allowed(second, 10, "fd00:2::", 64);
    second.close(ips).close(p);
    p = second.open(0);
    second.attr(1, key(0x34));
    second.close(p).close(peers);

    WireguardDeviceInfo d =
        WireguardCodec.merge(
            List.of(
                WireguardCodec.decodeOne(first.message()),
                WireguardCodec.decodeOne(second.message())));
    assertThat(d.ifindex()).isEqualTo(5);
    assertThat(d.name()).isEqualTo("flannel-wg");
    assertThat(d.privateKey()).isEqualTo(key(0x11));
    assertThat(d.publicKey()).isEqualTo(key(0x12));
    assertThat(d.listenPort()).isEqualTo(51820);
    assertThat(d.peers()).hasSize(2);
    WireguardPeerInfo a = d.peers().get(0);
    assertThat(a.publicKey()).isEqualTo(key(0x33));
    assertThat(a.endpoint()).isEqualTo(new InetSocketAddress(Ips.parse("192.168.50.3"), 51820));
    assertThat(a.keepalive()).isEqualTo(25);
    assertThat(a.lastHandshakeSeconds()).isEqualTo(1_700_000_000L);
    assertThat(a.rxBytes()).isEqualTo(1000);
    assertThat(a.txBytes()).isEqualTo(2000);
    assertThat(a.allowedIps())
        .containsExactly(IpPrefix.parse("10.244.2.0/24"), IpPrefix.parse("fd00:2::/64"));
    assertThat(d.peers().get(1).publicKey()).isEqualTo(key(0x34));
    assertThat(d.peers().get(1).endpoint()).isNull();
  }
}
