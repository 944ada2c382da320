package io.jflannel.netlink;

import static io.jflannel.netlink.wire.Rt.*;

import io.jflannel.netlink.wire.Attrs;
import io.jflannel.netlink.wire.MessageBuilder;
import io.jflannel.netlink.wire.NlMessage;
import java.net.InetAddress;
import java.util.function.IntFunction;

/**
 * Encodes neighbour and FDB requests and decodes {@code RTM_NEWNEIGH} messages; FDB entries are
 * neighbour messages of family {@code AF_BRIDGE}. Pure, no I/O.
 */
final class NeighbourCodec {
  private NeighbourCodec() {}

  private static MessageBuilder ndmsg(
      int type, int flags, int family, int index, int state, int ntf) {
    return new MessageBuilder(type, NLM_F_REQUEST | flags)
        .u8(family)
        .u8(0)
        .u16(0)
        .u32(index)
        .u16(state)
        .u8(ntf)
        .u8(0);
  }

  private static MessageBuilder neigh(int type, int flags, Neighbour n) {
    MessageBuilder m =
        ndmsg(type, flags, Ips.family(n.ip()), n.linkIndex(), n.state(), n.flags())
            .attr(NDA_DST, n.ip().getAddress());
    if (n.mac() != null) {
      m.attr(NDA_LLADDR, n.mac().bytes());
    }
    return m;
  }

  private static String describe(Neighbour n, IntFunction<String> names) {
    return Ips.format(n.ip())
        + (n.mac() == null ? "" : " lladdr " + n.mac())
        + " dev "
        + names.apply(n.linkIndex());
  }

  static Request replace(Neighbour n, IntFunction<String> names) {
    return new Request(
        neigh(RTM_NEWNEIGH, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, n),
        () -> "RTM_NEWNEIGH " + describe(n, names));
  }

  static Request delete(Neighbour n, IntFunction<String> names) {
    return new Request(
        neigh(RTM_DELNEIGH, NLM_F_ACK, n), () -> "RTM_DELNEIGH " + describe(n, names));
  }

  static Request dump(int family) {
    return new Request(ndmsg(RTM_GETNEIGH, NLM_F_DUMP, family, 0, 0, 0), "RTM_GETNEIGH dump");
  }

  private static MessageBuilder fdb(int type, int flags, FdbEntry f) {
    MessageBuilder m =
        ndmsg(type, flags, AF_BRIDGE, f.linkIndex(), f.state(), f.flags())
            .attr(NDA_LLADDR, f.mac().bytes());
    if (f.dst() != null) {
      m.attr(NDA_DST, f.dst().getAddress());
    }
    return m;
  }

  private static String describe(FdbEntry f, IntFunction<String> names) {
    return f.mac()
        + " dev "
        + names.apply(f.linkIndex())
        + (f.dst() == null ? "" : " dst " + Ips.format(f.dst()));
  }

  static Request fdbAppend(FdbEntry f, IntFunction<String> names) {
    return new Request(
        fdb(RTM_NEWNEIGH, NLM_F_ACK | NLM_F_CREATE | NLM_F_APPEND, f),
        () -> "RTM_NEWNEIGH fdb append " + describe(f, names));
  }

  static Request fdbReplace(FdbEntry f, IntFunction<String> names) {
    return new Request(
        fdb(RTM_NEWNEIGH, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, f),
        () -> "RTM_NEWNEIGH fdb replace " + describe(f, names));
  }

  static Request fdbDelete(FdbEntry f, IntFunction<String> names) {
    return new Request(
        fdb(RTM_DELNEIGH, NLM_F_ACK, f), () -> "RTM_DELNEIGH fdb " + describe(f, names));
  }

  /** Decodes an {@code RTM_NEWNEIGH} of family {@code AF_INET}/{@code AF_INET6}. */
  static Neighbour decode(NlMessage msg) throws NetlinkParseException {
    int index = msg.s32(4);
    int state = msg.u16(8);
    int flags = msg.u8(10);
    Attrs a = msg.attrs(NDMSG_LEN);
    InetAddress dst = a.ipOrNull(NDA_DST);
    if (dst == null) {
      throw new NetlinkParseException("neighbour without NDA_DST");
    }
    return new Neighbour(
        index,
        dst,
        a.length(NDA_LLADDR) == 6 ? MacAddress.of(a.bytes(NDA_LLADDR)) : null,
        state,
        flags);
  }

  /** Decodes an {@code RTM_NEWNEIGH} of family {@code AF_BRIDGE}; null for non-Ethernet ones. */
  static FdbEntry decodeFdb(NlMessage msg) throws NetlinkParseException {
    int index = msg.s32(4);
    int state = msg.u16(8);
    int flags = msg.u8(10);
    Attrs a = msg.attrs(NDMSG_LEN);
    if (a.length(NDA_LLADDR) != 6) {
      return null;
    }
    return new FdbEntry(
        index, MacAddress.of(a.bytes(NDA_LLADDR)), a.ipOrNull(NDA_DST), state, flags);
  }
}
