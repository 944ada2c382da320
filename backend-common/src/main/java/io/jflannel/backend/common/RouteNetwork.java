package io.jflannel.backend.common;

import io.jflannel.backend.common.PeerChanges.Changes;
import io.jflannel.backend.common.PeerChanges.Wanted;
import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.Network;
import io.jflannel.core.backend.NetworkStats;
import io.jflannel.core.backend.PlannedChange;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.lease.LeaseKey;
import io.jflannel.netlink.Errno;
import io.jflannel.netlink.Neighbour;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Route;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The core of the kernel-routed backends (host-gw, vxlan): keeps, for every peer lease, the kernel
 * objects a subclass says the peer needs ({@link #objectsOf}), edge-triggered on lease events and
 * level-triggered on {@link #reconcile}.
 *
 * <p>What it owns: the peer map (lease key → lease and its objects, reused while the lease is
 * unchanged, so 5,000 peers are not turned into objects every pass); the reconcile, which dumps
 * what this network owns ({@link #ownsRoute}, the permanent neighbours and FDB entries of {@link
 * #entryLinks}, flannel's nexthop objects), diffs it against the wanted objects ({@link Diff}: one
 * hash lookup per object) and writes only the difference, so a restart over a correct kernel writes
 * nothing, entries someone deleted come back and those of peers that left go; the batched apply
 * (deletes first, then neighbours, FDB entries, nexthops, routes); the NexthopRoutes pairing
 * ({@link NexthopIds}); and per-peer failure handling: a write the kernel refuses is logged once
 * (with {@link #advice}) and retried by the next reconcile, and every other peer is unaffected.
 *
 * <p>Threading: {@link #handle} and {@link #reconcile} come from the daemon's event thread, under
 * this object's lock; {@link #close} from any thread. Owns the {@link Kernel} it is given and
 * closes it.
 */
public abstract class RouteNetwork implements Network, NetworkStats {
  /** The subclass's logger, so that lines name the backend ({@code VxlanNetwork}, ...). */
  private final Logger log = LoggerFactory.getLogger(getClass());

  /** The kernel this network programs. */
  protected final Kernel kernel;

  /** This node's lease. */
  protected final Lease own;

  /** The warn-once bookkeeping of this network, for subclasses' skipped peers too. */
  protected final Warnings warnings = new Warnings(log);

  private final String backend;
  private final NexthopIds nexthops; // null: plain routes
  private final CountDownLatch closed = new CountDownLatch(1);
  private Map<LeaseKey, Peer> peers = new LinkedHashMap<>(); // guarded by this
  private final Set<Change> failing = new HashSet<>(); // guarded by this
  private long writes; // guarded by this
  private boolean compared; // guarded by this: a batch or a pass has been compared with the kernel

  /**
   * @param backend the backend's name for log lines, e.g. {@code "vxlan"}
   * @param kernel the kernel to program, owned from now on
   * @param config the network config (its Network and IPv6Network number the nexthop ids)
   * @param own this node's lease
   * @param nexthopRoutes the NexthopRoutes option; used only when the kernel has nexthop objects
   */
  protected RouteNetwork(
      String backend, Kernel kernel, NetworkConfig config, Lease own, boolean nexthopRoutes) {
    this.backend = backend;
    this.kernel = kernel;
    this.own = own;
    boolean use = nexthopRoutes && kernel.hasNexthops();
    if (nexthopRoutes && !use) {
      log.warn("NexthopRoutes: this kernel has no nexthop objects (5.3+); using plain routes");
    }
    this.nexthops = use ? new NexthopIds(config.network(), config.ipv6Network()) : null;
  }

  /**
   * The kernel objects peer lease {@code peer} needs, with gatewayed routes as plain routes (the
   * base puts them behind nexthop objects with NexthopRoutes); or null, after {@code
   * warnings.skipPeer(...)}, when the lease cannot be used (another backend type, no public IP of a
   * family, unreadable backend data).
   */
  protected abstract PeerObjects objectsOf(Lease peer);

  /** Whether a main-table route, as dumped, is one this network manages. */
  protected abstract boolean ownsRoute(Route r);

  /**
   * The links whose permanent neighbours and FDB entries with a destination this network manages
   * (vxlan: its devices); empty (the default) for none.
   */
  protected Set<Integer> entryLinks() {
    return Set.of();
  }

  /**
   * Whether a permanent neighbour on one of {@link #entryLinks} is this network's; by default all
   * are. (vxlan: the device's neighbours of its own address family.)
   */
  protected boolean ownsNeighbour(Neighbour n) {
    return true;
  }

  /**
   * Whether the objects made for lease {@code was} still hold for {@code now}, a lease with the
   * same subnets; by default when the attributes are equal. A subclass whose objects also depend on
   * the kernel's state returns false to have them made again every pass.
   */
  protected boolean reusable(Lease was, Lease now) {
    return was == now || was.attrs().equals(now.attrs());
  }

  /** Text appended to the warning for a write the kernel refused, e.g. how to fix the topology. */
  protected String advice(Outcome refused) {
    return "";
  }

  @Override
  public Lease lease() {
    return own;
  }

  /** Kernel write requests sent so far, for metrics and tests. */
  @Override
  public synchronized long writes() {
    return writes;
  }

  /** The number of peers this network has programmed. */
  public synchronized int peerCount() {
    return peers.size();
  }

  /**
   * Applies lease events. A new peer's objects are written; a changed peer's only where they
   * changed, and what it no longer needs is removed. The first batch (the peer set when the watch
   * started, a restart's included) is compared with the kernel first and writes only what is
   * missing or differs, so a restart over a correct kernel writes nothing; removing what no peer
   * needs is left to the reconcile.
   */
  @Override
  public synchronized void handle(List<LeaseEvent> events) throws BackendException {
    Changes c = new Changes();
    Wanted first = compared ? null : new Wanted(events.size());
    LeaseKey mine = own.key();
    List<LeaseEvent> logged = new ArrayList<>(events.size());
    for (LeaseEvent e : events) {
      Lease l = e.lease();
      LeaseKey key = l.key();
      if (key.equals(mine)) {
        continue;
      }
      if (e instanceof LeaseEvent.Added) {
        if (added(l, key, c, first)) {
          logged.add(e);
        }
      } else {
        Peer gone = peers.remove(key);
        PeerObjects old = gone != null ? gone.objects() : programmed(l);
        if (old != null) {
          c.remove(old);
        }
        logged.add(e);
      }
    }
    try {
      if (first != null) {
        c.addUpserts(diff(first));
        compared = true;
      }
      apply(c, events.size());
    } finally {
      logChanges(logged);
    }
  }

  /**
   * One line per lease added or removed, as upstream logs them; written after the batch went to the
   * kernel, not before: at 5,000 peers the lines take about 80 ms, which the routes need not wait
   * for.
   */
  private void logChanges(List<LeaseEvent> logged) {
    for (LeaseEvent e : logged) {
      Lease l = e.lease();
      if (e instanceof LeaseEvent.Added) {
        log.info("lease added: {} via {}", l.subnets(), publicIps(l));
      } else {
        log.info("lease removed: {}", l.subnets());
      }
    }
  }

  /**
   * One {@code Added} event into {@code c}, or into {@code first} for the first batch; returns
   * whether the lease has objects to program (and so gets its "lease added" line).
   */
  private boolean added(Lease l, LeaseKey key, Changes c, Wanted first) {
    PeerObjects want = programmed(l);
    Peer before = want == null ? peers.remove(key) : peers.put(key, new Peer(l, want));
    if (before != null) {
      c.removeStale(before.objects(), want);
    }
    if (want == null) {
      return false;
    }
    if (before != null) {
      c.addChanged(before.objects(), want);
    } else if (first != null) {
      first.add(want);
    } else {
      c.add(want);
    }
    return true;
  }

  @Override
  public synchronized void reconcile(List<Lease> current) throws BackendException {
    reconcilePeers(current);
  }

  /**
   * Programs every known peer again from scratch, for a subclass whose device was made again (the
   * peers' objects named the old one, and the kernel dropped them with it).
   *
   * @return how many peers were programmed
   */
  protected final synchronized int reprogram() throws BackendException {
    List<Lease> known = new ArrayList<>(peers.size());
    peers.values().forEach(p -> known.add(p.lease()));
    peers = new LinkedHashMap<>();
    reconcilePeers(known);
    return known.size();
  }

  private void reconcilePeers(List<Lease> current) throws BackendException {
    Map<LeaseKey, Peer> next = new LinkedHashMap<>(current.size() * 2);
    Wanted want = new Wanted(current.size());
    LeaseKey mine = own.key();
    for (Lease l : current) {
      LeaseKey key = l.key();
      if (key.equals(mine)) {
        continue;
      }
      Peer peer = peers.get(key);
      if (peer == null || !reusable(peer.lease(), l)) {
        PeerObjects objects = programmed(l);
        peer = objects == null ? null : new Peer(l, objects);
      }
      if (peer != null) {
        next.put(key, peer);
        want.add(peer.objects());
      }
    }
    peers = next;
    Changes c = diff(want);
    if (!c.isEmpty()) {
      log.info("reconcile: {}", c);
    }
    Set<Change> stillFailing = apply(c, c.routes.size() + c.goneRoutes.size());
    failing.retainAll(stillFailing); // what was not tried again no longer matters
    compared = true;
  }

  /** A lease's objects as written: {@link #objectsOf}, paired with nexthop objects if enabled. */
  private PeerObjects programmed(Lease l) {
    PeerObjects o = objectsOf(l);
    return o == null ? null : o.viaNexthops(nexthops);
  }

  private static String publicIps(Lease l) {
    var a = l.attrs();
    if (a.publicIpv6() == null) {
      return String.valueOf(a.publicIp());
    }
    return a.publicIp() == null ? a.publicIpv6().toString() : a.publicIp() + "+" + a.publicIpv6();
  }

  /** The kernel's objects that this network owns, diffed against {@code want}. */
  private Changes diff(Wanted want) throws BackendException {
    try {
      return OwnedState.diff(this, kernel, nexthops != null, want);
    } catch (NetlinkException e) {
      throw new BackendException(backend + ": cannot read the kernel state: " + e.getMessage(), e);
    }
  }

  private OwnedState owned() throws BackendException {
    try {
      return OwnedState.read(this, kernel, nexthops != null);
    } catch (NetlinkException e) {
      throw new BackendException(backend + ": cannot read the kernel state: " + e.getMessage(), e);
    }
  }

  /**
   * What {@link #reconcile} would write for {@code current} now, from the same comparison, without
   * writing or changing this network's bookkeeping.
   */
  @Override
  public synchronized List<PlannedChange> plan(List<Lease> current) throws BackendException {
    Wanted want = new Wanted(current.size());
    Map<Object, String> peerOf = new HashMap<>();
    LeaseKey mine = own.key();
    for (Lease l : current) {
      PeerObjects objects = l.key().equals(mine) ? null : programmed(l);
      if (objects != null) {
        want.add(objects);
        for (List<?> kind :
            List.of(objects.neighbours(), objects.fdbs(), objects.nexthops(), objects.routes())) {
          kind.forEach(o -> peerOf.put(o, l.subnets()));
        }
      }
    }
    Map<Integer, String> names = new HashMap<>();
    return owned().plan(want, peerOf, i -> names.computeIfAbsent(i, this::linkName));
  }

  /** The name of link {@code index}, or {@code #index} when it cannot be read. */
  private String linkName(int index) {
    try {
      return kernel.link(index).name();
    } catch (NetlinkException e) {
      return "#" + index;
    }
  }

  /**
   * Writes {@code changes}, made for {@code peers} peers: at once, or for a large batch in slices
   * with a progress line at most every second.
   */
  private List<Outcome> write(List<Change> changes, int peers) throws NetlinkException {
    if (!Progress.wanted(peers)) {
      writes += changes.size();
      return kernel.apply(changes);
    }
    Progress progress = new Progress(log, backend, peers, changes.size());
    List<Outcome> outcomes = new ArrayList<>(changes.size());
    for (int from = 0; from < changes.size(); from += PROGRESS_SLICE) {
      List<Change> slice = changes.subList(from, Math.min(changes.size(), from + PROGRESS_SLICE));
      outcomes.addAll(kernel.apply(slice));
      writes += slice.size();
      progress.written(outcomes.size());
    }
    progress.finished();
    return outcomes;
  }

  /** Changes written between two progress checks of a large batch. */
  private static final int PROGRESS_SLICE = 4096;

  /**
   * Writes {@code c} (for about {@code peers} peers); returns the changes the kernel refused. A
   * delete of an object already gone is not a failure.
   */
  private Set<Change> apply(Changes c, int peers) throws BackendException {
    List<Change> changes = c.toList();
    if (changes.isEmpty()) {
      return Set.of();
    }
    List<Outcome> outcomes;
    try {
      outcomes = write(changes, peers);
    } catch (NetlinkException e) {
      throw new BackendException(backend + ": netlink failed: " + e.getMessage(), e);
    }
    Set<Change> refused = new HashSet<>();
    for (Outcome o : outcomes) {
      boolean gone = o.errno() == Errno.ENOENT || o.errno() == Errno.ESRCH;
      if (o.ok() || (o.change().delete() && gone)) {
        if (!failing.isEmpty() && failing.remove(o.change())) {
          log.info("{} {}: done now", backend, o.change());
        }
        continue;
      }
      refused.add(o.change());
      if (failing.add(o.change())) {
        log.warn("{}{}", o.error(), advice(o));
      }
    }
    return refused;
  }

  @Override
  public void run() throws InterruptedException {
    closed.await();
  }

  @Override
  public void close() {
    closed.countDown();
    synchronized (this) {
      kernel.close();
    }
  }

  /** A peer as last programmed: its lease and the objects it wants. */
  private record Peer(Lease lease, PeerObjects objects) {}
}
