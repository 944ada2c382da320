package io.jflannel.backend.vxlan;

import io.jflannel.netlink.FdbEntry;
import io.jflannel.netlink.Neighbour;
import io.jflannel.netlink.Nexthop;
import io.jflannel.netlink.Route;
import java.util.List;

/**
 * The kernel objects one peer needs: ARP entry, FDB entry and onlink route through the vxlan
 * device, or only a direct route via its public IP (DirectRouting).
 *
 * @param neighbour the permanent ARP entry, or null for a direct route
 * @param fdb the FDB entry, or null for a direct route
 * @param nexthops the nexthop objects the routes use (NexthopRoutes option), else empty
 * @param routes the route(s)
 */
record PeerEntries(Neighbour neighbour, FdbEntry fdb, List<Nexthop> nexthops, List<Route> routes) {}
