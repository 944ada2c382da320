package io.jflannel.backend.udp;

import java.nio.ByteBuffer;

/**
 * IPv4 header work on packets in place: validation, routing fields, the TTL decrement with its
 * incremental checksum update, and the ICMP "net unreachable" reply, as upstream's C proxy does
 * them ({@code proxy_amd64.c}).
 *
 * <p>All methods read and write absolute offsets of a big-endian buffer and allocate nothing: they
 * run once per packet. Addresses are host-order ints ({@code 10.0.0.1} is {@code 0x0A000001}).
 * Stateless and thread-safe.
 */
final class Packets {
  /** The packet is an IPv4 packet with a sane header. */
  static final int OK = 0;

  /** Shorter than an IPv4 header. */
  static final int TOO_SHORT = 1;

  /** Not IPv4 (e.g. an IPv6 router solicitation the kernel sent into the TUN). */
  static final int NOT_IPV4 = 2;

  /** IHL below 5 or past the end of the packet. */
  static final int BAD_HEADER = 3;

  static final int IPV4_HEADER = 20;
  static final int ICMP_HEADER = 8;
  static final int PROTO_ICMP = 1;

  /** The longest ICMP net-unreachable reply: IP header + ICMP header + 60-byte header + 8. */
  static final int MAX_UNREACHABLE = IPV4_HEADER + ICMP_HEADER + 60 + 8;

  /** The TTL of the ICMP replies, as upstream. */
  static final int ICMP_TTL = 8;

  private Packets() {}

  /** Checks that {@code len} bytes at {@code off} hold an IPv4 header; {@link #OK} or why not. */
  static int check(ByteBuffer b, int off, int len) {
    if (len < IPV4_HEADER) {
      return TOO_SHORT;
    }
    int v = b.get(off) & 0xff;
    if ((v >>> 4) != 4) {
      return NOT_IPV4;
    }
    int ihl = (v & 0x0f) * 4;
    if (ihl < IPV4_HEADER || ihl > len) {
      return BAD_HEADER;
    }
    return OK;
  }

  /** The destination address of the IPv4 packet at {@code off}. */
  static int destination(ByteBuffer b, int off) {
    return b.getInt(off + 16);
  }

  /** The source address of the IPv4 packet at {@code off}. */
  static int source(ByteBuffer b, int off) {
    return b.getInt(off + 12);
  }

  /**
   * Decrements the TTL of the IPv4 packet at {@code off} and patches its header checksum
   * incrementally (RFC 1624, eqn. 3: {@code HC' = ~(~HC + ~m + m')}).
   *
   * @return false if the packet must be dropped because its TTL is (or would become) zero; the
   *     packet is then left unchanged
   */
  static boolean decrementTtl(ByteBuffer b, int off) {
    int ttl = b.get(off + 8) & 0xff;
    if (ttl <= 1) {
      return false;
    }
    int proto = b.get(off + 9) & 0xff;
    int oldWord = (ttl << 8) | proto;
    int newWord = ((ttl - 1) << 8) | proto;
    int hc = b.getShort(off + 10) & 0xffff;
    int sum = (~hc & 0xffff) + (~oldWord & 0xffff) + newWord;
    sum = (sum & 0xffff) + (sum >>> 16);
    sum = (sum & 0xffff) + (sum >>> 16);
    b.put(off + 8, (byte) (ttl - 1));
    b.putShort(off + 10, (short) ~sum);
    return true;
  }

  /** The Internet checksum (RFC 1071) of {@code len} bytes at {@code off}; odd tail zero-padded. */
  static int checksum(ByteBuffer b, int off, int len) {
    long sum = 0;
    int i = off;
    int end = off + len;
    for (; i + 1 < end; i += 2) {
      sum += b.getShort(i) & 0xffff;
    }
    if (i < end) {
      sum += (b.get(i) & 0xff) << 8;
    }
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) (~sum & 0xffff);
  }

  /**
   * Writes, at offset 0 of {@code out}, the ICMP "destination unreachable / net unreachable" reply
   * to the offending IPv4 packet at {@code off} (already {@link #check checked}), as upstream sends
   * it back into the TUN: from {@code fromIp} (this node's TUN address) to the offender's source,
   * TTL 8, carrying the offender's IP header and the first 8 bytes of its payload.
   *
   * <p>No reply is made about an ICMP packet (RFC 792, against loops) or a fragment other than the
   * first (RFC 1122).
   *
   * @param out at least {@link #MAX_UNREACHABLE} bytes
   * @return the length of the reply, or 0 if none must be sent
   */
  static int netUnreachable(ByteBuffer b, int off, int len, int fromIp, ByteBuffer out) {
    int ihl = (b.get(off) & 0x0f) * 4;
    if ((b.get(off + 9) & 0xff) == PROTO_ICMP) {
      return 0;
    }
    if ((b.getShort(off + 6) & 0x1fff) != 0) {
      return 0;
    }
    int quoted = Math.min(len, ihl + 8);
    int total = IPV4_HEADER + ICMP_HEADER + quoted;
    // IP header: version 4, IHL 5, TOS 0, total length, ID 0, no fragmentation, TTL, ICMP
    out.putInt(0, 0x45000000 | total);
    out.putInt(4, 0);
    out.putInt(8, (ICMP_TTL << 24) | (PROTO_ICMP << 16));
    out.putInt(12, fromIp);
    out.putInt(16, source(b, off));
    out.putShort(10, (short) checksum(out, 0, IPV4_HEADER));
    // ICMP: type 3 (destination unreachable), code 0 (net unreachable), checksum, unused
    out.putInt(20, 0x03000000);
    out.putInt(24, 0);
    for (int i = 0; i < quoted; i++) {
      out.put(28 + i, b.get(off + i));
    }
    out.putShort(22, (short) checksum(out, IPV4_HEADER, ICMP_HEADER + quoted));
    return total;
  }
}
