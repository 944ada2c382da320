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
  private volatile boolean heapWarned;

  /**
   * Peers one 64 MiB of heap programs in one go (measured: 50,000 vxlan peers with NexthopRoutes
   * ran out of a 64m heap and converged in 128m; BENCHMARKS.md). A rule of thumb, not a bound.
   */
  static final int PEERS_PER_64_MIB = 25_000;

  public LeaseFeed(SubnetManager manager, Network network) {
    this.manager = manager;
    this.network = network;
  }

  /**
   * The warning for a batch of {@code peers} lease events with a heap of {@code maxHeapBytes}, or
   * empty when the heap is large enough.
   */
  static java.util.Optional<String> heapAdvice(int peers, long maxHeapBytes) {
    long mib = maxHeapBytes >> 20;
    long room = Math.max(1, (mib + 32) / 64) * PEERS_PER_64_MIB; // maxMemory is a bit under -Xmx
    if (peers <= room) {
      return java.util.Optional.empty();
    }
    long need = ((peers + PEERS_PER_64_MIB - 1) / PEERS_PER_64_MIB) * 64L;
    return java.util.Optional.of(
        peers
            + " peer leases at once with a "
            + mib
            + " MiB heap: flanneld may run out of heap and exit (code 3); set"
            + " FLANNELD_JVM_HEAP="
            + need
            + "m or more");
  }

  @Override
  public void onEvents(List<LeaseEvent> events) {
    if (!heapWarned) {
      heapAdvice(events.size(), Runtime.getRuntime().maxMemory())
          .ifPresent(
              w -> {
                heapWarned = true;
                log.warn("{}", w);
              });
    }
    synchronized (lock) {
      HeapGrowth growth = HeapGrowth.forBatch(events.size());
      try {
        network.handle(events);
      } catch (BackendException e) {
        log.warn(
            "applying {} lease event(s) failed, the next reconcile repairs it: {}",
            events.size(),
            e.getMessage());
      } finally {
        growth.restore();
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
