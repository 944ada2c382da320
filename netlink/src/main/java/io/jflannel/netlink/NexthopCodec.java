package io.jflannel.netlink;

import static io.jflannel.netlink.wire.Rt.*;

import io.jflannel.netlink.wire.Attrs;
import io.jflannel.netlink.wire.MessageBuilder;
import io.jflannel.netlink.wire.NlMessage;
import java.util.function.IntFunction;

/** Encodes nexthop requests and decodes {@code RTM_NEWNEXTHOP} messages. Pure, no I/O. */
final class NexthopCodec {
  private NexthopCodec() {}

  /** {@code struct nhmsg}; dumps and deletes must leave protocol and flags 0 (strict check). */
  private static MessageBuilder nhmsg(int type, int flags, int family, int protocol, int nhFlags) {
    return new MessageBuilder(type, NLM_F_REQUEST | flags)
        .u8(family)
        .u8(0) // scope
        .u8(protocol)
        .u8(0)
        .u32(nhFlags);
  }

  private static MessageBuilder body(int type, int flags, Nexthop n) {
    MessageBuilder m =
        nhmsg(type, flags, n.family(), RTPROT_BOOT, n.flags()).attrU32(NHA_ID, n.id());
    if (n.blackhole()) {
      m.attrFlag(NHA_BLACKHOLE);
    } else {
      if (n.linkIndex() != 0) {
        m.attrU32(NHA_OIF, n.linkIndex());
      }
      if (n.gateway() != null) {
        m.attr(NHA_GATEWAY, n.gateway().getAddress());
      }
    }
    return m;
  }

  static String describe(Nexthop n, IntFunction<String> names) {
    StringBuilder s = new StringBuilder("id ").append(Integer.toUnsignedString(n.id()));
    if (n.blackhole()) {
      return s.append(" blackhole").toString();
    }
    if (n.gateway() != null) {
      s.append(" via ").append(Ips.format(n.gateway()));
    }
    if (n.linkIndex() != 0) {
      s.append(" dev ").append(names.apply(n.linkIndex()));
    }
    if (n.isOnlink()) {
      s.append(" onlink");
    }
    return s.toString();
  }

  static Request add(Nexthop n, IntFunction<String> names) {
    return new Request(
        body(RTM_NEWNEXTHOP, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, n),
        () -> "RTM_NEWNEXTHOP " + describe(n, names));
  }

  static Request replace(Nexthop n, IntFunction<String> names) {
    return new Request(
        body(RTM_NEWNEXTHOP, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, n),
        () -> "RTM_NEWNEXTHOP " + describe(n, names) + " (replace)");
  }

  static Request delete(int id) {
    return new Request(
        nhmsg(RTM_DELNEXTHOP, NLM_F_ACK, AF_UNSPEC, 0, 0).attrU32(NHA_ID, id),
        "RTM_DELNEXTHOP id " + Integer.toUnsignedString(id));
  }

  static Request dump() {
    return new Request(nhmsg(RTM_GETNEXTHOP, NLM_F_DUMP, AF_UNSPEC, 0, 0), "RTM_GETNEXTHOP dump");
  }

  static Nexthop decode(NlMessage msg) throws NetlinkParseException {
    int family = msg.u8(0);
    int flags = msg.s32(4);
    Attrs a = msg.attrs(NHMSG_LEN);
    return new Nexthop(
        a.u32(NHA_ID),
        a.ipOrNull(NHA_GATEWAY),
        a.u32(NHA_OIF, 0),
        flags,
        a.has(NHA_BLACKHOLE),
        family);
  }
}
