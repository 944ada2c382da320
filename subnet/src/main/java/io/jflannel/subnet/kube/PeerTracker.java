package io.jflannel.subnet.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseEvent;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node watch's event handler: projects every Node it is shown into the lease it advertises,
 * keeps that projection per node name (a few hundred bytes instead of the 15–30 KB Node), and turns
 * changes of it into {@link LeaseEvent}s for the coalescer.
 *
 * <p>Rules, and where they differ from upstream ({@code pkg/subnet/kube/kube.go}):
 *
 * <ul>
 *   <li>The own node is ignored by name, and any other node claiming the own lease's subnets is
 *       skipped (upstream filters by subnet only, later, in its lease watcher).
 *   <li>Add, and update whose projected lease differs from the last one sent → {@code Added}.
 *       Upstream compares only backend-data, backend-type and public-ip (v6 forms), and in
 *       dual-stack clusters its IPv6 comparison overrides the IPv4 one; comparing the whole lease
 *       catches all of those and also a changed pod CIDR, which upstream ignores (its routes then
 *       point at a subnet the node no longer has). A changed pod CIDR gives {@code Removed} for the
 *       old subnets and {@code Added} for the new.
 *   <li>Delete, including {@code deletedFinalStateUnknown} after a re-list → {@code Removed} with
 *       the last lease sent.
 *   <li>A node that yields no lease (see {@link NodeProjector}) is skipped with one warning; the
 *       warning is repeated only when the reason changes, not on every update of the node (kubelet
 *       heartbeats change the resourceVersion all the time) nor on re-lists. A node that had a
 *       lease and then turns bad keeps its last lease, as upstream does (its update handler returns
 *       early), so a typo in an annotation does not cut the node off.
 *   <li>A node whose lease lacks a family this node needs (a dual-stack peer without {@code
 *       public-ipv6}) is delivered for the family it has, with one warning per node and missing
 *       field, e.g. {@code node n2: no flannel.alpha.coreos.com/public-ipv6 annotation: its IPv6
 *       pod traffic is not routed; IPv4 is}; repeated only if that field goes missing again after
 *       it was there. The lease keeps its subnets either way, so the annotation arriving later is
 *       an {@code Added} for the same lease, not a remove and an add.
 * </ul>
 *
 * <p>Thread-safety: the watch calls the handler methods from one thread at a time; {@link #leases}
 * and the counters may be read from any thread (the map is concurrent, the rest volatile). Owned by
 * one watch.
 */
final class PeerTracker implements ResourceEventHandler<Node> {

  private static final Logger log = LoggerFactory.getLogger(PeerTracker.class);
  private static final int MAX_PROBLEM = 300;

  private final String ownName;
  private final Lease ownLease;
  private final NodeProjector projector;
  private final Consumer<LeaseEvent> events;
  private final Consumer<String> warnings;
  private final Runnable onFirstSync;
  private final Clock clock;
  private final ConcurrentHashMap<String, Peer> peers = new ConcurrentHashMap<>();
  private volatile boolean synced;
  private volatile Instant firstListItemAt;
  private volatile Instant syncedAt;

  /**
   * What is known of one peer node.
   *
   * @param lease the last lease sent for it; null if it never had one
   * @param problem why its current state yields no lease; null if it does
   * @param gaps the families the last lease sent lacks, as warned about
   */
  private record Peer(Lease lease, String problem, List<NodeProjector.Gap> gaps) {}

  /**
   * Creates a tracker.
   *
   * @param ownName this node's name, never tracked
   * @param ownLease this node's lease; nodes claiming its subnets are skipped
   * @param projector turns Nodes into leases
   * @param events receives the changes
   * @param warnings receives one line per skipped node and reason
   * @param onFirstSync run once, after the first list has been handled
   * @param clock for the sync timestamps
   */
  PeerTracker(
      String ownName,
      Lease ownLease,
      NodeProjector projector,
      Consumer<LeaseEvent> events,
      Consumer<String> warnings,
      Runnable onFirstSync,
      Clock clock) {
    this.ownName = ownName;
    this.ownLease = ownLease;
    this.projector = projector;
    this.events = events;
    this.warnings = warnings;
    this.onFirstSync = onFirstSync;
    this.clock = clock;
  }

  @Override
  public void onAdd(Node node) {
    apply(node);
  }

  @Override
  public void onUpdate(Node oldNode, Node newNode) {
    apply(newNode);
  }

  @Override
  public void onDelete(Node node, boolean deletedFinalStateUnknown) {
    String name = node.getMetadata().getName();
    Peer last = peers.remove(name);
    if (last != null && last.lease() != null) {
      log.debug(
          "node {} deleted{}: lease {} removed",
          name,
          unknownSuffix(deletedFinalStateUnknown),
          last.lease().subnets());
      events.accept(new LeaseEvent.Removed(last.lease()));
    }
  }

  @Override
  public void onList(String resourceVersion, boolean remainedEmpty) {
    if (!synced) {
      syncedAt = clock.instant();
      if (firstListItemAt == null) {
        firstListItemAt = syncedAt;
      }
      synced = true;
      log.info(
          "node list synced at resourceVersion {}: {} peers, {} nodes skipped",
          resourceVersion,
          peerCount(),
          skippedCount());
      onFirstSync.run();
    } else {
      log.debug("node list re-synced at resourceVersion {}", resourceVersion);
    }
  }

  /** Returns every peer's current lease. */
  List<Lease> leases() {
    List<Lease> leases = new ArrayList<>(peers.size());
    for (Peer peer : peers.values()) {
      if (peer.lease() != null) {
        leases.add(peer.lease());
      }
    }
    return leases;
  }

  /** Returns true once the first list of nodes has been handled. */
  boolean synced() {
    return synced;
  }

  /** Returns when the first node of the first list reached the handler, or null. */
  Instant firstListItemAt() {
    return firstListItemAt;
  }

  /** Returns when the first list had been handled, or null. */
  Instant syncedAt() {
    return syncedAt;
  }

  /** Returns the number of peers with a lease. */
  int peerCount() {
    return (int) peers.values().stream().filter(p -> p.lease() != null).count();
  }

  /** Returns the number of nodes whose current state yields no lease. */
  int skippedCount() {
    return (int) peers.values().stream().filter(p -> p.problem() != null).count();
  }

  private void apply(Node node) {
    if (firstListItemAt == null) {
      firstListItemAt = clock.instant();
    }
    String name = node.getMetadata().getName();
    if (ownName.equals(name)) {
      return;
    }
    NodeProjector.Result result = projector.project(node);
    Lease lease = result.lease();
    String problem = result.problem();
    if (lease != null && lease.sameSubnets(ownLease)) {
      lease = null;
      problem = "claims this node's subnet " + ownLease.subnets();
    }
    Peer last = peers.get(name);
    Lease lastLease = last == null ? null : last.lease();
    List<NodeProjector.Gap> lastGaps = last == null ? List.of() : last.gaps();
    if (lease == null) {
      if (problem.endsWith(NodeProjector.NOT_STARTED)) {
        // upstream ignores such nodes silently: during a rollout that is every other node
        log.debug("skipping node {}: {}", name, problem);
      } else if (last == null || !problem.equals(last.problem())) {
        warnings.accept("skipping node " + name + ": " + shorten(problem));
      }
      peers.put(name, new Peer(lastLease, problem, lastGaps));
      return;
    }
    peers.put(name, new Peer(lease, null, result.gaps()));
    if (last != null
        && last.problem() != null
        && !last.problem().endsWith(NodeProjector.NOT_STARTED)) {
      log.info("node {} advertises a usable lease again", name);
    }
    reportGaps(name, lastGaps, result.gaps());
    if (lease.equals(lastLease)) {
      return;
    }
    if (lastLease != null && !lastLease.sameSubnets(lease)) {
      events.accept(new LeaseEvent.Removed(lastLease));
    }
    log.debug("node {}: lease {} added or changed", name, lease.subnets());
    events.accept(new LeaseEvent.Added(lease));
  }

  /** Warns once for each gap that is new, and says when a family is advertised again. */
  private void reportGaps(String name, List<NodeProjector.Gap> was, List<NodeProjector.Gap> now) {
    for (NodeProjector.Gap gap : now) {
      if (!was.contains(gap)) {
        warnings.accept("node " + name + ": " + shorten(gap.line()));
      }
    }
    for (NodeProjector.Gap gap : was) {
      if (now.stream().noneMatch(g -> g.family().equals(gap.family()))) {
        log.info("node {} advertises {} again", name, gap.family());
      }
    }
  }

  private static String shorten(String problem) {
    return problem.length() <= MAX_PROBLEM ? problem : problem.substring(0, MAX_PROBLEM) + "...";
  }

  private static String unknownSuffix(boolean deletedFinalStateUnknown) {
    return deletedFinalStateUnknown ? " (noticed on re-list)" : "";
  }
}
