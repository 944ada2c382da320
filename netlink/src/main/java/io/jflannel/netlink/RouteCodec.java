package io.jflannel.netlink;

import static io.jflannel.netlink.wire.Rt.*;

import io.jflannel.netlink.wire.Attrs;
import io.jflannel.netlink.wire.MessageBuilder;
import io.jflannel.netlink.wire.NlMessage;
import java.net.InetAddress;
import java.util.function.IntFunction;

/** Encodes route requests and decodes {@code RTM_NEWROUTE} messages. Pure, no I/O. */
final class RouteCodec {
  private RouteCodec() {}

  private static MessageBuilder rtmsg(int type, int flags, Route r) {
    int table = r.table() < 256 ? r.table() : RT_TABLE_UNSPEC;
    MessageBuilder m =
        new MessageBuilder(type, NLM_F_REQUEST | flags)
            .u8(r.family())
            .u8(r.dst().length())
            .u8(0) // src_len
            .u8(0) // tos
            .u8(table)
            .u8(r.protocol())
            .u8(r.scope())
            .u8(r.type())
            .u32(r.flags());
    if (r.table() >= 256) {
      m.attrU32(RTA_TABLE, r.table());
    }
    m.attr(RTA_DST, r.dst().address().getAddress());
    if (r.nexthopId() != 0) {
      m.attrU32(RTA_NH_ID, r.nexthopId());
    }
    if (r.gateway() != null) {
      m.attr(RTA_GATEWAY, r.gateway().getAddress());
    }
    if (r.linkIndex() != 0) {
      m.attrU32(RTA_OIF, r.linkIndex());
    }
    if (r.priority() != 0) {
      m.attrU32(RTA_PRIORITY, r.priority());
    }
    if (r.prefSrc() != null) {
      m.attr(RTA_PREFSRC, r.prefSrc().getAddress());
    }
    return m;
  }

  static Request replace(Route r, IntFunction<String> names) {
    return new Request(
        rtmsg(RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, r),
        () -> "RTM_NEWROUTE " + describe(r, names));
  }

  /**
   * Like iproute2, a delete leaves protocol and type (0) and, for IPv4, scope ({@code
   * RT_SCOPE_NOWHERE}) open, so the kernel matches the route by destination, table, metric, gateway
   * and link only, whoever installed it.
   */
  static Request delete(Route r, IntFunction<String> names) {
    Route any =
        new Route(
            r.dst(),
            r.gateway(),
            r.linkIndex(),
            r.flags(),
            r.family() == AF_INET ? RT_SCOPE_NOWHERE : r.scope(),
            r.table(),
            0,
            0,
            r.nexthopId(),
            r.priority(),
            r.prefSrc());
    return new Request(
        rtmsg(RTM_DELROUTE, NLM_F_ACK, any), () -> "RTM_DELROUTE " + describe(r, names));
  }

  static Request dump(int family) {
    return new Request(
        new MessageBuilder(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP)
            .u8(family)
            .u8(0)
            .u8(0)
            .u8(0)
            .u8(0)
            .u8(0)
            .u8(0)
            .u8(0)
            .u32(0),
        "RTM_GETROUTE dump");
  }

  static Request get(InetAddress dst) {
    IpPrefix p = IpPrefix.host(dst);
    return new Request(
        new MessageBuilder(RTM_GETROUTE, NLM_F_REQUEST)
            .u8(p.family())
            .u8(p.length())
            .u8(0)
            .u8(0)
            .u8(0)
            .u8(0)
            .u8(0)
            .u8(0)
            .u32(0)
            .attr(RTA_DST, dst.getAddress()),
        "RTM_GETROUTE " + Ips.format(dst));
  }

  /** {@code "10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink"}. */
  static String describe(Route r, IntFunction<String> names) {
    StringBuilder s = new StringBuilder();
    if (r.type() == RTN_BLACKHOLE) {
      s.append("blackhole ");
    }
    s.append(r.dst());
    if (r.nexthopId() != 0) {
      s.append(" nhid ").append(r.nexthopId());
    }
    if (r.gateway() != null) {
      s.append(" via ").append(Ips.format(r.gateway()));
    }
    if (r.linkIndex() != 0) {
      s.append(" dev ").append(names.apply(r.linkIndex()));
    }
    if (r.table() != RT_TABLE_MAIN) {
      s.append(" table ").append(r.table());
    }
    if (r.priority() != 0) {
      s.append(" metric ").append(r.priority());
    }
    if (r.isOnlink()) {
      s.append(" onlink");
    }
    return s.toString();
  }

  /** Decodes an {@code RTM_NEWROUTE} message. */
  static Route decode(NlMessage msg) throws NetlinkParseException {
    int family = msg.u8(0);
    int dstLen = msg.u8(1);
    int table = msg.u8(4);
    int protocol = msg.u8(5);
    int scope = msg.u8(6);
    int type = msg.u8(7);
    int flags = msg.s32(8);
    Attrs a = msg.attrs(RTMSG_LEN);
    if (family != AF_INET && family != AF_INET6) {
      throw new NetlinkParseException("route of family " + family);
    }
    int max = family == AF_INET ? 32 : 128;
    if (dstLen > max) {
      throw new NetlinkParseException("route prefix length " + dstLen);
    }
    InetAddress dst = a.ipOrNull(RTA_DST);
    if (dst == null) {
      dst = Ips.of(new byte[family == AF_INET ? 4 : 16]);
    }
    if ((dst.getAddress().length == 4) != (family == AF_INET)) {
      throw new NetlinkParseException("route destination of the wrong family");
    }
    return new Route(
        new IpPrefix(dst, dstLen),
        a.ipOrNull(RTA_GATEWAY),
        a.u32(RTA_OIF, 0),
        flags,
        scope,
        a.u32(RTA_TABLE, table),
        protocol,
        type,
        a.u32(RTA_NH_ID, 0),
        a.u32(RTA_PRIORITY, 0),
        a.ipOrNull(RTA_PREFSRC));
  }
}
