package io.jflannel.netlink;

import io.jflannel.netlink.wire.Rt;
import org.slf4j.LoggerFactory;

/**
 * Routes that point at nexthop objects ({@code ip route replace 10.244.2.0/24 nhid N} with {@code
 * ip nexthop replace id N via 10.244.2.0 dev flannel.1 onlink}) instead of carrying their gateway.
 *
 * <p>Why: in current kernels each IPv4 route with its own gateway inserts in time that grows with
 * the number of such routes (10k ≈ 1 s, 50k ≈ 31 s), while nexthop objects plus routes that refer
 * to them stay linear (50k ≈ 0.5 s). The trade-off: {@code ip route} shows {@code nhid N} and tools
 * that expect a plain {@code via} route see a different shape, and kernels before 5.3 have no
 * nexthop objects ({@link #supported} tells).
 *
 * <p>Ids of flannel's nexthops lie in {@code [ID_BASE, ID_BASE + 2^24)}, one per peer subnet, so
 * they are stable across restarts and never collide with low ids other software picks.
 */
public final class NexthopRoutes {
  /** First id of flannel's nexthop objects. */
  public static final int ID_BASE = 0x1F00_0000;

  private static final int ID_SPAN = 1 << 24;

  private NexthopRoutes() {}

  /** A nexthop object and the route that uses it. */
  public record Pair(Nexthop nexthop, Route route) {}

  /** The nexthop id of peer number {@code index} (its subnet's position in the network). */
  public static int id(long index) {
    if (index < 0 || index >= ID_SPAN) {
      throw new IllegalArgumentException("nexthop index out of range: " + index);
    }
    return ID_BASE + (int) index;
  }

  /** Whether {@code id} is one of flannel's. */
  public static boolean owned(int id) {
    return id >= ID_BASE && id < ID_BASE + ID_SPAN;
  }

  /** {@code gatewayRoute} split into a nexthop object with {@code id} and a route using it. */
  public static Pair of(Route gatewayRoute, int id) {
    Nexthop nh =
        new Nexthop(
            id,
            gatewayRoute.gateway(),
            gatewayRoute.linkIndex(),
            gatewayRoute.flags() & Rt.RTNH_F_ONLINK,
            false,
            Ips.family(gatewayRoute.gateway()));
    Route r = Route.nexthop(gatewayRoute.dst(), id).withTable(gatewayRoute.table());
    return new Pair(nh, r);
  }

  /**
   * A dumped route as it was written: the kernel reports a nexthop route with its nexthop's gateway
   * and link filled in, which {@link Route#nexthop} leaves out.
   */
  public static Route normalize(Route dumped) {
    if (dumped.nexthopId() == 0) {
      return dumped;
    }
    return new Route(
        dumped.dst(),
        null,
        0,
        0,
        dumped.scope(),
        dumped.table(),
        dumped.protocol(),
        dumped.type(),
        dumped.nexthopId(),
        dumped.priority(),
        dumped.prefSrc());
  }

  /**
   * Whether to use nexthop routes: {@code wanted} (the backend option) and {@link #supported}; logs
   * a warning when wanted but the kernel lacks them.
   */
  public static boolean enabled(Netlink nl, boolean wanted) {
    if (!wanted) {
      return false;
    }
    if (supported(nl)) {
      return true;
    }
    LoggerFactory.getLogger(NexthopRoutes.class)
        .warn("NexthopRoutes: this kernel has no nexthop objects (5.3+); using plain routes");
    return false;
  }

  /** Whether this kernel has nexthop objects (5.3+): a nexthop dump succeeds. */
  public static boolean supported(Netlink nl) {
    try {
      nl.nexthops().list();
      return true;
    } catch (NetlinkException e) {
      return false;
    }
  }
}
