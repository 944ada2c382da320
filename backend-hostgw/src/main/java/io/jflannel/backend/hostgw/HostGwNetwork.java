package io.jflannel.backend.hostgw;

import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.Diff;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.backend.Network;
import io.jflannel.core.backend.NetworkStats;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.netlink.Errno;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Ips;
import io.jflannel.netlink.Netlink;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Nexthop;
import io.jflannel.netlink.NexthopRoutes;
import io.jflannel.netlink.Request;
import io.jflannel.netlink.Result;
import io.jflannel.netlink.Route;
import io.jflannel.netlink.wire.Rt;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one route per peer, {@code <peer subnet> via <peer public IP> dev <external link>}, in the
 * main table: edge-triggered on lease events, level-triggered on {@link #reconcile}.
 *
 * <p>It owns the routes on the external link that have a gateway and a destination inside the
 * flannel Network (or IPv6Network); reconcile makes that set exactly the peers' routes, so routes
 * of nodes that left while the daemon was down go (upstream issue #2554) and deleted ones come
 * back, while a pass with nothing to repair writes nothing. A peer the kernel refuses (its public
 * IP is not on this link) is logged once and retried on every reconcile; the other peers are
 * unaffected.
 *
 * <p>Threading: {@link #handle} and {@link #reconcile} are called from the daemon's event thread
 * only; {@link #close} may come from any thread. Closes the {@link Netlink} handle it was given.
 */
public final class HostGwNetwork implements Network, NetworkStats {
  private static final Logger log = LoggerFactory.getLogger(HostGwNetwork.class);

  private final Netlink nl;
  private final ExternalInterface iface;
  private final NetworkConfig config;
  private final Lease own;
  private Map<Subnets, Peer> peers = new LinkedHashMap<>(); // guarded by this
  private final Set<String> warned = new HashSet<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final boolean nexthops;
  private long writes;

  HostGwNetwork(Netlink nl, ExternalInterface iface, NetworkConfig config, Lease own) {
    this.nl = nl;
    this.iface = iface;
    this.config = config;
    this.own = own;
    boolean want = false; // our NexthopRoutes option; keys are case-insensitive as upstream's
    for (var it = config.backend().fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (k.equalsIgnoreCase("NexthopRoutes")) {
        want = config.backend().get(k).asBoolean(false);
      }
    }
    this.nexthops = NexthopRoutes.enabled(nl, want);
  }

  @Override
  public Lease lease() {
    return own;
  }

  @Override
  public int mtu() {
    return iface.mtu();
  }

  /** Kernel writes made so far (route replaces and deletes), for metrics and tests. */
  @Override
  public synchronized long writes() {
    return writes;
  }

  @Override
  public synchronized void handle(List<LeaseEvent> events) throws BackendException {
    List<Route> upserts = new ArrayList<>();
    List<Route> deletes = new ArrayList<>();
    for (LeaseEvent e : events) {
      Lease l = e.lease();
      if (e instanceof LeaseEvent.Added) {
        if (!HostGwFactory.TYPE.equals(l.attrs().backendType())) {
          log.warn(
              "ignoring lease {}: backend type {} is not host-gw",
              l.subnets(),
              l.attrs().backendType());
          continue;
        }
        List<Route> want = routesOf(l);
        Peer before = peers.put(Subnets.of(l), new Peer(l, want));
        if (before != null) {
          deletes.addAll(before.routes().stream().filter(r -> !want.contains(r)).toList());
        }
        upserts.addAll(want);
        log.info("lease added: {} via {}", l.subnets(), l.attrs().publicIp());
      } else {
        Peer gone = peers.remove(Subnets.of(l));
        deletes.addAll(gone != null ? gone.routes() : routesOf(l));
        log.info("lease removed: {}", l.subnets());
      }
    }
    applyNexthops(nexthopsOf(upserts), List.of());
    apply(new Diff<>(viaNexthops(upserts), viaNexthops(deletes)), true);
    applyNexthops(List.of(), nexthopsOf(deletes));
  }

  @Override
  public synchronized void reconcile(List<Lease> current) throws BackendException {
    Map<Subnets, Peer> known = peers;
    Map<Subnets, Peer> next = new LinkedHashMap<>(current.size() * 2);
    for (Lease l : current) {
      if (HostGwFactory.TYPE.equals(l.attrs().backendType()) && !l.sameSubnets(own)) {
        Subnets key = Subnets.of(l);
        Peer peer = known.get(key);
        next.put(key, peer != null && peer.reusableFor(l) ? peer : new Peer(l, routesOf(l)));
      }
    }
    peers = next;
    List<Route> wanted = new ArrayList<>(next.size());
    for (Peer p : next.values()) {
      wanted.addAll(p.routes());
    }
    List<Route> actual;
    Diff<Nexthop> nhDiff;
    try {
      actual =
          nl.routes().list(Rt.AF_UNSPEC, Rt.RT_TABLE_MAIN).stream()
              .filter(this::owned)
              .map(NexthopRoutes::normalize)
              .toList();
      nhDiff =
          Diff.of(
              nexthopsOf(wanted),
              nexthops
                  ? nl.nexthops().list().stream().filter(h -> NexthopRoutes.owned(h.id())).toList()
                  : List.of(),
              Nexthop::id);
    } catch (NetlinkException e) {
      throw new BackendException("host-gw: cannot list routes: " + e.getMessage(), e);
    }
    Diff<Route> diff = Diff.of(viaNexthops(wanted), actual, Route::dst);
    applyNexthops(nhDiff.upserts(), List.of());
    if (!diff.isEmpty()) {
      log.info(
          "reconcile: {} route(s) to write, {} stale route(s) to remove",
          diff.upserts().size(),
          diff.deletes().size());
    }
    apply(diff, false);
    applyNexthops(List.of(), nhDiff.deletes());
  }

  /** A lease's subnets, the identity of a peer. */
  private record Subnets(Ip4Net v4, Ip6Net v6) {
    static Subnets of(Lease l) {
      return new Subnets(l.subnet(), l.ipv6Subnet());
    }
  }

  /**
   * A peer as last programmed: its lease and the routes it wants. A reconcile pass reuses the
   * routes while the lease is unchanged, so 5,000 peers are not turned into routes every pass.
   */
  private record Peer(Lease lease, List<Route> routes) {
    /** Whether {@code l}, a lease with the same subnets, wants exactly these routes. */
    boolean reusableFor(Lease l) {
      return lease == l || lease.attrs().equals(l.attrs());
    }
  }

  /** The nexthop objects the NexthopRoutes option puts behind {@code routes}; none without it. */
  private List<Nexthop> nexthopsOf(List<Route> routes) {
    return nexthops ? routes.stream().map(r -> pair(r).nexthop()).toList() : List.of();
  }

  /** {@code routes} as they are written: through nexthop objects with the option, else as is. */
  private List<Route> viaNexthops(List<Route> routes) {
    return nexthops ? routes.stream().map(r -> pair(r).route()).toList() : routes;
  }

  private NexthopRoutes.Pair pair(Route r) {
    long index;
    if (r.dst().address() instanceof Inet4Address) {
      index =
          Integer.toUnsignedLong(
                  Ip4.fromBytes(r.dst().address().getAddress()).value()
                      - config.network().address())
              >>> (32 - r.dst().length());
    } else {
      index = (1L << 23) + (r.dst().address().hashCode() & 0x7fffff); // v6: stable, rarely used
    }
    return NexthopRoutes.of(r, NexthopRoutes.id(index));
  }

  private void applyNexthops(List<Nexthop> upserts, List<Nexthop> deletes) throws BackendException {
    if (upserts.isEmpty() && deletes.isEmpty()) {
      return;
    }
    List<Request> reqs = new ArrayList<>();
    upserts.forEach(h -> reqs.add(nl.nexthops().replaceRequest(h)));
    deletes.forEach(h -> reqs.add(nl.nexthops().deleteRequest(h.id())));
    try {
      for (Result r : nl.batch(reqs)) {
        if (!r.ok() && r.errno() != Errno.ENOENT) {
          log.warn("{}", r.exception().getMessage());
        }
      }
    } catch (NetlinkException e) {
      throw new BackendException("host-gw: netlink failed: " + e.getMessage(), e);
    }
    writes += reqs.size();
  }

  /** Whether a route is one this network manages. */
  private boolean owned(Route r) {
    if (r.linkIndex() != iface.index() || r.gateway() == null || r.type() != Rt.RTN_UNICAST) {
      return false;
    }
    byte[] a = r.dst().address().getAddress();
    if (r.dst().address() instanceof Inet4Address) {
      return config.network() != null
          && config.network().contains(Ip4Net.of(Ip4.fromBytes(a), r.dst().length()))
          && !(own.subnet() != null
              && own.subnet().equals(Ip4Net.of(Ip4.fromBytes(a), r.dst().length())));
    }
    return config.ipv6Network() != null
        && r.dst().length() >= config.ipv6Network().prefixLength()
        && config.ipv6Network().contains(Ip6.fromBytes(a))
        && !(own.ipv6Subnet() != null
            && own.ipv6Subnet().equals(Ip6Net.of(Ip6.fromBytes(a), r.dst().length())));
  }

  /** The routes a peer lease wants: one per family it has a subnet and public IP for. */
  private List<Route> routesOf(Lease l) {
    List<Route> out = new ArrayList<>(2);
    if (l.subnet() != null && l.attrs().publicIp() != null && config.enableIPv4()) {
      out.add(
          Route.via(
              IpPrefix.of(l.subnet().ip().toBytes(), l.subnet().prefixLength()),
              Ips.of(l.attrs().publicIp().toBytes()),
              iface.index()));
    }
    if (l.ipv6Subnet() != null && l.attrs().publicIpv6() != null && config.enableIPv6()) {
      out.add(
          Route.via(
              IpPrefix.of(l.ipv6Subnet().ip().toBytes(), l.ipv6Subnet().prefixLength()),
              Ips.of(l.attrs().publicIpv6().toBytes()),
              iface.index()));
    }
    return out;
  }

  private void apply(Diff<Route> diff, boolean fromEvent) throws BackendException {
    List<Request> reqs = new ArrayList<>();
    for (Route r : diff.deletes()) {
      reqs.add(nl.routes().deleteRequest(r));
    }
    for (Route r : diff.upserts()) {
      reqs.add(nl.routes().replaceRequest(r));
    }
    if (reqs.isEmpty()) {
      return;
    }
    List<Result> results;
    try {
      results = nl.batch(reqs);
    } catch (NetlinkException e) {
      throw new BackendException("host-gw: netlink failed: " + e.getMessage(), e);
    }
    writes += reqs.size();
    for (int i = 0; i < results.size(); i++) {
      Result res = results.get(i);
      boolean delete = i < diff.deletes().size();
      if (res.ok() || (delete && (res.errno() == Errno.ESRCH || res.errno() == Errno.ENOENT))) {
        if (!warned.isEmpty()) {
          warned.remove(res.request().description());
        }
        continue;
      }
      if (warned.add(res.request().description())) {
        log.warn(
            "{}{}",
            res.exception().getMessage(),
            res.errno() == Errno.ENETUNREACH
                ? "; the peer's public IP is not on the link of "
                    + iface.name()
                    + ": host-gw needs every node on one L2 segment (use the vxlan backend,"
                    + " or vxlan with DirectRouting)"
                : "");
      }
    }
    if (fromEvent) {
      log.debug("programmed {} route change(s)", reqs.size());
    }
  }

  @Override
  public void run() throws InterruptedException {
    closed.await();
  }

  @Override
  public void close() {
    closed.countDown();
    synchronized (this) {
      nl.close();
    }
  }
}
