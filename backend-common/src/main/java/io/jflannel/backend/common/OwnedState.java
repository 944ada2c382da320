package io.jflannel.backend.common;

import io.jflannel.backend.common.PeerChanges.Changes;
import io.jflannel.backend.common.PeerChanges.Keys;
import io.jflannel.backend.common.PeerChanges.Wanted;
import io.jflannel.core.backend.Diff;
import io.jflannel.core.backend.PlannedChange;
import io.jflannel.core.backend.PlannedChange.Op;
import io.jflannel.netlink.FdbEntry;
import io.jflannel.netlink.Neighbour;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Nexthop;
import io.jflannel.netlink.Route;
import io.jflannel.netlink.wire.Rt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The kernel objects a {@link RouteNetwork} owns, read in one pass (its {@link
 * RouteNetwork#ownsRoute} routes as written, the permanent neighbours and FDB entries with a
 * destination on its {@link RouteNetwork#entryLinks}, flannel's nexthop objects), and their
 * difference from what the peers want: as {@link Changes} to write (the reconcile) or as {@link
 * PlannedChange}s to report (the plan). Both come from the same {@link Diff}s.
 */
final class OwnedState {
  final List<Route> routes = new ArrayList<>();
  final List<Neighbour> neighbours = new ArrayList<>();
  final List<FdbEntry> fdbs = new ArrayList<>();
  final List<Nexthop> nexthops = new ArrayList<>();

  private OwnedState() {}

  /** What {@code net} owns in {@code kernel} now; nexthop objects only when it uses them. */
  static OwnedState read(RouteNetwork net, Kernel kernel, boolean withNexthops)
      throws NetlinkException {
    OwnedState s = new OwnedState();
    s.routes.addAll(routes(net, kernel));
    s.neighbours.addAll(neighbours(net, kernel));
    s.fdbs.addAll(fdbs(net, kernel));
    s.nexthops.addAll(nexthops(kernel, withNexthops));
    return s;
  }

  /**
   * The writes that make what {@code net} owns in {@code kernel} what {@code want} says, as {@link
   * #read} then {@link #diff} would, but one kind at a time: each dump is diffed and dropped before
   * the next is read, so a pass over 5,000 peers holds one dump at a time, not all of them (what
   * survives a young collection mid-pass is what fills the old generation).
   */
  static Changes diff(RouteNetwork net, Kernel kernel, boolean withNexthops, Wanted want)
      throws NetlinkException {
    Changes c = new Changes();
    c.put(Diff.of(want.routes, routes(net, kernel), Route::dst), c.routes, c.goneRoutes);
    c.put(
        Diff.of(want.neighbours, neighbours(net, kernel), Keys::of),
        c.neighbours,
        c.goneNeighbours);
    c.put(Diff.of(want.fdbs, fdbs(net, kernel), Keys::of), c.fdbs, c.goneFdbs);
    c.put(
        Diff.of(want.nexthops, nexthops(kernel, withNexthops), Nexthop::id),
        c.nexthops,
        c.goneNexthops);
    return c;
  }

  private static List<Route> routes(RouteNetwork net, Kernel kernel) throws NetlinkException {
    List<Route> out = new ArrayList<>();
    for (Route r : kernel.routes(Rt.AF_UNSPEC)) {
      if (net.ownsRoute(r)) {
        out.add(asWritten(r));
      }
    }
    return out;
  }

  private static List<Neighbour> neighbours(RouteNetwork net, Kernel kernel)
      throws NetlinkException {
    Set<Integer> links = net.entryLinks();
    List<Neighbour> out = new ArrayList<>();
    if (links.isEmpty()) {
      return out;
    }
    for (Neighbour n : kernel.neighbours()) {
      if (links.contains(n.linkIndex()) && n.state() == Rt.NUD_PERMANENT && net.ownsNeighbour(n)) {
        out.add(n);
      }
    }
    return out;
  }

  private static List<FdbEntry> fdbs(RouteNetwork net, Kernel kernel) throws NetlinkException {
    Set<Integer> links = net.entryLinks();
    List<FdbEntry> out = new ArrayList<>();
    if (links.isEmpty()) {
      return out;
    }
    for (FdbEntry f : kernel.fdb()) {
      if (links.contains(f.linkIndex()) && f.dst() != null) {
        out.add(f);
      }
    }
    return out;
  }

  private static List<Nexthop> nexthops(Kernel kernel, boolean withNexthops)
      throws NetlinkException {
    List<Nexthop> out = new ArrayList<>();
    if (!withNexthops) {
      return out;
    }
    for (Nexthop h : kernel.nexthops()) {
      if (NexthopIds.owned(h.id())) {
        out.add(h);
      }
    }
    return out;
  }

  /** The metric the kernel gives an IPv6 route written without one ({@code IP6_RT_PRIO_USER}). */
  static final int IPV6_DEFAULT_METRIC = 1024;

  /**
   * A dumped route as this network wrote it, so that an unchanged route compares equal: a nexthop
   * route without the gateway and link the kernel fills in ({@link NexthopIds#normalize}), and an
   * IPv6 route without the metric 1024 the kernel gives a route written with none.
   */
  static Route asWritten(Route dumped) {
    Route r = NexthopIds.normalize(dumped);
    boolean ipv6Default = r.family() == Rt.AF_INET6 && r.priority() == IPV6_DEFAULT_METRIC;
    return ipv6Default ? r.withPriority(0) : r;
  }

  /** The writes that make this state what {@code want} says. */
  Changes diff(Wanted want) {
    Changes c = new Changes();
    c.put(Diff.of(want.neighbours, neighbours, Keys::of), c.neighbours, c.goneNeighbours);
    c.put(Diff.of(want.fdbs, fdbs, Keys::of), c.fdbs, c.goneFdbs);
    c.put(Diff.of(want.nexthops, nexthops, Nexthop::id), c.nexthops, c.goneNexthops);
    c.put(Diff.of(want.routes, routes, Route::dst), c.routes, c.goneRoutes);
    return c;
  }

  /**
   * The same writes as {@link #diff}, each told apart as missing ({@link Op#ADD}), differing
   * ({@link Op#FIX}, with the kernel's object) or unwanted ({@link Op#REMOVE}), with the peer that
   * wants it ({@code peerOf}: object → the peer's subnets).
   */
  List<PlannedChange> plan(Wanted want, Map<Object, String> peerOf, IntFunction<String> dev) {
    Changes c = diff(want);
    Planner p = new Planner(peerOf, dev);
    p.add("neighbour", c.neighbours, c.goneNeighbours, neighbours, Keys::of);
    p.add("fdb", c.fdbs, c.goneFdbs, fdbs, Keys::of);
    p.add("nexthop", c.nexthops, c.goneNexthops, nexthops, Nexthop::id);
    p.add("route", c.routes, c.goneRoutes, routes, Route::dst);
    return p.out;
  }

  /** Turns one kind's upserts and deletes into planned changes, in iproute2's notation. */
  private record Planner(
      Map<Object, String> peerOf, IntFunction<String> dev, List<PlannedChange> out) {
    Planner(Map<Object, String> peerOf, IntFunction<String> dev) {
      this(peerOf, dev, new ArrayList<>());
    }

    <T, K> void add(
        String kind, List<T> upserts, List<T> deletes, List<T> actual, Function<T, K> key) {
      Map<K, T> present = new HashMap<>();
      actual.forEach(t -> present.putIfAbsent(key.apply(t), t));
      for (T t : upserts) {
        T there = present.get(key.apply(t));
        out.add(
            new PlannedChange(
                there == null ? Op.ADD : Op.FIX,
                kind,
                IpText.of(t, dev),
                peerOf.get(t),
                there == null ? null : IpText.of(there, dev)));
      }
      for (T t : deletes) {
        out.add(new PlannedChange(Op.REMOVE, kind, IpText.of(t, dev), null, null));
      }
    }
  }
}
