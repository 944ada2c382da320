package io.jflannel.backend.common;

import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Ips;
import io.jflannel.netlink.Nexthop;
import io.jflannel.netlink.Route;
import io.jflannel.netlink.wire.Rt;
import java.math.BigInteger;

/**
 * flannel's policy for nexthop objects (the {@code NexthopRoutes} backend option): which ids are
 * ours and which id a peer's route gets, so a restart finds the same objects and never touches
 * other software's.
 *
 * <p>Why nexthop objects: in current kernels each IPv4 route that carries its own gateway inserts
 * in time that grows with the number of such routes (10k ≈ 1 s, 50k ≈ 31 s), while nexthop objects
 * plus routes that refer to them stay linear (50k ≈ 0.5 s). The route {@code 10.244.2.0/24 via
 * 10.244.2.0 dev flannel.1 onlink} becomes {@code ip nexthop replace id N via 10.244.2.0 dev
 * flannel.1 onlink} and {@code ip route replace 10.244.2.0/24 nhid N}.
 *
 * <p>Ids lie in {@code [ID_BASE, ID_BASE + 2^24)}: an IPv4 peer's id is {@code ID_BASE} plus its
 * subnet's position in the Network ({@code 10.244.2.0/24} in {@code 10.244.0.0/16} is 2), an IPv6
 * peer's {@code ID_BASE + 2^23} plus its position in the IPv6Network (modulo 2^23, which only an
 * IPv6Network of more than 8 million subnets could wrap). Stable across restarts, one per subnet.
 *
 * <p>Immutable and thread-safe.
 */
public final class NexthopIds {
  /** First id of flannel's nexthop objects. */
  public static final int ID_BASE = 0x1F00_0000;

  private static final int HALF = 1 << 23;

  private final Ip4Net network;
  private final Ip6Net ipv6Network;

  /**
   * @param network the IPv4 Network, or null
   * @param ipv6Network the IPv6Network, or null
   */
  public NexthopIds(Ip4Net network, Ip6Net ipv6Network) {
    this.network = network;
    this.ipv6Network = ipv6Network;
  }

  /** A nexthop object and the route that uses it. */
  public record Pair(Nexthop nexthop, Route route) {}

  /** Whether {@code id} is one of flannel's. */
  public static boolean owned(int id) {
    return id >= ID_BASE && id < ID_BASE + 2 * HALF;
  }

  /**
   * The id of the peer route to {@code dst}, a subnet of the Network or IPv6Network.
   *
   * @throws IllegalArgumentException if {@code dst} lies in neither
   */
  public int id(IpPrefix dst) {
    int shift = (KernelTypes.isIpv4(dst.address()) ? 32 : 128) - dst.length();
    if (KernelTypes.isIpv4(dst.address())) {
      if (network == null || !network.contains(KernelTypes.ip4Net(dst))) {
        throw new IllegalArgumentException(dst + " is not in the Network " + network);
      }
      long offset =
          Integer.toUnsignedLong(KernelTypes.ip4(dst.address()).value() - network.address());
      return ID_BASE + (int) ((offset >>> shift) % HALF);
    }
    if (ipv6Network == null || !ipv6Network.contains(KernelTypes.ip6Net(dst))) {
      throw new IllegalArgumentException(dst + " is not in the IPv6Network " + ipv6Network);
    }
    BigInteger offset =
        new BigInteger(1, dst.address().getAddress()).subtract(ipv6Network.ip().toBigInteger());
    return ID_BASE + HALF + offset.shiftRight(shift).mod(BigInteger.valueOf(HALF)).intValue();
  }

  /** {@code gatewayRoute} split into a nexthop object with its id and a route using it. */
  public Pair pair(Route gatewayRoute) {
    int id = id(gatewayRoute.dst());
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
}
