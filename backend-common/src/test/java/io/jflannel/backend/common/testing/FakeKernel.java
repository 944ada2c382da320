package io.jflannel.backend.common.testing;

import io.jflannel.backend.common.Change;
import io.jflannel.backend.common.Kernel;
import io.jflannel.backend.common.Outcome;
import io.jflannel.netlink.Address;
import io.jflannel.netlink.Errno;
import io.jflannel.netlink.FdbEntry;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.LinkNotFoundException;
import io.jflannel.netlink.MacAddress;
import io.jflannel.netlink.Neighbour;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Nexthop;
import io.jflannel.netlink.Route;
import io.jflannel.netlink.VxlanSpec;
import io.jflannel.netlink.wire.Rt;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * An in-memory {@link Kernel} for root-free backend tests: it keeps links, addresses, main-table
 * routes, neighbours, FDB entries and nexthop objects as the kernel would, records every write
 * ({@link #writes}, {@link #deviceOps}), and refuses what the kernel refuses in the cases the
 * backends meet:
 *
 * <ul>
 *   <li>a gatewayed route without {@code onlink} whose gateway is on no {@link #connect connected}
 *       prefix of its link: {@code ENETUNREACH} (host-gw to a peer on another segment);
 *   <li>an object on a link that does not exist: {@code ENODEV}; a route to a nexthop id that does
 *       not exist: {@code EINVAL};
 *   <li>deletes of what is not there: {@code ESRCH} for routes, {@code ENOENT} for the others;
 *   <li>anything a test chooses with {@link #refuse} (e.g. {@code EEXIST}).
 * </ul>
 *
 * <p>Dumps show nexthop routes with their nexthop's gateway and link filled in, as the kernel does;
 * an IPv6 route written without a metric gets 1024, and a delete without a metric matches any; an
 * IPv6 address adds the kernel's own route to it ({@code proto kernel metric 256}, main table);
 * deleting a nexthop object deletes the routes using it; deleting a link deletes its objects.
 *
 * <p>Not thread-safe beyond the {@code synchronized} methods; tests drive it from one thread.
 */
public final class FakeKernel implements Kernel {
  private final Map<Integer, Link> links = new LinkedHashMap<>();
  private final List<Address> addresses = new ArrayList<>();
  private final Map<List<Object>, Route> routes = new LinkedHashMap<>();
  private final Map<List<Object>, Neighbour> neighbours = new LinkedHashMap<>();
  private final Map<List<Object>, FdbEntry> fdb = new LinkedHashMap<>();
  private final Map<Integer, Nexthop> nexthops = new LinkedHashMap<>();
  private final Map<Integer, List<IpPrefix>> connected = new LinkedHashMap<>();
  private final List<Change> writes = new ArrayList<>();
  private final List<String> deviceOps = new ArrayList<>();
  private final List<Refusal> refusals = new ArrayList<>();
  private boolean hasNexthops = true;
  private int nextIndex = 2;
  private boolean closed;

  private record Refusal(Predicate<Change> which, int errno) {}

  /** Adds a plain link (e.g. {@code eth0}), up, and returns it. */
  public synchronized Link addLink(String name, int mtu) {
    Link l =
        new Link(nextIndex++, name, "", 1, mtu, MacAddress.parse("02:00:00:00:00:01"), 0, null);
    links.put(l.index(), l);
    return l;
  }

  /** Declares {@code prefix} connected on {@code link}: gateways in it are reachable there. */
  public synchronized void connect(int link, IpPrefix prefix) {
    connected.computeIfAbsent(link, k -> new ArrayList<>()).add(prefix);
  }

  /** Whether the kernel has nexthop objects (default true). */
  public synchronized void hasNexthops(boolean has) {
    this.hasNexthops = has;
  }

  /** Refuses every later change {@code which} matches with {@code errno}, until {@link #heal}. */
  public synchronized void refuse(Predicate<Change> which, int errno) {
    refusals.add(new Refusal(which, errno));
  }

  /** Stops refusing. */
  public synchronized void heal() {
    refusals.clear();
  }

  /** Every per-peer write asked for so far, refused ones included, in order. */
  public synchronized List<Change> writes() {
    return List.copyOf(writes);
  }

  /** Forgets the writes recorded so far. */
  public synchronized void clearWrites() {
    writes.clear();
    deviceOps.clear();
  }

  /** Every device operation so far ({@code "setUp flannel.1"}, {@code "replaceAddress ..."}). */
  public synchronized List<String> deviceOps() {
    return List.copyOf(deviceOps);
  }

  /** Whether {@link #close} was called. */
  public synchronized boolean closed() {
    return closed;
  }

  // ---- state a test may inspect or change behind the backend's back ("drift")

  /** The main-table routes, as stored (nexthop routes without gateway). */
  public synchronized List<Route> storedRoutes() {
    return List.copyOf(routes.values());
  }

  public synchronized List<Neighbour> storedNeighbours() {
    return List.copyOf(neighbours.values());
  }

  public synchronized List<FdbEntry> storedFdb() {
    return List.copyOf(fdb.values());
  }

  public synchronized List<Nexthop> storedNexthops() {
    return List.copyOf(nexthops.values());
  }

  /** Puts an object in place without recording a write, as another program would. */
  public synchronized void plant(Object object) {
    int errno = store(object);
    if (errno != 0) {
      throw new IllegalArgumentException("cannot plant " + object + ": errno " + errno);
    }
  }

  /** Removes an object without recording a write, as an operator would; true if it was there. */
  public synchronized boolean remove(Object object) {
    return unstore(object) == 0;
  }

  // ---- Kernel

  @Override
  public synchronized List<Route> routes(int family) {
    List<Route> out = new ArrayList<>();
    for (Route r : routes.values()) {
      if (family == Rt.AF_UNSPEC || r.family() == family) {
        out.add(dumped(r));
      }
    }
    return out;
  }

  private Route dumped(Route r) {
    Nexthop h = r.nexthopId() == 0 ? null : nexthops.get(r.nexthopId());
    if (h == null) {
      return r;
    }
    return new Route(
        r.dst(),
        h.gateway(),
        h.linkIndex(),
        h.flags(),
        r.scope(),
        r.table(),
        r.protocol(),
        r.type(),
        r.nexthopId(),
        r.priority(),
        r.prefSrc());
  }

  @Override
  public synchronized List<Neighbour> neighbours() {
    return List.copyOf(neighbours.values());
  }

  @Override
  public synchronized List<FdbEntry> fdb() {
    return List.copyOf(fdb.values());
  }

  @Override
  public synchronized List<Nexthop> nexthops() throws NetlinkException {
    if (!hasNexthops) {
      throw new NetlinkException("RTM_GETNEXTHOP dump", Errno.EINVAL);
    }
    return List.copyOf(nexthops.values());
  }

  @Override
  public synchronized Route routeTo(InetAddress dst) throws NetlinkException {
    for (Map.Entry<Integer, List<IpPrefix>> e : connected.entrySet()) {
      for (IpPrefix p : e.getValue()) {
        if (contains(p, dst)) {
          return Route.dev(IpPrefix.host(dst), e.getKey());
        }
      }
    }
    throw new NetlinkException("RTM_GETROUTE " + dst.getHostAddress(), Errno.ENETUNREACH);
  }

  @Override
  public synchronized List<Outcome> apply(List<Change> changes) {
    List<Outcome> out = new ArrayList<>(changes.size());
    for (Change c : changes) {
      writes.add(c);
      int errno = refused(c);
      if (errno == 0) {
        errno = c.delete() ? unstore(c.object()) : store(c.object());
      }
      out.add(new Outcome(c, errno, errno == 0 ? null : c + " failed: " + Errno.describe(errno)));
    }
    return out;
  }

  private int refused(Change c) {
    for (Refusal r : refusals) {
      if (r.which().test(c)) {
        return r.errno();
      }
    }
    return 0;
  }

  private int store(Object o) {
    if (o instanceof Route r) {
      if (!links.containsKey(r.linkIndex()) && r.nexthopId() == 0 && r.type() != Rt.RTN_BLACKHOLE) {
        return Errno.ENODEV;
      }
      if (r.nexthopId() != 0 && !nexthops.containsKey(r.nexthopId())) {
        return Errno.EINVAL;
      }
      if (r.gateway() != null && !r.isOnlink() && !reachable(r.linkIndex(), r.gateway())) {
        return Errno.ENETUNREACH;
      }
      Route stored = r.family() == Rt.AF_INET6 && r.priority() == 0 ? r.withPriority(1024) : r;
      routes.put(routeKey(stored), stored);
    } else if (o instanceof Neighbour n) {
      if (!links.containsKey(n.linkIndex())) {
        return Errno.ENODEV;
      }
      neighbours.put(List.of(n.linkIndex(), n.ip()), n);
    } else if (o instanceof FdbEntry f) {
      if (!links.containsKey(f.linkIndex())) {
        return Errno.ENODEV;
      }
      fdb.put(List.of(f.linkIndex(), f.mac()), f);
    } else {
      Nexthop h = (Nexthop) o;
      if (!hasNexthops) {
        return Errno.EINVAL;
      }
      if (!links.containsKey(h.linkIndex())) {
        return Errno.ENODEV;
      }
      if (h.gateway() != null && !h.isOnlink() && !reachable(h.linkIndex(), h.gateway())) {
        return Errno.ENETUNREACH;
      }
      nexthops.put(h.id(), h);
    }
    return 0;
  }

  private int unstore(Object o) {
    if (o instanceof Route r) {
      if (r.family() == Rt.AF_INET6 && r.priority() == 0) {
        for (Route x : routes.values()) {
          if (x.dst().equals(r.dst()) && x.table() == r.table()) {
            routes.remove(routeKey(x));
            return 0;
          }
        }
        return Errno.ESRCH;
      }
      return routes.remove(routeKey(r)) != null ? 0 : Errno.ESRCH;
    }
    if (o instanceof Neighbour n) {
      return neighbours.remove(List.of(n.linkIndex(), n.ip())) != null ? 0 : Errno.ENOENT;
    }
    if (o instanceof FdbEntry f) {
      return fdb.remove(List.of(f.linkIndex(), f.mac())) != null ? 0 : Errno.ENOENT;
    }
    Nexthop h = (Nexthop) o;
    if (nexthops.remove(h.id()) == null) {
      return Errno.ENOENT;
    }
    routes.values().removeIf(r -> r.nexthopId() == h.id());
    return 0;
  }

  /** The kernel's main-table route to an IPv6 address of a link. */
  private static Route addressRoute(Address a) {
    return new Route(
        IpPrefix.host(a.prefix().address()),
        null,
        a.linkIndex(),
        0,
        Rt.RT_SCOPE_UNIVERSE,
        Rt.RT_TABLE_MAIN,
        Rt.RTPROT_KERNEL,
        Rt.RTN_UNICAST,
        0,
        256,
        null);
  }

  private static List<Object> routeKey(Route r) {
    return List.of(r.dst(), r.table(), r.priority());
  }

  private boolean reachable(int link, InetAddress gateway) {
    for (IpPrefix p : connected.getOrDefault(link, List.of())) {
      if (contains(p, gateway)) {
        return true;
      }
    }
    return false;
  }

  private static boolean contains(IpPrefix p, InetAddress a) {
    byte[] net = p.address().getAddress();
    byte[] ip = a.getAddress();
    if (net.length != ip.length) {
      return false;
    }
    for (int bit = 0; bit < p.length(); bit++) {
      int mask = 0x80 >>> (bit % 8);
      if ((net[bit / 8] & mask) != (ip[bit / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public synchronized Optional<Link> findLink(String name) {
    return links.values().stream().filter(l -> l.name().equals(name)).findFirst();
  }

  @Override
  public synchronized Link link(int index) throws NetlinkException {
    Link l = links.get(index);
    if (l == null) {
      throw new LinkNotFoundException("RTM_GETLINK if" + index, Errno.ENODEV);
    }
    return l;
  }

  @Override
  public synchronized Link createVxlan(VxlanSpec spec) throws NetlinkException {
    deviceOps.add("createVxlan " + spec.name());
    if (findLink(spec.name()).isPresent()) {
      throw new NetlinkException("RTM_NEWLINK " + spec.name(), Errno.EEXIST);
    }
    MacAddress mac = spec.mac() != null ? spec.mac() : MacAddress.parse("0e:00:00:00:00:99");
    Link l = new Link(nextIndex++, spec.name(), "vxlan", 0, spec.mtu(), mac, 0, spec.attrs());
    links.put(l.index(), l);
    return l;
  }

  /**
   * Whether {@link #createWireguard} works (true) or fails with EOPNOTSUPP, as without the module.
   */
  public synchronized void hasWireguard(boolean has) {
    wireguard = has;
  }

  private boolean wireguard = true;

  @Override
  public synchronized Link createWireguard(String name, int mtu) throws NetlinkException {
    deviceOps.add("createWireguard " + name);
    if (!wireguard) {
      throw new NetlinkException("RTM_NEWLINK " + name + " type wireguard", Errno.EOPNOTSUPP);
    }
    if (findLink(name).isPresent()) {
      throw new NetlinkException("RTM_NEWLINK " + name, Errno.EEXIST);
    }
    Link l = new Link(nextIndex++, name, "wireguard", 0, mtu, null, 0, null);
    links.put(l.index(), l);
    return l;
  }

  @Override
  public synchronized void deleteLink(int index) throws NetlinkException {
    Link l = link(index);
    deviceOps.add("deleteLink " + l.name());
    links.remove(index);
    addresses.removeIf(a -> a.linkIndex() == index);
    routes.values().removeIf(r -> r.linkIndex() == index);
    neighbours.values().removeIf(n -> n.linkIndex() == index);
    fdb.values().removeIf(f -> f.linkIndex() == index);
    nexthops.values().removeIf(h -> h.linkIndex() == index);
  }

  @Override
  public synchronized void setMac(int index, MacAddress mac) throws NetlinkException {
    Link l = link(index);
    deviceOps.add("setMac " + l.name() + " " + mac);
    links.put(index, new Link(index, l.name(), l.kind(), l.flags(), l.mtu(), mac, 0, l.vxlan()));
  }

  @Override
  public synchronized void setMtu(int index, int mtu) throws NetlinkException {
    Link l = link(index);
    deviceOps.add("setMtu " + l.name() + " " + mtu);
    links.put(index, new Link(index, l.name(), l.kind(), l.flags(), mtu, l.mac(), 0, l.vxlan()));
  }

  @Override
  public synchronized void setUp(int index) throws NetlinkException {
    Link l = link(index);
    deviceOps.add("setUp " + l.name());
    links.put(
        index, new Link(index, l.name(), l.kind(), l.flags() | 1, l.mtu(), l.mac(), 0, l.vxlan()));
  }

  /**
   * Sets a link down behind the backend's back, as {@code ip link set dev down}: the kernel drops
   * the routes and neighbours through it (a vxlan device keeps its permanent FDB entries).
   */
  public synchronized void setDown(int index) throws NetlinkException {
    Link l = link(index);
    links.put(
        index, new Link(index, l.name(), l.kind(), l.flags() & ~1, l.mtu(), l.mac(), 0, l.vxlan()));
    routes.values().removeIf(r -> r.linkIndex() == index);
    neighbours.values().removeIf(n -> n.linkIndex() == index);
  }

  @Override
  public synchronized List<Address> addresses(int linkIndex) {
    return addresses.stream().filter(a -> a.linkIndex() == linkIndex).toList();
  }

  @Override
  public synchronized void replaceAddress(Address a) throws NetlinkException {
    link(a.linkIndex());
    deviceOps.add("replaceAddress " + a.prefix());
    addresses.removeIf(x -> x.linkIndex() == a.linkIndex() && x.prefix().equals(a.prefix()));
    addresses.add(a);
    if (a.prefix().family() == Rt.AF_INET6) {
      Route own = addressRoute(a);
      routes.put(routeKey(own), own);
    }
  }

  @Override
  public synchronized void deleteAddress(Address a) throws NetlinkException {
    deviceOps.add("deleteAddress " + a.prefix());
    if (!addresses.removeIf(x -> x.linkIndex() == a.linkIndex() && x.prefix().equals(a.prefix()))) {
      throw new NetlinkException("RTM_DELADDR " + a.prefix(), Errno.EADDRNOTAVAIL);
    }
    if (a.prefix().family() == Rt.AF_INET6) {
      routes.remove(routeKey(addressRoute(a)));
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
  }
}
