package io.jflannel.netlink.wire;

import io.jflannel.netlink.NetlinkParseException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The rtattrs of one message or one nested attribute, looked up by type.
 *
 * <p>Parsing validates every length once, so the typed getters never read past the message; a
 * getter given an attribute of the wrong size throws {@link NetlinkParseException}. {@code
 * NLA_F_NESTED} and {@code NLA_F_NET_BYTEORDER} are masked off the type. When a type repeats, the
 * last one wins. Valid as long as the buffer it reads from.
 *
 * <p>Nothing is indexed: a lookup walks the (already validated) attributes. A route, neighbour or
 * FDB message has about ten of them and a decoder asks for a handful, so a walk costs less than
 * building an index, and a dump of 15,000 messages allocates one small object per message instead
 * of two {@code int[64]} tables (issue #4: reconcile cost).
 */
public final class Attrs {
  private final ByteBuffer buf;
  private final int from;
  private final int end;
  private final boolean littleEndian;

  private Attrs(ByteBuffer buf, int from, int end) {
    this.buf = buf;
    this.from = from;
    this.end = end;
    this.littleEndian = buf.order() == ByteOrder.LITTLE_ENDIAN;
  }

  static Attrs parse(ByteBuffer buf, int from, int end) throws NetlinkParseException {
    int pos = from;
    while (end - pos >= 4) {
      int rtaLen = buf.getShort(pos) & 0xffff;
      if (rtaLen < 4 || rtaLen > end - pos) {
        int type = (buf.getShort(pos + 2) & 0xffff) & Rt.NLA_TYPE_MASK;
        throw new NetlinkParseException("attribute length " + rtaLen + " of type " + type);
      }
      pos += Rt.align(rtaLen);
    }
    return new Attrs(buf, from, end);
  }

  /** The position of the last attribute header of {@code type}, or -1. */
  private int find(int type) {
    int found = -1;
    int pos = from;
    while (end - pos >= 4) {
      int header = buf.getInt(pos); // rta_len and rta_type in one read
      int rtaLen = littleEndian ? header & 0xffff : header >>> 16;
      int rtaType = littleEndian ? header >>> 16 : header & 0xffff;
      if ((rtaType & Rt.NLA_TYPE_MASK) == type) {
        found = pos;
      }
      pos += Rt.align(rtaLen);
    }
    return found;
  }

  /** Whether an attribute of {@code type} is present. */
  public boolean has(int type) {
    return find(type) >= 0;
  }

  /** The payload length of {@code type}, or -1 if absent. */
  public int length(int type) {
    int at = find(type);
    return at < 0 ? -1 : (buf.getShort(at) & 0xffff) - 4;
  }

  /** The payload start of {@code type}, which has at least {@code size} bytes. */
  private int need(int type, int size) throws NetlinkParseException {
    int at = find(type);
    if (at < 0) {
      throw new NetlinkParseException("attribute " + type + " missing");
    }
    int len = (buf.getShort(at) & 0xffff) - 4;
    if (len < size) {
      throw new NetlinkParseException(
          "attribute " + type + " has " + len + " bytes, wants " + size);
    }
    return at + 4;
  }

  public int u8(int type) throws NetlinkParseException {
    return buf.get(need(type, 1)) & 0xff;
  }

  /** A 16-bit value in network byte order. */
  public int u16be(int type) throws NetlinkParseException {
    int p = need(type, 2);
    return ((buf.get(p) & 0xff) << 8) | (buf.get(p + 1) & 0xff);
  }

  public int u32(int type) throws NetlinkParseException {
    return buf.getInt(need(type, 4));
  }

  /** {@link #u32} or {@code dflt} when absent. */
  public int u32(int type, int dflt) throws NetlinkParseException {
    int at = find(type);
    if (at < 0) {
      return dflt;
    }
    if ((buf.getShort(at) & 0xffff) - 4 < 4) {
      throw new NetlinkParseException(
          "attribute " + type + " has " + ((buf.getShort(at) & 0xffff) - 4) + " bytes, wants 4");
    }
    return buf.getInt(at + 4);
  }

  public byte[] bytes(int type) throws NetlinkParseException {
    int p = need(type, 0);
    byte[] out = new byte[(buf.getShort(p - 4) & 0xffff) - 4];
    buf.get(p, out);
    return out;
  }

  /** A string attribute, without its trailing NUL (and anything after one). */
  public String string(int type) throws NetlinkParseException {
    byte[] raw = bytes(type);
    int n = 0;
    while (n < raw.length && raw[n] != 0) {
      n++;
    }
    return new String(raw, 0, n, StandardCharsets.UTF_8);
  }

  /** An IPv4 (4 bytes) or IPv6 (16 bytes) address attribute. */
  public InetAddress ip(int type) throws NetlinkParseException {
    InetAddress ip = ipOrNull(type);
    if (ip == null) {
      throw new NetlinkParseException("attribute " + type + " missing");
    }
    return ip;
  }

  /** {@link #ip} or null when absent. */
  public InetAddress ipOrNull(int type) throws NetlinkParseException {
    int at = find(type);
    if (at < 0) {
      return null;
    }
    int len = (buf.getShort(at) & 0xffff) - 4;
    if (len != 4 && len != 16) {
      throw new NetlinkParseException("attribute " + type + " is no IP address: " + len);
    }
    byte[] raw = new byte[len];
    buf.get(at + 4, raw);
    return io.jflannel.netlink.Ips.of(raw);
  }

  /** The attributes nested inside {@code type}. */
  public Attrs nested(int type) throws NetlinkParseException {
    int p = need(type, 0);
    return parse(buf, p, p + (buf.getShort(p - 4) & 0xffff) - 4);
  }

  /** A native-order 16-bit value. */
  public int u16(int type) throws NetlinkParseException {
    return buf.getShort(need(type, 2)) & 0xffff;
  }

  /** A native-order 64-bit value. */
  public long u64(int type) throws NetlinkParseException {
    return buf.getLong(need(type, 8));
  }

  /**
   * The entries of a netlink array: every attribute here parsed as nested attributes, in order
   * (their types are indexes and are not looked at).
   */
  public java.util.List<Attrs> entries() throws NetlinkParseException {
    java.util.List<Attrs> out = new java.util.ArrayList<>();
    int pos = from;
    while (end - pos >= 4) {
      int rtaLen = buf.getShort(pos) & 0xffff;
      out.add(parse(buf, pos + 4, pos + rtaLen));
      pos += Rt.align(rtaLen);
    }
    return out;
  }
}
