package io.jflannel.subnet.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.subnet.LeaseListener;
import io.jflannel.core.subnet.LeaseWatch;
import io.jflannel.core.subnet.SubnetException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running watch of the peer leases: a fabric8 informer on all Nodes (no selector, as upstream),
 * whose store is a {@link NodeVersionStore}, whose handler is a {@link PeerTracker}, feeding a
 * {@link LeaseEventCoalescer}.
 *
 * <p>The informer has no resync (a resync would only replay the store; the daemon reconciles
 * against {@link #leases} itself) and an exception handler that always retries: fabric8's default
 * gives up when the first list fails, e.g. when the API server is down as flanneld starts. Retries
 * use fabric8's backoff, 1 s doubling to 32 s; a broken watch is resumed from its last
 * resourceVersion, a 410 Gone or failed resume leads to a full re-list, whose missing nodes become
 * deletes.
 *
 * <p>Thread-safety: {@link #close} and the readers may be called from any thread. Ownership: owns
 * the informer and the delivery thread; the client is borrowed.
 */
final class NodeWatch implements LeaseWatch {

  private static final Logger log = LoggerFactory.getLogger(NodeWatch.class);

  private final SharedIndexInformer<Node> informer;
  private final LeaseEventCoalescer coalescer;
  private final PeerTracker tracker;
  private final Consumer<NodeWatch> onClose;
  private final AtomicLong failures;

  private NodeWatch(
      SharedIndexInformer<Node> informer,
      LeaseEventCoalescer coalescer,
      PeerTracker tracker,
      Consumer<NodeWatch> onClose,
      AtomicLong failures) {
    this.informer = informer;
    this.coalescer = coalescer;
    this.tracker = tracker;
    this.onClose = onClose;
    this.failures = failures;
  }

  /**
   * Starts the informer and the delivery thread. Returns at once; the first batch reaches {@code
   * listener} once the first list has been handled.
   *
   * @param ownName this node, never delivered
   * @param ownLease this node's lease; its subnets are never delivered either
   * @param onClose told when the watch is closed, so the manager can forget it
   * @throws SubnetException if the client refuses to create the informer
   */
  static NodeWatch start(
      KubernetesClient client,
      String ownName,
      Lease ownLease,
      KubeAnnotations names,
      LeaseListener listener,
      Consumer<String> warnings,
      Clock clock,
      Consumer<NodeWatch> onClose)
      throws SubnetException {
    LeaseEventCoalescer coalescer =
        new LeaseEventCoalescer(listener, "jflannel-kube-leases-" + ownName);
    NodeProjector projector =
        new NodeProjector(names, ownLease.subnet() != null, ownLease.ipv6Subnet() != null);
    PeerTracker tracker =
        new PeerTracker(
            ownName, ownLease, projector, coalescer::offer, warnings, coalescer::release, clock);
    AtomicLong failures = new AtomicLong();
    try {
      SharedIndexInformer<Node> informer = client.nodes().runnableInformer(0);
      informer.itemStore(new NodeVersionStore());
      informer.removeNamespaceIndex();
      informer.exceptionHandler(
          (started, failure) -> {
            failures.incrementAndGet();
            log.debug("node list/watch failed; the informer retries with backoff", failure);
            return true;
          });
      informer.addEventHandler(tracker);
      informer.start();
      return new NodeWatch(informer, coalescer, tracker, onClose, failures);
    } catch (RuntimeException e) {
      coalescer.close();
      throw new SubnetException("cannot start watching nodes: " + e.getMessage(), e);
    }
  }

  /** Returns the peers' current leases. */
  List<Lease> leases() {
    return List.copyOf(tracker.leases());
  }

  /** Returns true once the first list of nodes has been handled. */
  boolean synced() {
    return tracker.synced();
  }

  /** Returns a snapshot of the watch. */
  KubeWatchStats stats() {
    return new KubeWatchStats(
        true,
        tracker.synced(),
        informer.isWatching(),
        tracker.peerCount(),
        tracker.skippedCount(),
        tracker.firstListItemAt(),
        tracker.syncedAt(),
        coalescer.batchesDelivered(),
        coalescer.eventsDelivered(),
        failures.get());
  }

  /**
   * Stops the informer, then the delivery thread (see {@link LeaseEventCoalescer#close} for what
   * that waits for). Idempotent; never throws.
   */
  @Override
  public void close() {
    onClose.accept(this);
    try {
      informer.stop();
    } catch (RuntimeException e) {
      log.debug("stopping the node informer failed", e);
    }
    coalescer.close();
  }
}
