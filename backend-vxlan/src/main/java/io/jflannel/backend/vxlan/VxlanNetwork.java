package io.jflannel.backend.vxlan;

import com.fasterxml.jackson.databind.JsonNode;
import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.Diff;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.backend.Network;
import io.jflannel.core.backend.NetworkStats;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.netlink.Errno;
import io.jflannel.netlink.FdbEntry;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Ips;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.MacAddress;
import io.jflannel.netlink.Neighbour;
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
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps, for every peer lease, one permanent ARP entry, one FDB entry and one onlink route on
 * {@code flannel.<VNI>} (or one direct route with DirectRouting): edge-triggered on lease events,
 * level-triggered on {@link #reconcile}.
 *
 * <p>Writes go in netlink batches, ARP and FDB entries before routes. Reconcile dumps the device's
 * permanent IPv4 neighbours, its FDB entries and the main-table routes through it (plus, with
 * DirectRouting, the gatewayed routes into the Network on the external link), diffs them against
 * the wanted set with one hash lookup per object, and writes only the difference. A peer whose
 * backend data is unusable is skipped with one warning; the others are unaffected.
 *
 * <p>Threading: {@link #handle} and {@link #reconcile} come from the daemon's event thread; {@link
 * #close} from any thread. Closes the {@link Netlink} handle it was given.
 */
public final class VxlanNetwork implements Network, NetworkStats {
  private static final Logger log = LoggerFactory.getLogger(VxlanNetwork.class);

  private final Netlink nl;
  private final Link device;
  private final ExternalInterface iface;
  private final NetworkConfig config;
  private final VxlanOptions options;
  private final Lease own;
  private Map<Ip4Net, Peer> peers = new LinkedHashMap<>();
  private final Set<String> warned = new HashSet<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final boolean nexthops;
  private long writes;

  VxlanNetwork(
      Netlink nl,
      Link device,
      ExternalInterface iface,
      NetworkConfig config,
      VxlanOptions options,
      Lease own) {
    this.nl = nl;
    this.device = device;
    this.iface = iface;
    this.config = config;
    this.options = options;
    this.own = own;
    this.nexthops = NexthopRoutes.enabled(nl, options.nexthopRoutes());
  }

  @Override
  public Lease lease() {
    return own;
  }

  @Override
  public int mtu() {
    return device.mtu();
  }

  /** Kernel writes made so far, for metrics and tests. */
  @Override
  public synchronized long writes() {
    return writes;
  }

  @Override
  public synchronized void handle(List<LeaseEvent> events) throws BackendException {
    Changes c = new Changes();
    for (LeaseEvent e : events) {
      Lease l = e.lease();
      if (e instanceof LeaseEvent.Added) {
        PeerEntries want = entriesOf(l);
        if (want == null) {
          continue;
        }
        Peer before = peers.put(l.subnet(), new Peer(l, want));
        if (before != null) {
          c.removeStale(before.entries(), want);
        }
        c.add(want);
        log.info("lease added: {} via {}", l.subnets(), l.attrs().publicIp());
      } else {
        Peer gone = l.subnet() == null ? null : peers.remove(l.subnet());
        PeerEntries old = gone != null ? gone.entries() : entriesOf(l);
        if (old != null) {
          c.remove(old);
        }
        log.info("lease removed: {}", l.subnets());
      }
    }
    apply(c);
  }

  @Override
  public synchronized void reconcile(List<Lease> current) throws BackendException {
    Map<Ip4Net, Peer> known = peers;
    Map<Ip4Net, Peer> next = new LinkedHashMap<>(current.size() * 2);
    List<Neighbour> wantN = new ArrayList<>(current.size());
    List<FdbEntry> wantF = new ArrayList<>(current.size());
    List<Route> wantR = new ArrayList<>(current.size());
    List<Nexthop> wantH = new ArrayList<>(nexthops ? current.size() : 0);
    for (Lease l : current) {
      if (l.sameSubnets(own)) {
        continue;
      }
      Peer peer = l.subnet() == null ? null : known.get(l.subnet());
      if (peer == null || !peer.reusableFor(l) || options.directRouting()) {
        // new or changed; DirectRouting depends on the kernel's routes, so it is asked every time
        PeerEntries entries = entriesOf(l);
        peer = entries == null ? null : new Peer(l, entries);
      }
      if (peer == null) {
        continue;
      }
      next.put(l.subnet(), peer);
      PeerEntries p = peer.entries();
      if (p.neighbour() != null) {
        wantN.add(p.neighbour());
        wantF.add(p.fdb());
      }
      wantR.addAll(p.routes());
      wantH.addAll(p.nexthops());
    }
    peers = next;
    Diff<Neighbour> dn;
    Diff<Nexthop> dh;
    Diff<FdbEntry> df;
    Diff<Route> dr;
    try {
      dn =
          Diff.of(
              wantN,
              nl.neighbours().list(device.index()).stream()
                  .filter(n -> n.ip() instanceof Inet4Address && n.state() == Rt.NUD_PERMANENT)
                  .toList(),
              Neighbour::ip);
      df =
          Diff.of(
              wantF,
              nl.fdb().list(device.index()).stream().filter(f -> f.dst() != null).toList(),
              FdbEntry::mac);
      dr =
          Diff.of(
              wantR,
              nl.routes().list(Rt.AF_INET, Rt.RT_TABLE_MAIN).stream()
                  .filter(this::owned)
                  .map(NexthopRoutes::normalize)
                  .toList(),
              Route::dst);
      dh =
          Diff.of(
              wantH,
              nexthops
                  ? nl.nexthops().list().stream().filter(h -> NexthopRoutes.owned(h.id())).toList()
                  : List.of(),
              Nexthop::id);
    } catch (NetlinkException e) {
      throw new BackendException("vxlan: cannot dump kernel state: " + e.getMessage(), e);
    }
    Changes c = new Changes();
    c.neighbours.addAll(dn.upserts());
    c.fdbs.addAll(df.upserts());
    c.routes.addAll(dr.upserts());
    c.nexthops.addAll(dh.upserts());
    c.goneRoutes.addAll(dr.deletes());
    c.goneNexthops.addAll(dh.deletes());
    c.goneNeighbours.addAll(dn.deletes());
    c.goneFdbs.addAll(df.deletes());
    if (!c.isEmpty()) {
      log.info(
          "reconcile: writing {} arp, {} fdb, {} route entries; removing {} arp, {} fdb, {} route"
              + " entries",
          c.neighbours.size(),
          c.fdbs.size(),
          c.routes.size(),
          c.goneNeighbours.size(),
          c.goneFdbs.size(),
          c.goneRoutes.size());
    }
    apply(c);
  }

  /** Whether a main-table IPv4 route is one this network manages. */
  private boolean owned(Route r) {
    if (r.linkIndex() == device.index()) {
      return r.type() == Rt.RTN_UNICAST;
    }
    if (!options.directRouting()
        || r.linkIndex() != iface.index()
        || r.gateway() == null
        || config.network() == null) {
      return false;
    }
    Ip4Net dst = Ip4Net.of(Ip4.fromBytes(r.dst().address().getAddress()), r.dst().length());
    return config.network().contains(dst) && !dst.equals(own.subnet());
  }

  /** What a peer lease wants in the kernel, or null (with one warning) when it is unusable. */
  private PeerEntries entriesOf(Lease l) {
    if (!VxlanFactory.TYPE.equals(l.attrs().backendType())) {
      warnOnce(l, "backend type " + l.attrs().backendType() + " is not vxlan");
      return null;
    }
    if (l.subnet() == null || l.attrs().publicIp() == null) {
      warnOnce(l, "no IPv4 subnet or public IP");
      return null;
    }
    JsonNode data = l.attrs().backendData();
    JsonNode macText = data == null ? null : data.get("VtepMAC");
    MacAddress mac;
    try {
      mac = MacAddress.parse(macText == null ? "" : macText.asText());
    } catch (IllegalArgumentException e) {
      warnOnce(l, "backend data " + data + " has no valid VtepMAC");
      return null;
    }
    IpPrefix subnet = IpPrefix.of(l.subnet().ip().toBytes(), l.subnet().prefixLength());
    var publicIp = Ips.of(l.attrs().publicIp().toBytes());
    boolean direct = options.directRouting() && onLink(publicIp);
    Route route =
        direct
            ? Route.via(subnet, publicIp, iface.index())
            : Route.via(subnet, subnet.address(), device.index()).onlink();
    List<Nexthop> nhs = List.of();
    if (nexthops) {
      long index =
          Integer.toUnsignedLong(l.subnet().address() - config.network().address())
              >>> (32 - l.subnet().prefixLength());
      NexthopRoutes.Pair pair = NexthopRoutes.of(route, NexthopRoutes.id(index));
      nhs = List.of(pair.nexthop());
      route = pair.route();
    }
    if (direct) {
      return new PeerEntries(null, null, nhs, List.of(route));
    }
    return new PeerEntries(
        Neighbour.permanent(device.index(), subnet.address(), mac),
        FdbEntry.permanent(device.index(), mac, publicIp),
        nhs,
        List.of(route));
  }

  /** DirectRouting: the kernel reaches {@code ip} without a gateway on the external link. */
  private boolean onLink(java.net.InetAddress ip) {
    try {
      Route r = nl.routes().get(ip);
      return r.gateway() == null && r.linkIndex() == iface.index();
    } catch (NetlinkException e) {
      return false;
    }
  }

  private void warnOnce(Lease l, String why) {
    if (warned.add(l.subnets() + " " + why)) {
      log.warn("skipping peer lease {}: {}", l.subnets(), why);
    }
  }

  /**
   * A peer as last programmed: its lease and the kernel objects it wants. A reconcile pass reuses
   * the objects while the peer's lease is unchanged, so 5,000 peers are not turned into objects
   * again every pass.
   */
  private record Peer(Lease lease, PeerEntries entries) {
    /** Whether {@code l} wants exactly these objects: same subnet and attributes. */
    boolean reusableFor(Lease l) {
      return lease == l || (lease.subnet().equals(l.subnet()) && lease.attrs().equals(l.attrs()));
    }
  }

  /** Pending kernel changes, written removals first, then ARP, FDB, routes. */
  private static final class Changes {
    final List<Neighbour> neighbours = new ArrayList<>();
    final List<FdbEntry> fdbs = new ArrayList<>();
    final List<Route> routes = new ArrayList<>();
    final List<Nexthop> nexthops = new ArrayList<>();
    final List<Route> goneRoutes = new ArrayList<>();
    final List<Nexthop> goneNexthops = new ArrayList<>();
    final List<Neighbour> goneNeighbours = new ArrayList<>();
    final List<FdbEntry> goneFdbs = new ArrayList<>();

    void add(PeerEntries p) {
      if (p.neighbour() != null) {
        neighbours.add(p.neighbour());
        fdbs.add(p.fdb());
      }
      nexthops.addAll(p.nexthops());
      routes.addAll(p.routes());
    }

    void remove(PeerEntries p) {
      goneRoutes.addAll(p.routes());
      goneNexthops.addAll(p.nexthops());
      if (p.neighbour() != null) {
        goneNeighbours.add(p.neighbour());
        goneFdbs.add(p.fdb());
      }
    }

    /** A peer changed: remove what the old state had that the new one does not replace. */
    void removeStale(PeerEntries old, PeerEntries now) {
      for (Route r : old.routes()) {
        if (now.routes().stream().noneMatch(n -> n.dst().equals(r.dst()))) {
          goneRoutes.add(r);
        }
      }
      if (old.neighbour() != null
          && (now.neighbour() == null || !now.neighbour().ip().equals(old.neighbour().ip()))) {
        goneNeighbours.add(old.neighbour());
      }
      if (old.fdb() != null && (now.fdb() == null || !now.fdb().mac().equals(old.fdb().mac()))) {
        goneFdbs.add(old.fdb());
      }
    }

    boolean isEmpty() {
      return neighbours.isEmpty()
          && fdbs.isEmpty()
          && routes.isEmpty()
          && nexthops.isEmpty()
          && goneNexthops.isEmpty()
          && goneRoutes.isEmpty()
          && goneNeighbours.isEmpty()
          && goneFdbs.isEmpty();
    }
  }

  /** Requests are built and sent this many at a time, so 50k peers fit a small heap. */
  private static final int APPLY_CHUNK = 4096;

  private void apply(Changes c) throws BackendException {
    List<Supplier<Request>> ops = new ArrayList<>();
    c.goneRoutes.forEach(r -> ops.add(() -> nl.routes().deleteRequest(r)));
    c.goneNexthops.forEach(h -> ops.add(() -> nl.nexthops().deleteRequest(h.id())));
    c.goneNeighbours.forEach(n -> ops.add(() -> nl.neighbours().deleteRequest(n)));
    c.goneFdbs.forEach(f -> ops.add(() -> nl.fdb().deleteRequest(f)));
    int deletes = ops.size();
    c.neighbours.forEach(n -> ops.add(() -> nl.neighbours().replaceRequest(n)));
    c.fdbs.forEach(f -> ops.add(() -> nl.fdb().replaceRequest(f)));
    c.nexthops.forEach(h -> ops.add(() -> nl.nexthops().replaceRequest(h)));
    c.routes.forEach(r -> ops.add(() -> nl.routes().replaceRequest(r)));
    for (int from = 0; from < ops.size(); from += APPLY_CHUNK) {
      int to = Math.min(ops.size(), from + APPLY_CHUNK);
      List<Request> reqs = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        reqs.add(ops.get(i).get());
      }
      List<Result> results;
      try {
        results = nl.batch(reqs);
      } catch (NetlinkException e) {
        throw new BackendException("vxlan: netlink failed: " + e.getMessage(), e);
      }
      writes += reqs.size();
      for (int i = 0; i < results.size(); i++) {
        Result r = results.get(i);
        boolean gone = r.errno() == Errno.ENOENT || r.errno() == Errno.ESRCH;
        if (!r.ok() && !(from + i < deletes && gone)) {
          log.warn("{}", r.exception().getMessage());
        }
      }
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
