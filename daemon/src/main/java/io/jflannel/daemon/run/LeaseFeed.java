package io.jflannel.daemon.run;

import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.Network;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.subnet.LeaseListener;
import io.jflannel.core.subnet.SubnetException;
import io.jflannel.core.subnet.SubnetManager;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the backend's {@link Network}: lease events as they come (edge), and a full reconcile
 * against the subnet manager's current peer set every resync period (level).
 *
 * <p>Both paths take the same lock, so the network sees one call at a time, as its contract
 * requires. A failed reconcile is logged and tried again at the next period; existing kernel state
 * is never torn down because the store is unreachable. Until a pass has succeeded once, passes come
 * every second (kube mode: the first Node list may still be on its way), so readiness does not wait
 * a whole period. Each outcome goes to the {@link FeedObserver} (the health checks). An error that
 * escapes a pass (an {@link Error}) ends the reconcile thread: it is reported to {@link Workers}
 * first. Owns its scheduler thread; {@link #close} stops it.
 */
public final class LeaseFeed implements LeaseListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaseFeed.class);

  private final SubnetManager manager;
  private final Network network;
  private final Object lock = new Object();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "reconcile");
            t.setDaemon(true);
            return t;
          });
  private final AtomicLong reconciles = new AtomicLong();
  private final FeedObserver observer;
  private volatile boolean succeeded;
  private volatile long periodMillis;

  public LeaseFeed(SubnetManager manager, Network network) {
    this(manager, network, FeedObserver.NONE);
  }

  public LeaseFeed(SubnetManager manager, Network network, FeedObserver observer) {
    this.manager = manager;
    this.network = network;
    this.observer = observer;
  }

  @Override
  public void onEvents(List<LeaseEvent> events) {
    synchronized (lock) {
      try {
        network.handle(events);
        observer.handled(null);
      } catch (BackendException e) {
        observer.handled(e.getMessage());
        log.warn(
            "applying {} lease event(s) failed, the next reconcile repairs it: {}",
            events.size(),
            e.getMessage());
      }
    }
  }

  /**
   * Starts the periodic reconcile: first after {@code firstDelayMillis}, then every period (every
   * second until a pass has succeeded).
   */
  public void startReconcile(long firstDelayMillis, long periodMillis) {
    this.periodMillis = periodMillis;
    observer.feedStarted();
    schedule(firstDelayMillis);
  }

  private void schedule(long delayMillis) {
    try {
      scheduler.schedule(
          Workers.guard("reconcile", this::pass), delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("reconcile not rescheduled: the feed is closed");
    }
  }

  private void pass() {
    reconcileOnce();
    if (!Thread.currentThread().isInterrupted()) {
      schedule(succeeded ? periodMillis : Math.min(periodMillis, 1000));
    }
  }

  /** One level-triggered pass; failures are logged, never thrown. */
  public void reconcileOnce() {
    List<Lease> peers;
    try {
      peers = manager.currentLeases();
    } catch (SubnetException e) {
      observer.skipped(e.getMessage());
      log.warn("reconcile skipped, will retry next period: {}", e.getMessage());
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    try {
      synchronized (lock) {
        network.reconcile(peers);
      }
      reconciles.incrementAndGet();
      succeeded = true;
      observer.reconciled(null);
    } catch (BackendException e) {
      observer.reconciled(e.getMessage());
      log.warn("reconcile failed, will retry next period: {}", e.getMessage());
    } catch (RuntimeException e) {
      observer.reconciled(e.toString());
      log.error("reconcile failed", e);
    }
  }

  /** Completed reconcile passes, for metrics and tests. */
  public long reconciles() {
    return reconciles.get();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
