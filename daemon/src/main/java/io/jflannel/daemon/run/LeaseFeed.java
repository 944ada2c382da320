package io.jflannel.daemon.run;

import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.Network;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.subnet.LeaseListener;
import io.jflannel.core.subnet.SubnetException;
import io.jflannel.core.subnet.SubnetManager;
import java.util.List;
import java.util.concurrent.Executors;
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
 * is never torn down because the store is unreachable. Owns its scheduler thread; {@link #close}
 * stops it.
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

  public LeaseFeed(SubnetManager manager, Network network) {
    this.manager = manager;
    this.network = network;
  }

  @Override
  public void onEvents(List<LeaseEvent> events) {
    synchronized (lock) {
      try {
        network.handle(events);
      } catch (BackendException e) {
        log.warn(
            "applying {} lease event(s) failed, the next reconcile repairs it: {}",
            events.size(),
            e.getMessage());
      }
    }
  }

  /** Starts the periodic reconcile: first after {@code firstDelayMillis}, then every period. */
  public void startReconcile(long firstDelayMillis, long periodMillis) {
    scheduler.scheduleWithFixedDelay(
        this::reconcileOnce, firstDelayMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  /** One level-triggered pass; failures are logged, never thrown. */
  public void reconcileOnce() {
    try {
      var peers = manager.currentLeases();
      synchronized (lock) {
        network.reconcile(peers);
      }
      reconciles.incrementAndGet();
    } catch (SubnetException | BackendException e) {
      log.warn("reconcile skipped, will retry next period: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
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
