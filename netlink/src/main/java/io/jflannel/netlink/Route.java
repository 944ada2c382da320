package io.jflannel.netlink;

import io.jflannel.netlink.wire.Rt;
import java.net.InetAddress;

/**
 * A route: what {@code ip route} prints and takes.
 *
 * <p>Equality covers every field, so two routes from a dump compare equal to the route that was
 * written only when the caller used the kernel's own defaults (table main, proto boot, type
 * unicast); use {@link #sameTarget} to match on the destination alone.
 *
 * @param dst destination prefix
 * @param gateway next hop ({@code via}), or null
 * @param linkIndex output interface ({@code dev}), or 0
 * @param flags {@code rtm_flags} ({@link Rt#RTNH_F_ONLINK} = {@code onlink})
 * @param scope {@code rtm_scope} ({@code RT_SCOPE_UNIVERSE} = 0, {@code link} = 253)
 * @param table routing table ({@code main} = 254)
 * @param protocol {@code proto} ({@code boot} = 3, iproute2's default)
 * @param type {@code rtm_type} ({@code unicast} = 1, {@code blackhole} = 6)
 * @param nexthopId {@code nhid}, or 0
 * @param priority {@code metric}, or 0
 * @param prefSrc preferred source ({@code src}), or null
 */
public record Route(
    IpPrefix dst,
    InetAddress gateway,
    int linkIndex,
    int flags,
    int scope,
    int table,
    int protocol,
    int type,
    int nexthopId,
    int priority,
    InetAddress prefSrc) {

  /** {@code ip route replace <dst> via <gateway> dev <link>}, in table main. */
  public static Route via(IpPrefix dst, InetAddress gateway, int linkIndex) {
    return new Route(
        dst,
        gateway,
        linkIndex,
        0,
        Rt.RT_SCOPE_UNIVERSE,
        Rt.RT_TABLE_MAIN,
        Rt.RTPROT_BOOT,
        Rt.RTN_UNICAST,
        0,
        0,
        null);
  }

  /** {@code ip route replace <dst> dev <link>} (scope link), in table main. */
  public static Route dev(IpPrefix dst, int linkIndex) {
    return new Route(
        dst,
        null,
        linkIndex,
        0,
        Rt.RT_SCOPE_LINK,
        Rt.RT_TABLE_MAIN,
        Rt.RTPROT_BOOT,
        Rt.RTN_UNICAST,
        0,
        0,
        null);
  }

  /** {@code ip route replace <dst> nhid <id>}, in table main. */
  public static Route nexthop(IpPrefix dst, int nexthopId) {
    return new Route(
        dst,
        null,
        0,
        0,
        Rt.RT_SCOPE_UNIVERSE,
        Rt.RT_TABLE_MAIN,
        Rt.RTPROT_BOOT,
        Rt.RTN_UNICAST,
        nexthopId,
        0,
        null);
  }

  /** {@code ip route replace blackhole <dst>}, in table main. */
  public static Route blackhole(IpPrefix dst) {
    return new Route(
        dst,
        null,
        0,
        0,
        Rt.RT_SCOPE_UNIVERSE,
        Rt.RT_TABLE_MAIN,
        Rt.RTPROT_BOOT,
        Rt.RTN_BLACKHOLE,
        0,
        0,
        null);
  }

  /** This route with metric {@code newPriority}. */
  public Route withPriority(int newPriority) {
    return new Route(
        dst,
        gateway,
        linkIndex,
        flags,
        scope,
        table,
        protocol,
        type,
        nexthopId,
        newPriority,
        prefSrc);
  }

  /** This route with the {@code onlink} flag. */
  public Route onlink() {
    return withFlags(flags | Rt.RTNH_F_ONLINK);
  }

  public Route withFlags(int newFlags) {
    return new Route(
        dst, gateway, linkIndex, newFlags, scope, table, protocol, type, nexthopId, priority,
        prefSrc);
  }

  public Route withTable(int newTable) {
    return new Route(
        dst, gateway, linkIndex, flags, scope, newTable, protocol, type, nexthopId, priority,
        prefSrc);
  }

  public Route withProtocol(int newProtocol) {
    return new Route(
        dst,
        gateway,
        linkIndex,
        flags,
        scope,
        table,
        newProtocol,
        type,
        nexthopId,
        priority,
        prefSrc);
  }

  /** Whether the {@code onlink} flag is set. */
  public boolean isOnlink() {
    return (flags & Rt.RTNH_F_ONLINK) != 0;
  }

  /** Same destination, table and metric: the kernel's identity of a route. */
  public boolean sameTarget(Route o) {
    return dst.equals(o.dst) && table == o.table && priority == o.priority;
  }

  /** {@code AF_INET} or {@code AF_INET6}. */
  public int family() {
    return dst.family();
  }
}
