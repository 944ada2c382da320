package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.netlink.wire.Rt;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * Golden request bytes that iproute2 sent (captured with {@code strace -e write=all}) and a parsed,
 * printable form of a request for comparing it with ours field by field.
 *
 * <p>Where our encoding and iproute2's differ only in attribute order, {@link Msg#render()} (which
 * sorts attributes by type at every level) compares equal: the kernel indexes attributes by type
 * ({@code nla_parse}), so the order carries no meaning. Other differences are applied explicitly,
 * with a comment, by the test ({@link Msg#withoutAttr}, {@link Msg#withHeaderByte}, ...).
 */
final class Golden {
  private static final HexFormat HEX = HexFormat.of();

  private Golden() {}

  /**
   * The message of a captured send buffer. iproute2 hands {@code sizeof(req)} to {@code sendto} for
   * dumps (header plus an unused buffer); the kernel reads only {@code nlmsg_len} bytes, so the
   * rest is cut off here after checking it is all zero.
   */
  static byte[] message(String capturedHex) {
    byte[] all = HEX.parseHex(capturedHex.replaceAll("\\s", ""));
    int len = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    for (int i = len; i < all.length; i++) {
      if (all[i] != 0) {
        throw new IllegalArgumentException("non-zero byte " + i + " after nlmsg_len " + len);
      }
    }
    return Arrays.copyOf(all, len);
  }

  /** The {@code nlmsg_seq} of a message, so that ours can be encoded with the same one. */
  static int seq(byte[] message) {
    return ByteBuffer.wrap(message).order(ByteOrder.nativeOrder()).getInt(8);
  }

  /**
   * Asserts byte equality; the field-by-field renderings are compared first so that a failure names
   * the differing field rather than only a hex offset.
   */
  static void assertIdentical(byte[] ours, byte[] iproute2) {
    assertThat(parse(ours).renderInWireOrder()).isEqualTo(parse(iproute2).renderInWireOrder());
    assertThat(hex(ours)).isEqualTo(hex(iproute2));
  }

  static String hex(byte[] b) {
    return HEX.formatHex(b);
  }

  /** Parses a request message (family header by message type; nested attributes as listed). */
  static Msg parse(byte[] message) {
    ByteBuffer b = ByteBuffer.wrap(message).order(ByteOrder.nativeOrder());
    int length = b.getInt(0);
    if (length != message.length) {
      throw new IllegalArgumentException(
          "nlmsg_len " + length + " of a " + message.length + "-byte message");
    }
    int type = b.getShort(4) & 0xffff;
    int headerLen = familyHeaderLength(type);
    byte[] header = Arrays.copyOfRange(message, 16, 16 + headerLen);
    List<Attr> attrs = attrs(b, 16 + Rt.align(headerLen), length, isLink(type) ? "link" : "");
    return new Msg(type, b.getShort(6) & 0xffff, b.getInt(8), b.getInt(12), header, attrs);
  }

  private static boolean isLink(int type) {
    return type == Rt.RTM_NEWLINK || type == Rt.RTM_DELLINK || type == Rt.RTM_GETLINK;
  }

  private static int familyHeaderLength(int type) {
    return switch (type) {
      case Rt.RTM_NEWLINK, Rt.RTM_DELLINK, Rt.RTM_GETLINK -> Rt.IFINFOMSG_LEN;
      case Rt.RTM_NEWADDR, Rt.RTM_DELADDR, Rt.RTM_GETADDR -> Rt.IFADDRMSG_LEN;
      case Rt.RTM_NEWROUTE, Rt.RTM_DELROUTE, Rt.RTM_GETROUTE -> Rt.RTMSG_LEN;
      case Rt.RTM_NEWNEIGH, Rt.RTM_DELNEIGH, Rt.RTM_GETNEIGH -> Rt.NDMSG_LEN;
      case Rt.RTM_NEWNEXTHOP, Rt.RTM_DELNEXTHOP, Rt.RTM_GETNEXTHOP -> Rt.NHMSG_LEN;
      default -> throw new IllegalArgumentException("no family header known for " + type);
    };
  }

  /**
   * The attributes in {@code [from, end)}. {@code context} names where they are: {@code "link"}
   * (top level of a link message), {@code "linkinfo"}, {@code "veth-data"}, {@code "vxlan-data"}...
   * It decides which attributes nest: IFLA_LINKINFO, IFLA_INFO_DATA, and VETH_INFO_PEER (which
   * starts with the peer's 16-byte ifinfomsg).
   */
  private static List<Attr> attrs(ByteBuffer b, int from, int end, String context) {
    List<Attr> out = new ArrayList<>();
    String kind = "";
    int pos = from;
    while (pos < end) {
      int len = b.getShort(pos) & 0xffff;
      int type = b.getShort(pos + 2) & 0xffff;
      if (len < 4 || pos + len > end) {
        throw new IllegalArgumentException("attribute length " + len + " at " + pos);
      }
      int start = pos + 4;
      int stop = pos + len;
      byte[] header = new byte[0];
      List<Attr> nested = null;
      switch (context + "/" + type) {
        case "link/" + Rt.IFLA_LINKINFO -> nested = attrs(b, start, stop, "linkinfo");
        case "linkinfo/" + Rt.IFLA_INFO_KIND -> kind = cString(b, start, stop);
        case "linkinfo/" + Rt.IFLA_INFO_DATA -> nested = attrs(b, start, stop, kind + "-data");
        case "veth-data/" + Rt.VETH_INFO_PEER -> {
          header = Arrays.copyOfRange(b.array(), start, start + Rt.IFINFOMSG_LEN);
          nested = attrs(b, start + Rt.IFINFOMSG_LEN, stop, "link");
        }
        default -> {}
      }
      byte[] value = nested == null ? Arrays.copyOfRange(b.array(), start, stop) : new byte[0];
      out.add(new Attr(type, value, header, nested));
      pos += Rt.align(len);
    }
    return out;
  }

  private static String cString(ByteBuffer b, int from, int to) {
    StringBuilder s = new StringBuilder();
    for (int i = from; i < to && b.get(i) != 0; i++) {
      s.append((char) b.get(i));
    }
    return s.toString();
  }

  /** One attribute: a value, or (when {@code nested} is not null) a header and nested ones. */
  record Attr(int type, byte[] value, byte[] header, List<Attr> nested) {
    void render(StringBuilder s, String indent, boolean sorted) {
      s.append(indent).append(type);
      if (nested == null) {
        s.append(" = ").append(hex(value)).append('\n');
        return;
      }
      s.append(header.length == 0 ? "" : " header " + hex(header)).append(" {\n");
      for (Attr a : order(nested, sorted)) {
        a.render(s, indent + "  ", sorted);
      }
      s.append(indent).append("}\n");
    }
  }

  private static List<Attr> order(List<Attr> attrs, boolean sorted) {
    return sorted ? attrs.stream().sorted(Comparator.comparingInt(Attr::type)).toList() : attrs;
  }

  /** A parsed request: the netlink header fields, the family header and the attributes. */
  record Msg(int type, int flags, int seq, int pid, byte[] header, List<Attr> attrs) {
    /** Header fields and every attribute, sorted by type at each level: order-insensitive. */
    String render() {
      return render(true);
    }

    /** As {@link #render()} but in the order the attributes appear on the wire. */
    String renderInWireOrder() {
      return render(false);
    }

    private String render(boolean sorted) {
      StringBuilder s = new StringBuilder();
      s.append(Rt.typeName(type))
          .append(" flags=0x")
          .append(Integer.toHexString(flags))
          .append(" seq=")
          .append(Integer.toUnsignedString(seq))
          .append(" pid=")
          .append(pid)
          .append('\n')
          .append("header ")
          .append(hex(header))
          .append('\n');
      for (Attr a : order(attrs, sorted)) {
        a.render(s, "  ", sorted);
      }
      return s.toString();
    }

    /** The top-level attribute types in wire order. */
    List<Integer> attrTypes() {
      return attrs.stream().map(Attr::type).toList();
    }

    /** The payload of top-level attribute {@code type}. */
    byte[] attr(int type) {
      return attrs.stream()
          .filter(a -> a.type() == type)
          .findFirst()
          .orElseThrow(() -> new AssertionError("no attribute " + type))
          .value();
    }

    /** This message without top-level attribute {@code type}. */
    Msg withoutAttr(int attrType) {
      List<Attr> kept = attrs.stream().filter(a -> a.type() != attrType).toList();
      if (kept.size() == attrs.size()) {
        throw new AssertionError("no attribute " + attrType + " to remove");
      }
      return new Msg(type, flags, seq, pid, header, kept);
    }

    /**
     * This message with a NUL appended to IFLA_LINKINFO/IFLA_INFO_KIND. iproute2 sends the kind
     * without its terminating NUL ({@code addattr_l(..., strlen(type))}), we send a C string; the
     * kernel's NLA_STRING policy accepts both and compares the same.
     */
    Msg withNulTerminatedKind() {
      List<Attr> out = new ArrayList<>();
      for (Attr a : attrs) {
        if (a.type() != Rt.IFLA_LINKINFO || a.nested() == null) {
          out.add(a);
          continue;
        }
        List<Attr> info = new ArrayList<>();
        for (Attr i : a.nested()) {
          boolean kind = i.type() == Rt.IFLA_INFO_KIND && i.nested() == null;
          info.add(
              kind
                  ? new Attr(
                      i.type(), Arrays.copyOf(i.value(), i.value().length + 1), i.header(), null)
                  : i);
        }
        out.add(new Attr(a.type(), a.value(), a.header(), info));
      }
      return new Msg(type, flags, seq, pid, header, out);
    }

    /** This message with byte {@code offset} of the family header set to {@code value}. */
    Msg withHeaderByte(int offset, int value) {
      byte[] h = header.clone();
      h[offset] = (byte) value;
      return new Msg(type, flags, seq, pid, h, attrs);
    }

    /** This message with the native-order 16-bit family-header field at {@code offset} set. */
    Msg withHeaderU16(int offset, int value) {
      byte[] h = header.clone();
      ByteBuffer.wrap(h).order(ByteOrder.nativeOrder()).putShort(offset, (short) value);
      return new Msg(type, flags, seq, pid, h, attrs);
    }

    /** This message with the native-order 32-bit family-header field at {@code offset} set. */
    Msg withHeaderU32(int offset, int value) {
      byte[] h = header.clone();
      ByteBuffer.wrap(h).order(ByteOrder.nativeOrder()).putInt(offset, value);
      return new Msg(type, flags, seq, pid, h, attrs);
    }

    int headerByte(int offset) {
      return header[offset] & 0xff;
    }

    int headerU16(int offset) {
      return ByteBuffer.wrap(header).order(ByteOrder.nativeOrder()).getShort(offset) & 0xffff;
    }

    int headerU32(int offset) {
      return ByteBuffer.wrap(header).order(ByteOrder.nativeOrder()).getInt(offset);
    }
  }
}
