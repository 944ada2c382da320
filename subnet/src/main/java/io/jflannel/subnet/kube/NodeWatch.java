package io.jflannel.subnet.kube;

import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.internal.AbstractWatchManager;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.subnet.LeaseListener;
import io.jflannel.core.subnet.LeaseWatch;
import io.jflannel.core.subnet.SubnetException;
import io.jflannel.subnet.Backoff;
import io.jflannel.subnet.LeaseDelivery;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running watch of the peer leases: list all Nodes (paged and streamed, {@link NodeLister}),
 * then watch them from the list's resourceVersion (a fabric8 watch), feeding every Node to a {@link
 * PeerTracker}, whose events go through a {@link LeaseDelivery}. No selector, as upstream.
 *
 * <p>Mechanism: one thread runs list → watch → (watch ends) → backoff → list ... until closed.
 * fabric8's watch resumes by itself from the last resourceVersion it saw when its connection drops
 * (with its own backoff, {@code watchReconnectInterval}); it ends only on 410 Gone (the
 * resourceVersion has been compacted away) or an error it cannot retry, and then the whole list is
 * read again: nodes it no longer returns become deletes ({@code deletedFinalStateUnknown}). Failed
 * lists are retried with the subnet module's {@link Backoff} (nominal 1 s doubling to 32 s, each
 * delay drawn from the upper half so a fleet of nodes does not come back in step); it starts again
 * once a list and its watch have both worked (a watch refused after every list must not turn into a
 * list per second). Nothing here gives up.
 *
 * <p>Hazard: fabric8's JDK-client watch has no read timeout and sends no pings, so a connection
 * that dies without a FIN or RST (an API server VIP moving, a NAT entry dropped) would leave it
 * waiting forever while the cluster changes. So, like client-go's reflector, no watch is kept
 * longer than a random 5 to 10 minutes ({@link #ROTATE_MS}): it is closed and a new one starts from
 * the resourceVersion of the last event (or bookmark) seen, with no re-list; a version the server
 * has compacted away ends in 410 Gone and a re-list, as above.
 *
 * <p>Per node, only name → resourceVersion is kept ({@link NodeVersions}: to tell an add from an
 * update, skip what has been seen, and find the nodes a re-list no longer returns); the tracker
 * keeps the projected lease. Why not fabric8's informer: it reads the first list as one {@code
 * byte[]} and then one {@code NodeList}, about 5× the JSON in heap at once (BENCHMARKS.md,
 * "flanneld memory and start-up"); here a list costs one parser buffer and one slim Node at a time.
 *
 * <p>Thread-safety: list items (this watch's thread) and watch events (fabric8's thread) reach the
 * tracker one at a time, under one lock ({@link NodeVersions}'s), and events of a watch that has
 * ended are dropped. {@link #close} and the readers may be called from any thread. Ownership: owns
 * its thread and the fabric8 watch; the client is borrowed.
 */
final class NodeWatch implements LeaseWatch {

  private static final Logger log = LoggerFactory.getLogger(NodeWatch.class);
  private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(32);

  /** A watch is replaced after this long plus up to as much again, at random. */
  static final long ROTATE_MS = 5 * 60_000;

  private final KubernetesClient client;
  private final NodeLister lister;
  private final LeaseDelivery delivery;
  private final PeerTracker tracker;
  private final Consumer<NodeWatch> onClose;
  private final Runnable beforeWatch;
  private final AtomicLong failures = new AtomicLong();
  private final NodeVersions versions;
  private final Thread thread;
  private volatile boolean closed;
  private volatile Watch watch;
  private volatile String lastFailure; // why the last list or watch failed; null once one works
  private boolean listedOnce; // the run thread's: a list has succeeded (later ones are consistent)
  private final long rotateMillis;
  private final Backoff backoff; // this watch's thread only

  private NodeWatch(
      KubernetesClient client,
      NodeLister lister,
      LeaseDelivery delivery,
      PeerTracker tracker,
      Consumer<NodeWatch> onClose,
      Runnable beforeWatch,
      String ownName,
      long rotateMillis) {
    this.rotateMillis = rotateMillis;
    this.client = client;
    this.lister = lister;
    this.delivery = delivery;
    this.backoff = new Backoff(FIRST_BACKOFF, MAX_BACKOFF, new SplittableRandom());
    this.tracker = tracker;
    this.versions = new NodeVersions(tracker, () -> closed);
    this.onClose = onClose;
    this.beforeWatch = beforeWatch;
    this.thread = new Thread(this::run, "jflannel-kube-nodes-" + ownName);
    thread.setDaemon(true);
  }

  /**
   * Starts listing and watching. Returns at once; the first batch reaches {@code listener} once the
   * first list has been handled.
   *
   * @param ownName this node, never delivered
   * @param ownLease this node's lease; its subnets are never delivered either
   * @param onClose told when the watch is closed, so the manager can forget it
   * @throws SubnetException if the client's master URL or HTTP client is unusable
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
    return start(
        client,
        ownName,
        ownLease,
        names,
        listener,
        warnings,
        clock,
        onClose,
        NodeLister.DEFAULT_PAGE_SIZE,
        () -> {},
        ROTATE_MS);
  }

  /**
   * {@link #start}, with the list's page size, a hook run on this watch's thread after each list
   * and before its watch starts (for tests: a change made there must still arrive), and how long a
   * watch may stay open before it is replaced (that, plus up to as much again at random).
   */
  static NodeWatch start(
      KubernetesClient client,
      String ownName,
      Lease ownLease,
      KubeAnnotations names,
      LeaseListener listener,
      Consumer<String> warnings,
      Clock clock,
      Consumer<NodeWatch> onClose,
      int pageSize,
      Runnable beforeWatch,
      long rotateMillis)
      throws SubnetException {
    NodeLister lister;
    try {
      lister = new NodeLister(client, pageSize);
    } catch (RuntimeException e) {
      throw new SubnetException("cannot start watching nodes: " + e.getMessage(), e);
    }
    LeaseDelivery delivery = new LeaseDelivery(listener, "jflannel-kube-leases-" + ownName);
    NodeProjector projector =
        new NodeProjector(names, ownLease.subnet() != null, ownLease.ipv6Subnet() != null);
    PeerTracker tracker =
        new PeerTracker(
            ownName, ownLease, projector, delivery::offer, warnings, delivery::release, clock);
    NodeWatch watch =
        new NodeWatch(
            client, lister, delivery, tracker, onClose, beforeWatch, ownName, rotateMillis);
    watch.thread.start();
    return watch;
  }

  /** Returns the peers' current leases. */
  List<Lease> leases() {
    return List.copyOf(tracker.leases());
  }

  /** Returns true once the first list of nodes has been handled. */
  boolean synced() {
    return tracker.synced();
  }

  /** Returns the resourceVersion of the last complete list, or null before the first. */
  String listedVersion() {
    return versions.listedVersion();
  }

  /** Returns a snapshot of the watch. */
  KubeWatchStats stats() {
    return new KubeWatchStats(
        true,
        tracker.synced(),
        watching(),
        tracker.peerCount(),
        tracker.skippedCount(),
        tracker.firstListItemAt(),
        tracker.syncedAt(),
        delivery.batchesDelivered(),
        delivery.eventsDelivered(),
        failures.get());
  }

  /**
   * Why the API server cannot be reached by this watch now (no watch connection: listing, failing
   * or reconnecting), or empty while its watch connection is up.
   */
  Optional<String> unreachable() {
    if (watching()) {
      return Optional.empty();
    }
    String why = lastFailure;
    return Optional.of(
        "the Node watch is not connected to the API server" + (why == null ? "" : ": " + why));
  }

  /** Whether the watch connection is up now (not while fabric8 reconnects it). */
  private boolean watching() {
    Watch w = watch;
    if (w == null) {
      return false;
    }
    // the manager fabric8 returns knows whether its connection is up; any other Watch: assume so
    return !(w instanceof AbstractWatchManager<?> m) || m.isWatching();
  }

  /**
   * Stops the list/watch thread and the fabric8 watch, then the delivery thread (see {@link
   * LeaseDelivery#close} for what that waits for). Idempotent; never throws.
   */
  @Override
  public void close() {
    onClose.accept(this);
    closed = true;
    thread.interrupt();
    closeWatch();
    delivery.close();
    if (Thread.currentThread() != thread) {
      try {
        thread.join(2_000); // it only stops at once when not inside a blocking read
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void closeWatch() {
    Watch w = watch;
    watch = null;
    if (w != null) {
      try {
        w.close();
      } catch (RuntimeException e) {
        log.debug("closing the node watch failed", e);
      }
    }
  }

  private void run() {
    while (!closed) {
      try {
        String version = relist();
        if (closed) {
          return;
        }
        beforeWatch.run();
        WatcherException end = watchFrom(version);
        if (closed) {
          return;
        }
        if (end != null && !end.isHttpGone()) {
          lastFailure = "watch failed: " + end.getMessage();
        }
        if (end == null) {
          failures.incrementAndGet();
          log.warn("node watch closed unexpectedly (client closed?); listing all nodes again");
        } else if (end.isHttpGone()) {
          log.info("node watch expired ({}); listing all nodes again", end.getMessage());
        } else {
          failures.incrementAndGet();
          log.warn("node watch failed: {}; listing all nodes again", end.getMessage());
          log.debug("node watch failure", end);
        }
      } catch (InterruptedException e) {
        if (closed) {
          return;
        }
      } catch (NodeLister.Gone e) {
        failures.incrementAndGet();
        log.info("node list continue token expired; listing all nodes again");
      } catch (Exception e) {
        if (closed) {
          return;
        }
        failures.incrementAndGet();
        lastFailure = "listing nodes failed: " + e.getMessage();
        log.warn("listing nodes failed, retrying: {}", String.valueOf(e.getMessage()));
        log.debug("node list failure", e);
      }
      try {
        Thread.sleep(backoff.next().toMillis());
      } catch (InterruptedException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  /**
   * Lists every node into the tracker; nodes known before but not listed now become deletes.
   * Returns the list's resourceVersion. The first list that succeeds is read from the API server's
   * watch cache, as client-go lists first; every later one is a consistent read, so that a re-list
   * never goes back behind what was delivered ({@link NodeLister}).
   */
  private String relist() throws Exception {
    Set<String> listed = new HashSet<>();
    String version = lister.list(node -> versions.listed(node, listed), !listedOnce);
    versions.endList(version, listed);
    listedOnce = true;
    return version;
  }

  /**
   * Watches from the list's {@code version} until the watch ends; returns why: null if it was
   * closed without an error (by {@link #close}, or because the client was closed). A watch open for
   * its whole rotation period is replaced by one from the last version seen, without returning.
   */
  private WatcherException watchFrom(String version) throws InterruptedException {
    versions.resumeFrom(version);
    while (true) {
      String from = versions.resumeVersion();
      CompletableFuture<WatcherException> ended = new CompletableFuture<>();
      Watch w =
          client
              .nodes()
              .watch(
                  new ListOptionsBuilder()
                      .withResourceVersion(from)
                      .withAllowWatchBookmarks(true)
                      .build(),
                  versions.handler(ended));
      watch = w;
      if (closed) {
        closeWatch();
        return null;
      }
      backoff.reset(); // a list and a watch worked: the next failure starts the backoff afresh
      lastFailure = null;
      log.debug("watching nodes from resourceVersion {}", from);
      long period = rotateMillis + ThreadLocalRandom.current().nextLong(rotateMillis + 1);
      try {
        return ended.get(period, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        return new WatcherException("node watch ended", e.getCause());
      } catch (TimeoutException e) {
        ended.complete(null); // from now on, its handler drops whatever still arrives
        log.debug("node watch open for {} ms; replacing it", period);
      } finally {
        closeWatch();
      }
      if (closed) {
        return null;
      }
    }
  }
}
