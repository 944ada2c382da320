package io.jflannel.netlink;

import static io.jflannel.netlink.wire.Rt.NLA_F_NESTED;
import static io.jflannel.netlink.wire.Rt.NLM_F_ACK;
import static io.jflannel.netlink.wire.Rt.NLM_F_DUMP;

import io.jflannel.netlink.wire.Attrs;
import io.jflannel.netlink.wire.MessageBuilder;
import io.jflannel.netlink.wire.NlMessage;
import io.jflannel.netlink.wire.Rt;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes and decodes the kernel's {@code wireguard} generic-netlink family ({@code
 * include/uapi/linux/wireguard.h}, version 1): {@code WG_CMD_GET_DEVICE} (a dump) and {@code
 * WG_CMD_SET_DEVICE}, with the peers and their allowed IPs in nested arrays ({@code NLA_F_NESTED},
 * entries of type 0, as {@code wg} sends them). A set request with many peers is split into
 * messages of at most {@link #PEER_BYTES} bytes of peers each, every one naming the device and only
 * the first carrying the device's key and port, as {@code wg} splits them. Pure functions, no I/O.
 */
final class WireguardCodec {
  private WireguardCodec() {}

  static final String FAMILY = "wireguard";
  static final int VERSION = 1;
  static final int WG_CMD_GET_DEVICE = 0;
  static final int WG_CMD_SET_DEVICE = 1;

  static final int WGDEVICE_A_IFINDEX = 1;
  static final int WGDEVICE_A_IFNAME = 2;
  static final int WGDEVICE_A_PRIVATE_KEY = 3;
  static final int WGDEVICE_A_PUBLIC_KEY = 4;
  static final int WGDEVICE_A_FLAGS = 5;
  static final int WGDEVICE_A_LISTEN_PORT = 6;
  static final int WGDEVICE_A_FWMARK = 7;
  static final int WGDEVICE_A_PEERS = 8;

  static final int WGPEER_F_REMOVE_ME = 1;
  static final int WGPEER_F_REPLACE_ALLOWEDIPS = 2;
  static final int WGPEER_A_PUBLIC_KEY = 1;
  static final int WGPEER_A_PRESHARED_KEY = 2;
  static final int WGPEER_A_FLAGS = 3;
  static final int WGPEER_A_ENDPOINT = 4;
  static final int WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL = 5;
  static final int WGPEER_A_LAST_HANDSHAKE_TIME = 6;
  static final int WGPEER_A_RX_BYTES = 7;
  static final int WGPEER_A_TX_BYTES = 8;
  static final int WGPEER_A_ALLOWEDIPS = 9;

  static final int WGALLOWEDIP_A_FAMILY = 1;
  static final int WGALLOWEDIP_A_IPADDR = 2;
  static final int WGALLOWEDIP_A_CIDR_MASK = 3;

  /** Bytes of peer attributes per set message at most (a message stays under 8 KiB). */
  static final int PEER_BYTES = 7 * 1024;

  /** {@code WG_CMD_GET_DEVICE} of {@code ifname}: a dump request, as the kernel wants it. */
  static Request get(int family, String ifname) {
    return new Request(
        GenericNetlink.request(family, NLM_F_ACK | NLM_F_DUMP, WG_CMD_GET_DEVICE, VERSION)
            .attrString(WGDEVICE_A_IFNAME, ifname),
        "WG_CMD_GET_DEVICE " + ifname);
  }

  /**
   * The {@code WG_CMD_SET_DEVICE} messages that set {@code privateKey} (if not null), {@code
   * listenPort} (if above 0) and {@code peers}, in order: one message, or several when the peers do
   * not fit in {@link #PEER_BYTES}.
   */
  static List<Request> set(
      int family,
      String ifname,
      byte[] privateKey,
      int listenPort,
      List<WireguardPeerConfig> peers) {
    List<Request> out = new ArrayList<>();
    MessageBuilder m = setHeader(family, ifname);
    if (privateKey != null) {
      m.attr(WGDEVICE_A_PRIVATE_KEY, privateKey);
    }
    if (listenPort > 0) {
      m.attr(WGDEVICE_A_LISTEN_PORT, u16(listenPort));
    }
    int nest = -1;
    int used = 0;
    int inMessage = 0;
    for (WireguardPeerConfig p : peers) {
      int size = size(p);
      if (nest >= 0 && used + size > PEER_BYTES) {
        m.endNested(nest);
        out.add(describe(m, ifname, inMessage));
        m = setHeader(family, ifname);
        nest = -1;
        used = 0;
        inMessage = 0;
      }
      if (nest < 0) {
        nest = m.beginNested(WGDEVICE_A_PEERS | NLA_F_NESTED);
      }
      peer(m, p);
      used += size;
      inMessage++;
    }
    if (nest >= 0) {
      m.endNested(nest);
    }
    out.add(describe(m, ifname, inMessage));
    return out;
  }

  private static MessageBuilder setHeader(int family, String ifname) {
    return GenericNetlink.request(family, NLM_F_ACK, WG_CMD_SET_DEVICE, VERSION)
        .attrString(WGDEVICE_A_IFNAME, ifname);
  }

  private static Request describe(MessageBuilder m, String ifname, int peers) {
    return new Request(m, "WG_CMD_SET_DEVICE " + ifname + " (" + peers + " peer(s))");
  }

  /** The encoded size of one peer entry. */
  static int size(WireguardPeerConfig p) {
    int n = 4 + 36 + 8; // entry header, public key, flags
    if (p.remove()) {
      return n;
    }
    n += p.presharedKey() != null ? 36 : 0;
    n += p.endpoint() == null ? 0 : p.endpoint().getAddress() instanceof Inet4Address ? 20 : 32;
    n += p.keepalive() >= 0 ? 8 : 0;
    n += 4;
    for (IpPrefix a : p.allowedIps()) {
      n += 4 + 8 + (a.family() == Rt.AF_INET ? 8 : 20) + 8;
    }
    return n;
  }

  private static void peer(MessageBuilder m, WireguardPeerConfig p) {
    int entry = m.beginNested(NLA_F_NESTED);
    m.attr(WGPEER_A_PUBLIC_KEY, p.publicKey());
    if (p.remove()) {
      m.attrU32(WGPEER_A_FLAGS, WGPEER_F_REMOVE_ME);
      m.endNested(entry);
      return;
    }
    m.attrU32(WGPEER_A_FLAGS, WGPEER_F_REPLACE_ALLOWEDIPS);
    if (p.presharedKey() != null) {
      m.attr(WGPEER_A_PRESHARED_KEY, p.presharedKey());
    }
    if (p.endpoint() != null) {
      m.attr(WGPEER_A_ENDPOINT, sockaddr(p.endpoint()));
    }
    if (p.keepalive() >= 0) {
      m.attr(WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, u16(p.keepalive()));
    }
    int ips = m.beginNested(WGPEER_A_ALLOWEDIPS | NLA_F_NESTED);
    for (IpPrefix a : p.allowedIps()) {
      int e = m.beginNested(NLA_F_NESTED);
      m.attr(WGALLOWEDIP_A_FAMILY, u16(a.family()));
      m.attr(WGALLOWEDIP_A_IPADDR, a.address().getAddress());
      m.attrU8(WGALLOWEDIP_A_CIDR_MASK, a.length());
      m.endNested(e);
    }
    m.endNested(ips);
    m.endNested(entry);
  }

  private static byte[] u16(int v) {
    byte[] b = new byte[2];
    ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).putShort((short) v);
    return b;
  }

  /** {@code struct sockaddr_in} (16 bytes) or {@code struct sockaddr_in6} (28 bytes). */
  static byte[] sockaddr(InetSocketAddress a) {
    byte[] ip = a.getAddress().getAddress();
    boolean v4 = ip.length == 4;
    ByteBuffer b = ByteBuffer.allocate(v4 ? 16 : 28).order(ByteOrder.nativeOrder());
    b.putShort((short) (v4 ? Rt.AF_INET : Rt.AF_INET6));
    b.order(ByteOrder.BIG_ENDIAN).putShort((short) a.getPort());
    if (!v4) {
      b.putInt(0); // flowinfo
    }
    b.put(ip);
    return b.array(); // sin_zero / scope id stay 0
  }

  /** Reads a {@code sockaddr_in}/{@code sockaddr_in6}; null for {@code AF_UNSPEC} or short. */
  static InetSocketAddress endpoint(byte[] raw) {
    if (raw.length < 16) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
    int family = b.getShort(0) & 0xffff;
    int port = ((raw[2] & 0xff) << 8) | (raw[3] & 0xff);
    if (family == Rt.AF_INET) {
      return new InetSocketAddress(Ips.of(Arrays.copyOfRange(raw, 4, 8)), port);
    }
    if (family == Rt.AF_INET6 && raw.length >= 24) {
      return new InetSocketAddress(Ips.of(Arrays.copyOfRange(raw, 8, 24)), port);
    }
    return null;
  }

  /** Decodes one message of a {@code WG_CMD_GET_DEVICE} dump; {@link #merge} joins them. */
  static WireguardDeviceInfo decodeOne(NlMessage m) throws NetlinkParseException {
    Attrs a = m.attrs(GenericNetlink.GENL_HDRLEN);
    List<WireguardPeerInfo> peers = new ArrayList<>();
    if (a.has(WGDEVICE_A_PEERS)) {
      for (Attrs p : a.nested(WGDEVICE_A_PEERS).entries()) {
        merge(peers, peer(p));
      }
    }
    return new WireguardDeviceInfo(
        a.u32(WGDEVICE_A_IFINDEX, 0),
        a.has(WGDEVICE_A_IFNAME) ? a.string(WGDEVICE_A_IFNAME) : null,
        a.has(WGDEVICE_A_PRIVATE_KEY) ? a.bytes(WGDEVICE_A_PRIVATE_KEY) : null,
        a.has(WGDEVICE_A_PUBLIC_KEY) ? a.bytes(WGDEVICE_A_PUBLIC_KEY) : null,
        a.has(WGDEVICE_A_LISTEN_PORT) ? a.u16(WGDEVICE_A_LISTEN_PORT) : 0,
        a.u32(WGDEVICE_A_FWMARK, 0),
        peers);
  }

  /**
   * Joins the messages of one dump: the device's attributes come in the first, peers in all, and a
   * peer whose allowed IPs did not fit continues at the head of the next message under the same
   * public key.
   */
  static WireguardDeviceInfo merge(List<WireguardDeviceInfo> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("an empty dump");
    }
    WireguardDeviceInfo first = parts.get(0);
    List<WireguardPeerInfo> peers = new ArrayList<>();
    for (WireguardDeviceInfo d : parts) {
      for (WireguardPeerInfo p : d.peers()) {
        merge(peers, p);
      }
    }
    return new WireguardDeviceInfo(
        first.ifindex(),
        first.name(),
        first.privateKey(),
        first.publicKey(),
        first.listenPort(),
        first.fwmark(),
        peers);
  }

  private static void merge(List<WireguardPeerInfo> peers, WireguardPeerInfo p) {
    if (!peers.isEmpty()) {
      WireguardPeerInfo last = peers.get(peers.size() - 1);
      if (Arrays.equals(last.publicKey(), p.publicKey())) {
        List<IpPrefix> ips = new ArrayList<>(last.allowedIps());
        ips.addAll(p.allowedIps());
        peers.set(
            peers.size() - 1,
            new WireguardPeerInfo(
                last.publicKey(),
                last.presharedKey(),
                last.endpoint(),
                last.keepalive(),
                last.lastHandshakeSeconds(),
                last.rxBytes(),
                last.txBytes(),
                ips));
        return;
      }
    }
    peers.add(p);
  }

  private static WireguardPeerInfo peer(Attrs p) throws NetlinkParseException {
    List<IpPrefix> ips = new ArrayList<>();
    if (p.has(WGPEER_A_ALLOWEDIPS)) {
      for (Attrs e : p.nested(WGPEER_A_ALLOWEDIPS).entries()) {
        InetAddress ip = e.ip(WGALLOWEDIP_A_IPADDR);
        ips.add(new IpPrefix(ip, e.u8(WGALLOWEDIP_A_CIDR_MASK)));
      }
    }
    long handshake = 0;
    if (p.length(WGPEER_A_LAST_HANDSHAKE_TIME) >= 16) {
      handshake =
          ByteBuffer.wrap(p.bytes(WGPEER_A_LAST_HANDSHAKE_TIME))
              .order(ByteOrder.nativeOrder())
              .getLong(0);
    }
    return new WireguardPeerInfo(
        p.bytes(WGPEER_A_PUBLIC_KEY),
        p.has(WGPEER_A_PRESHARED_KEY) ? p.bytes(WGPEER_A_PRESHARED_KEY) : new byte[32],
        p.has(WGPEER_A_ENDPOINT) ? endpoint(p.bytes(WGPEER_A_ENDPOINT)) : null,
        p.has(WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL)
            ? p.u16(WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL)
            : 0,
        handshake,
        p.has(WGPEER_A_RX_BYTES) ? p.u64(WGPEER_A_RX_BYTES) : 0,
        p.has(WGPEER_A_TX_BYTES) ? p.u64(WGPEER_A_TX_BYTES) : 0,
        ips);
  }
}
