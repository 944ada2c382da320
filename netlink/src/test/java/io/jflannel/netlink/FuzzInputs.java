package io.jflannel.netlink;

import io.jflannel.netlink.wire.Rt;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Input generators for {@link WireFuzzTest}: random buffers, truncations and corruptions of the
 * captured kernel replies, and random messages shaped like the ones the decoders read.
 *
 * <p>Corruption targets the length fields on purpose: {@link Layout} finds every {@code nlmsghdr}
 * and every rtattr header (nested ones included) of a captured datagram with a walker written here,
 * independent of the code under test.
 */
final class FuzzInputs {
  private FuzzInputs() {}

  /** Where the length fields of one captured datagram are. */
  record Layout(byte[] datagram, int[] messages, int[] attrs) {
    static Layout of(byte[] datagram) {
      ByteBuffer b = ByteBuffer.wrap(datagram).order(ByteOrder.nativeOrder());
      List<Integer> msgs = new ArrayList<>();
      List<Integer> attrs = new ArrayList<>();
      int pos = 0;
      while (datagram.length - pos >= 16) {
        int len = b.getInt(pos);
        if (len < 16 || len > datagram.length - pos) {
          break;
        }
        msgs.add(pos);
        int header = familyHeader(b.getShort(pos + 4) & 0xffff);
        if (header >= 0) {
          walk(b, pos + 16 + Rt.align(header), pos + len, attrs, 0);
        }
        pos += Rt.align(len);
      }
      return new Layout(datagram, toArray(msgs), toArray(attrs));
    }

    /** Records the attributes in [from, end); descends into payloads that parse as attributes. */
    private static boolean walk(ByteBuffer b, int from, int end, List<Integer> out, int depth) {
      List<Integer> found = new ArrayList<>();
      int pos = from;
      while (end - pos >= 4) {
        int len = b.getShort(pos) & 0xffff;
        if (len < 4 || len > end - pos) {
          return false;
        }
        found.add(pos);
        pos += Rt.align(len);
      }
      if (pos < end && depth > 0) {
        return false;
      }
      out.addAll(found);
      if (depth < 4) {
        for (int a : found) {
          int len = b.getShort(a) & 0xffff;
          if (len > 8) {
            List<Integer> nested = new ArrayList<>();
            if (walk(b, a + 4, a + len, nested, depth + 1)) {
              out.addAll(nested);
            }
          }
        }
      }
      return true;
    }
  }

  private static int[] toArray(List<Integer> l) {
    return l.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The family header length of a reply type, or -1 when it carries no rtattrs we know of. */
  static int familyHeader(int type) {
    return switch (type) {
      case Rt.RTM_NEWLINK, Rt.RTM_DELLINK -> Rt.IFINFOMSG_LEN;
      case Rt.RTM_NEWADDR, Rt.RTM_DELADDR -> Rt.IFADDRMSG_LEN;
      case Rt.RTM_NEWROUTE, Rt.RTM_DELROUTE -> Rt.RTMSG_LEN;
      case Rt.RTM_NEWNEIGH, Rt.RTM_DELNEIGH -> Rt.NDMSG_LEN;
      case Rt.RTM_NEWNEXTHOP, Rt.RTM_DELNEXTHOP -> Rt.NHMSG_LEN;
      default -> -1;
    };
  }

  /** 0..4096 random bytes. */
  static byte[] random(Random r) {
    byte[] b = new byte[r.nextInt(4097)];
    r.nextBytes(b);
    return b;
  }

  /** A copy of {@code d} cut to {@code len} bytes. */
  static byte[] truncated(byte[] d, int len) {
    return Arrays.copyOf(d, len);
  }

  /** One message cut to {@code len} bytes (at least 16) with nlmsg_len saying so. */
  static byte[] truncatedMessage(byte[] message, int len) {
    byte[] b = Arrays.copyOf(message, len);
    ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).putInt(0, len);
    return b;
  }

  private static final int[] U32_EDGES = {
    0, 1, 3, 4, 15, 16, 17, 19, 20, 0x7fff_ffff, 0x7fff_fffc, 0x8000_0000, -1, -16, 0x1_0000
  };
  private static final int[] U16_EDGES = {0, 1, 2, 3, 4, 5, 7, 8, 0x7fff, 0x8000, 0xfffc, 0xffff};

  /** 1..6 mutations of a captured datagram, aimed mostly at its length fields. */
  static byte[] corrupted(Random r, Layout l) {
    byte[] d = l.datagram().clone();
    ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.nativeOrder());
    int n = 1 + r.nextInt(6);
    for (int i = 0; i < n && d.length > 0; i++) {
      switch (r.nextInt(7)) {
        case 0 -> d[r.nextInt(d.length)] = (byte) r.nextInt(256);
        case 1 -> d[r.nextInt(d.length)] ^= (byte) (1 << r.nextInt(8));
        case 2, 3 -> {
          if (l.messages().length > 0) {
            int at = l.messages()[r.nextInt(l.messages().length)];
            int len = b.getInt(at);
            int[] near = {len - 1, len + 1, len + 4, len - 4, d.length - at, d.length - at + 1};
            int v =
                r.nextBoolean()
                    ? U32_EDGES[r.nextInt(U32_EDGES.length)]
                    : near[r.nextInt(near.length)];
            b.putInt(at, v);
          }
        }
        case 4, 5 -> {
          if (l.attrs().length > 0) {
            int at = l.attrs()[r.nextInt(l.attrs().length)];
            int len = b.getShort(at) & 0xffff;
            int[] near = {len - 1, len + 1, len + 4, len - 4, len * 2};
            int v =
                r.nextBoolean()
                    ? U16_EDGES[r.nextInt(U16_EDGES.length)]
                    : near[r.nextInt(near.length)];
            b.putShort(at, (short) v);
          }
        }
        default -> {
          // the type of an attribute or a message: another known one, or NESTED/BYTEORDER bits
          if (l.attrs().length > 0 && r.nextBoolean()) {
            int at = l.attrs()[r.nextInt(l.attrs().length)];
            b.putShort(at + 2, (short) (r.nextInt(70) | (r.nextInt(4) << 14)));
          } else if (l.messages().length > 0) {
            int at = l.messages()[r.nextInt(l.messages().length)];
            b.putShort(at + 4, (short) pick(r, REPLY_TYPES));
          }
        }
      }
    }
    return r.nextInt(4) == 0 ? truncated(d, r.nextInt(d.length + 1)) : d;
  }

  private static final int[] REPLY_TYPES = {
    Rt.NLMSG_ERROR,
    Rt.NLMSG_DONE,
    Rt.RTM_NEWLINK,
    Rt.RTM_NEWADDR,
    Rt.RTM_NEWROUTE,
    Rt.RTM_NEWNEIGH,
    Rt.RTM_NEWNEXTHOP
  };

  private static int pick(Random r, int... values) {
    return values[r.nextInt(values.length)];
  }

  /**
   * 1..4 random messages of the reply types with family headers and attributes of the types the
   * decoders read, nested ones included; lengths are right most of the time.
   */
  static byte[] structured(Random r) {
    ByteBuffer b = ByteBuffer.allocate(8192).order(ByteOrder.nativeOrder());
    int n = 1 + r.nextInt(4);
    for (int i = 0; i < n; i++) {
      int start = b.position();
      int type = r.nextInt(10) == 0 ? r.nextInt(200) : pick(r, REPLY_TYPES);
      b.putInt(0)
          .putShort((short) type)
          .putShort((short) pick(r, 0, Rt.NLM_F_MULTI, Rt.NLM_F_CAPPED, Rt.NLM_F_ACK_TLVS, 0x300))
          .putInt(r.nextInt(4))
          .putInt(r.nextInt(4));
      if (type == Rt.NLMSG_ERROR || type == Rt.NLMSG_DONE) {
        errorBody(r, b);
      } else {
        familyHeader(r, b, type);
        attrs(r, b, type, "", 0);
      }
      int len = b.position() - start;
      b.putInt(start, r.nextInt(8) == 0 ? len + r.nextInt(9) - 4 : len);
      while (b.position() % 4 != 0 && r.nextInt(8) != 0) {
        b.put((byte) 0);
      }
    }
    return Arrays.copyOf(b.array(), b.position());
  }

  private static void errorBody(Random r, ByteBuffer b) {
    b.putInt(r.nextInt(4) == 0 ? r.nextInt() : -r.nextInt(4097));
    if (r.nextInt(4) == 0) {
      return;
    }
    int echoed = r.nextBoolean() ? 16 : pick(r, 0, 15, 20, 36, 0x7fff_ffff, -1, r.nextInt(64));
    b.putInt(echoed).putInt(r.nextInt()).putInt(r.nextInt()).putInt(r.nextInt());
    int extra = r.nextInt(3) * 4;
    for (int i = 0; i < extra; i++) {
      b.put((byte) r.nextInt(256));
    }
    int tlvs = r.nextInt(3);
    for (int i = 0; i < tlvs; i++) {
      attr(r, b, pick(r, 1, 2, 3, r.nextInt(8)), randomValue(r, true));
    }
  }

  private static void familyHeader(Random r, ByteBuffer b, int type) {
    int len = familyHeader(type);
    if (len < 0 || r.nextInt(12) == 0) {
      len = r.nextInt(20);
    }
    byte[] h = new byte[len];
    r.nextBytes(h);
    if (len > 0) {
      h[0] = (byte) pick(r, Rt.AF_INET, Rt.AF_INET6, Rt.AF_BRIDGE, Rt.AF_UNSPEC, r.nextInt(256));
    }
    if (len > 1 && r.nextBoolean()) {
      h[1] = (byte) pick(r, 0, 8, 24, 32, 33, 64, 128, 129, 255);
    }
    b.put(h);
    while (b.position() % 4 != 0) {
      b.put((byte) 0);
    }
  }

  /** Attribute types worth writing, by where they are. */
  private static int[] types(int msgType, String where) {
    return switch (where) {
      case "linkinfo" -> new int[] {Rt.IFLA_INFO_KIND, Rt.IFLA_INFO_DATA, 3};
      case "data" ->
          new int[] {
            Rt.IFLA_VXLAN_ID,
            Rt.IFLA_VXLAN_LINK,
            Rt.IFLA_VXLAN_LOCAL,
            Rt.IFLA_VXLAN_LEARNING,
            Rt.IFLA_VXLAN_PORT,
            Rt.IFLA_VXLAN_LOCAL6,
            Rt.IFLA_VXLAN_GBP
          };
      default ->
          switch (msgType) {
            case Rt.RTM_NEWLINK ->
                new int[] {
                  Rt.IFLA_IFNAME, Rt.IFLA_MTU, Rt.IFLA_ADDRESS, Rt.IFLA_LINK, Rt.IFLA_LINKINFO
                };
            case Rt.RTM_NEWADDR -> new int[] {Rt.IFA_ADDRESS, Rt.IFA_LOCAL, Rt.IFA_FLAGS};
            case Rt.RTM_NEWROUTE ->
                new int[] {
                  Rt.RTA_DST,
                  Rt.RTA_GATEWAY,
                  Rt.RTA_OIF,
                  Rt.RTA_TABLE,
                  Rt.RTA_NH_ID,
                  Rt.RTA_PRIORITY,
                  Rt.RTA_PREFSRC
                };
            case Rt.RTM_NEWNEIGH -> new int[] {Rt.NDA_DST, Rt.NDA_LLADDR};
            case Rt.RTM_NEWNEXTHOP ->
                new int[] {Rt.NHA_ID, Rt.NHA_BLACKHOLE, Rt.NHA_OIF, Rt.NHA_GATEWAY};
            default -> new int[] {1, 2, 3};
          };
    };
  }

  private static void attrs(Random r, ByteBuffer b, int msgType, String where, int depth) {
    int n = r.nextInt(where.isEmpty() ? 10 : 6);
    for (int i = 0; i < n && b.remaining() > 600; i++) {
      int type = r.nextInt(6) == 0 ? r.nextInt(80) : pick(r, types(msgType, where));
      if (r.nextInt(10) == 0) {
        type |= pick(r, Rt.NLA_F_NESTED, Rt.NLA_F_NET_BYTEORDER);
      }
      boolean nest =
          depth < 3
              && (where.isEmpty() && type == Rt.IFLA_LINKINFO && msgType == Rt.RTM_NEWLINK
                  || where.equals("linkinfo") && type == Rt.IFLA_INFO_DATA
                  || r.nextInt(20) == 0);
      if (nest) {
        int mark = b.position();
        b.putShort((short) 0).putShort((short) type);
        attrs(r, b, msgType, where.isEmpty() ? "linkinfo" : "data", depth + 1);
        int len = b.position() - mark;
        b.putShort(mark, (short) (r.nextInt(10) == 0 ? len + r.nextInt(9) - 4 : len));
      } else if (where.equals("linkinfo") && type == Rt.IFLA_INFO_KIND) {
        attr(r, b, type, kind(r));
      } else {
        attr(r, b, type, randomValue(r, false));
      }
    }
  }

  private static byte[] kind(Random r) {
    String k = r.nextInt(4) == 0 ? "veth" : "vxlan";
    byte[] raw = k.getBytes(StandardCharsets.US_ASCII);
    return r.nextBoolean() ? Arrays.copyOf(raw, raw.length + 1) : raw;
  }

  private static byte[] randomValue(Random r, boolean text) {
    int len = pick(r, 0, 1, 2, 3, 4, 5, 6, 8, 15, 16, 17, r.nextInt(48));
    byte[] v = new byte[len];
    if (text) {
      for (int i = 0; i < len; i++) {
        v[i] = (byte) (r.nextInt(5) == 0 ? 0 : 'a' + r.nextInt(26));
      }
    } else {
      r.nextBytes(v);
    }
    return v;
  }

  private static void attr(Random r, ByteBuffer b, int type, byte[] value) {
    int len = 4 + value.length;
    b.putShort((short) (r.nextInt(16) == 0 ? len + r.nextInt(9) - 4 : len))
        .putShort((short) type)
        .put(value);
    while (b.position() % 4 != 0) {
      b.put((byte) 0);
    }
  }
}
