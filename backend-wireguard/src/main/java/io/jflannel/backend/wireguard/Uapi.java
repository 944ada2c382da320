package io.jflannel.backend.wireguard;

import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Ips;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * WireGuard's cross-platform userspace API, the text protocol wireguard-go serves on {@code
 * /var/run/wireguard/<dev>.sock}: {@code get=1} answered by {@code key=value} lines, {@code set=1}
 * followed by {@code key=value} lines; both end with an empty line, and every answer with {@code
 * errno=N}. Keys are lower-case hex.
 *
 * <p>Pure text in and out, so the encoding is unit-tested without a socket. Stateless.
 */
final class Uapi {
  private Uapi() {}

  /** The request that reads a device. */
  static final String GET = "get=1\n\n";

  /** The {@code set=1} request for {@code u}. */
  static String set(WgUpdate u) {
    StringBuilder b = new StringBuilder(64 + 256 * (u.upserts().size() + u.removals().size()));
    b.append("set=1\n");
    if (u.privateKey() != null) {
      b.append("private_key=").append(u.privateKey().hex()).append('\n');
    }
    if (u.listenPort() != 0) {
      b.append("listen_port=").append(u.listenPort()).append('\n');
    }
    for (WgKey k : u.removals()) {
      b.append("public_key=").append(k.hex()).append("\nremove=true\n");
    }
    for (WgPeer p : u.upserts()) {
      b.append("public_key=").append(p.publicKey().hex()).append('\n');
      b.append("preshared_key=")
          .append(p.presharedKey() == null ? ZERO_KEY : p.presharedKey().hex())
          .append('\n');
      if (p.endpoint() != null) {
        b.append("endpoint=").append(p.endpointText()).append('\n');
      }
      b.append("persistent_keepalive_interval=").append(p.keepalive()).append('\n');
      b.append("replace_allowed_ips=true\n");
      for (IpPrefix a : p.allowedIps()) {
        b.append("allowed_ip=").append(a).append('\n');
      }
    }
    return b.append('\n').toString();
  }

  private static final String ZERO_KEY = "0".repeat(64);

  /**
   * The {@code errno} of an answer: 0 for success.
   *
   * @throws IllegalArgumentException if the answer has no {@code errno} line
   */
  static int errno(String answer) {
    for (String line : answer.split("\n")) {
      if (line.startsWith("errno=")) {
        return Integer.parseInt(line.substring(6).strip());
      }
    }
    throw new IllegalArgumentException("answer without errno: " + abbreviate(answer));
  }

  /**
   * Reads the answer to {@link #GET}.
   *
   * @throws IllegalArgumentException if a line is malformed or the answer is an error
   */
  static WgState parseGet(String answer) {
    WgKey privateKey = null;
    int port = 0;
    int handshaken = 0;
    List<WgPeer> peers = new ArrayList<>();
    PeerBuilder peer = null;
    for (String line : answer.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("UAPI line without '=': " + line);
      }
      String key = line.substring(0, eq);
      String value = line.substring(eq + 1);
      switch (key) {
        case "private_key" -> privateKey = WgKey.parseHex(value);
        case "listen_port" -> port = Integer.parseInt(value);
        case "public_key" -> {
          if (peer != null) {
            peers.add(peer.build());
            handshaken += peer.handshake ? 1 : 0;
          }
          peer = new PeerBuilder(WgKey.parseHex(value));
        }
        case "errno" -> {
          if (!value.equals("0")) {
            throw new IllegalArgumentException("get failed with errno " + value);
          }
        }
        default -> {
          if (peer != null) {
            peer.set(key, value);
          }
        }
      }
    }
    if (peer != null) {
      peers.add(peer.build());
      handshaken += peer.handshake ? 1 : 0;
    }
    return new WgState(privateKey, port, peers, handshaken);
  }

  /** {@code 192.0.2.1:51820} or {@code [2001:db8::1]:51820}. */
  static InetSocketAddress endpoint(String text) {
    int colon = text.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("endpoint without port: " + text);
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int pct = host.indexOf('%');
    if (pct >= 0) {
      host = host.substring(0, pct);
    }
    return new InetSocketAddress(Ips.parse(host), Integer.parseInt(text.substring(colon + 1)));
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }

  /** The fields of one peer while its lines are read. */
  private static final class PeerBuilder {
    final WgKey key;
    WgKey psk;
    InetSocketAddress endpoint;
    int keepalive;
    boolean handshake;
    final List<IpPrefix> allowed = new ArrayList<>();

    PeerBuilder(WgKey key) {
      this.key = key;
    }

    void set(String k, String v) {
      switch (k) {
        case "preshared_key" -> psk = WgKey.parseHex(v);
        case "endpoint" -> endpoint = endpoint(v);
        case "persistent_keepalive_interval" -> keepalive = Integer.parseInt(v);
        case "allowed_ip" -> allowed.add(IpPrefix.parse(v));
        case "last_handshake_time_sec" -> handshake |= !v.equals("0");
        default -> {} // rx/tx bytes, nsec, protocol_version
      }
    }

    WgPeer build() {
      return new WgPeer(key, endpoint, allowed, psk, keepalive);
    }
  }
}
