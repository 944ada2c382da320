package io.jflannel.netlink.wire;

import io.jflannel.netlink.NetlinkParseException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The rtattrs of one message or one nested attribute, indexed by type.
 *
 * <p>Parsing validates every length, so the typed getters never read past the message; a getter
 * given an attribute of the wrong size throws {@link NetlinkParseException}. {@code NLA_F_NESTED}
 * and {@code NLA_F_NET_BYTEORDER} are masked off the type. When a type repeats, the last one wins.
 * Valid as long as the buffer it reads from.
 */
public final class Attrs {
  private static final int MAX_TYPE = 64;
  private final ByteBuffer buf;
  private final int[] start = new int[MAX_TYPE];
  private final int[] len = new int[MAX_TYPE];

  private Attrs(ByteBuffer buf) {
    this.buf = buf;
    Arrays.fill(start, -1);
  }

  static Attrs parse(ByteBuffer buf, int from, int end) throws NetlinkParseException {
    Attrs a = new Attrs(buf);
    int pos = from;
    while (end - pos >= 4) {
      int rtaLen = buf.getShort(pos) & 0xffff;
      int type = (buf.getShort(pos + 2) & 0xffff) & Rt.NLA_TYPE_MASK;
      if (rtaLen < 4 || rtaLen > end - pos) {
        throw new NetlinkParseException("attribute length " + rtaLen + " of type " + type);
      }
      if (type < MAX_TYPE) {
        a.start[type] = pos + 4;
        a.len[type] = rtaLen - 4;
      }
      pos += Rt.align(rtaLen);
    }
    return a;
  }

  /** Whether an attribute of {@code type} is present. */
  public boolean has(int type) {
    return type < MAX_TYPE && start[type] >= 0;
  }

  /** The payload length of {@code type}, or -1 if absent. */
  public int length(int type) {
    return has(type) ? len[type] : -1;
  }

  private int need(int type, int size) throws NetlinkParseException {
    if (!has(type)) {
      throw new NetlinkParseException("attribute " + type + " missing");
    }
    if (len[type] < size) {
      throw new NetlinkParseException(
          "attribute " + type + " has " + len[type] + " bytes, wants " + size);
    }
    return start[type];
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
    return has(type) ? u32(type) : dflt;
  }

  public byte[] bytes(int type) throws NetlinkParseException {
    int p = need(type, 0);
    byte[] out = new byte[len[type]];
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
    byte[] raw = bytes(type);
    if (raw.length != 4 && raw.length != 16) {
      throw new NetlinkParseException("attribute " + type + " is no IP address: " + raw.length);
    }
    return io.jflannel.netlink.Ips.of(raw);
  }

  /** The attributes nested inside {@code type}. */
  public Attrs nested(int type) throws NetlinkParseException {
    int p = need(type, 0);
    return parse(buf, p, p + len[type]);
  }
}
