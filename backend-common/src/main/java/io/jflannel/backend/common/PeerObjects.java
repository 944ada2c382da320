package io.jflannel.backend.common;

import io.jflannel.netlink.FdbEntry;
import io.jflannel.netlink.Neighbour;
import io.jflannel.netlink.Nexthop;
import io.jflannel.netlink.Route;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel objects one peer needs, as a {@link RouteNetwork} programs them: host-gw one route per
 * family; vxlan per family a permanent neighbour, an FDB entry and an onlink route (or a direct
 * route with DirectRouting); with NexthopRoutes, a nexthop object behind each gatewayed route.
 *
 * @param neighbours permanent neighbour entries
 * @param fdbs FDB entries
 * @param nexthops nexthop objects the routes use; empty without NexthopRoutes
 * @param routes the routes
 */
public record PeerObjects(
    List<Neighbour> neighbours, List<FdbEntry> fdbs, List<Nexthop> nexthops, List<Route> routes) {

  /** Objects that are only routes. */
  public static PeerObjects routes(List<Route> routes) {
    return new PeerObjects(List.of(), List.of(), List.of(), routes);
  }

  /**
   * These objects with every gatewayed route put behind a nexthop object of {@code ids}; unchanged
   * when {@code ids} is null.
   */
  PeerObjects viaNexthops(NexthopIds ids) {
    if (ids == null) {
      return this;
    }
    List<Nexthop> hops = new ArrayList<>(routes.size());
    List<Route> paired = new ArrayList<>(routes.size());
    for (Route r : routes) {
      if (r.gateway() == null) {
        paired.add(r);
      } else {
        NexthopIds.Pair p = ids.pair(r);
        hops.add(p.nexthop());
        paired.add(p.route());
      }
    }
    return new PeerObjects(neighbours, fdbs, List.copyOf(hops), List.copyOf(paired));
  }
}
