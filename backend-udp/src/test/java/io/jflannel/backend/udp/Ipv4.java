package io.jflannel.backend.udp;

/**
 * Test packets built byte by byte, with checksums computed here independently of {@link Packets} (a
 * plain 32-bit accumulation over byte pairs), so the tests do not check the code against itself.
 */
final class Ipv4 {
  private Ipv4() {}

  /** The RFC 1071 checksum of {@code len} bytes at {@code off}. */
  static int checksum(byte[] p, int off, int len) {
    int sum = 0;
    for (int i = 0; i < len; i++) {
      int b = p[off + i] & 0xff;
      sum += (i % 2 == 0) ? b << 8 : b;
    }
    while (sum > 0xffff) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return ~sum & 0xffff;
  }

  /** Whether the ones'-complement sum of the region, checksum included, verifies. */
  static boolean verifies(byte[] p, int off, int len) {
    return checksum(p, off, len) == 0;
  }

  /** An IPv4 header (no options) with a correct checksum, followed by {@code payload} bytes. */
  static byte[] packet(int src, int dst, int ttl, int proto, int fragField, byte[] payload) {
    byte[] p = new byte[20 + payload.length];
    p[0] = 0x45;
    put16(p, 2, p.length);
    put16(p, 4, 0x1234);
    put16(p, 6, fragField);
    p[8] = (byte) ttl;
    p[9] = (byte) proto;
    put32(p, 12, src);
    put32(p, 16, dst);
    put16(p, 10, checksum(p, 0, 20));
    System.arraycopy(payload, 0, p, 20, payload.length);
    return p;
  }

  /** An ICMP echo request (id 0x4242, seq 1, 8 bytes of data) with correct checksums. */
  static byte[] echoRequest(int src, int dst, int ttl) {
    byte[] icmp = new byte[16];
    icmp[0] = 8;
    put16(icmp, 4, 0x4242);
    put16(icmp, 6, 1);
    for (int i = 8; i < 16; i++) {
      icmp[i] = (byte) i;
    }
    put16(icmp, 2, checksum(icmp, 0, icmp.length));
    return packet(src, dst, ttl, 1, 0x4000, icmp);
  }

  /** A UDP datagram (ports 40000 → 9, 4 bytes of data) in an IPv4 packet. */
  static byte[] udp(int src, int dst, int ttl, int fragField) {
    byte[] udp = {(byte) 0x9c, 0x40, 0, 9, 0, 12, 0, 0, 'd', 'a', 't', 'a'};
    return packet(src, dst, ttl, 17, fragField, udp);
  }

  static int get16(byte[] p, int off) {
    return ((p[off] & 0xff) << 8) | (p[off + 1] & 0xff);
  }

  static int get32(byte[] p, int off) {
    return (get16(p, off) << 16) | get16(p, off + 2);
  }

  static void put16(byte[] p, int off, int v) {
    p[off] = (byte) (v >>> 8);
    p[off + 1] = (byte) v;
  }

  static void put32(byte[] p, int off, int v) {
    put16(p, off, v >>> 16);
    put16(p, off + 2, v);
  }
}
