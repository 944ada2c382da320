package io.jflannel.daemon.metrics;

import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.Network;
import io.jflannel.core.backend.NetworkStats;
import io.jflannel.core.backend.PlannedChange;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.lease.LeaseKey;
import io.jflannel.core.metrics.MetricSink;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleConsumer;

/**
 * A {@link Network} that counts what goes through it, for {@link Metrics}: the peers the backend
 * has been told about, lease events by kind, reconcile passes that failed, and the kernel writes
 * each pass made (its repairs), sampled from the backend's own {@link NetworkStats#writes} counter
 * right after each call.
 *
 * <p>Why a decorator: the daemon feeds the backend through one {@link Network} reference, so
 * wrapping it sees every event and every reconcile without the backends or {@code LeaseFeed}
 * knowing about metrics. Sampling the write counters on the calling thread, after the backend
 * returned, means a scrape never waits for a long reconcile that holds the backend's lock.
 *
 * <p>Threading: the {@link Network} contract holds ({@code handle} and {@code reconcile} one at a
 * time); the bookkeeping takes its own lock as well, and the readers may be called from any thread.
 * Owns nothing but the delegate, which {@link #close} closes.
 */
final class MeteredNetwork implements Network {

  /** Read by {@link Metrics}: {@code -1} until the backend's counter has been sampled. */
  static final long UNKNOWN = -1;

  private final Network delegate;
  private final NetworkStats stats; // null: the backend keeps no counters
  private final DoubleConsumer reconcileSeconds;
  private final Object lock = new Object();
  private final Set<LeaseKey> peers = new HashSet<>(); // guarded by lock
  private volatile int peerCount;
  private volatile long writes = UNKNOWN;
  private final LongAdder added = new LongAdder();
  private final LongAdder removed = new LongAdder();
  private final LongAdder repairs = new LongAdder();
  private final LongAdder handleFailures = new LongAdder();
  private final LongAdder reconcileFailures = new LongAdder();

  /**
   * @param reconcileSeconds told the duration of each reconcile pass, failed ones included
   */
  MeteredNetwork(Network delegate, DoubleConsumer reconcileSeconds) {
    this.delegate = delegate;
    this.stats = delegate instanceof NetworkStats s ? s : null;
    this.reconcileSeconds = reconcileSeconds;
    sample();
  }

  @Override
  public Lease lease() {
    return delegate.lease();
  }

  @Override
  public int mtu() {
    return delegate.mtu();
  }

  @Override
  public void handle(List<LeaseEvent> events) throws BackendException {
    synchronized (lock) {
      LeaseKey own = delegate.lease().key();
      for (LeaseEvent e : events) {
        LeaseKey k = e.lease().key();
        if (e instanceof LeaseEvent.Added) {
          added.increment();
          if (!k.equals(own)) {
            peers.add(k);
          }
        } else {
          removed.increment();
          peers.remove(k);
        }
      }
      peerCount = peers.size();
      try {
        delegate.handle(events);
      } catch (BackendException | RuntimeException e) {
        handleFailures.increment();
        throw e;
      } finally {
        sample();
      }
    }
  }

  @Override
  public void reconcile(List<Lease> current) throws BackendException {
    synchronized (lock) {
      LeaseKey own = delegate.lease().key();
      peers.clear();
      for (Lease l : current) {
        LeaseKey k = l.key();
        if (!k.equals(own)) {
          peers.add(k);
        }
      }
      peerCount = peers.size();
      long before = writes;
      long start = System.nanoTime();
      try {
        delegate.reconcile(current);
      } catch (BackendException | RuntimeException e) {
        reconcileFailures.increment();
        throw e;
      } finally {
        reconcileSeconds.accept((System.nanoTime() - start) / 1e9);
        sample();
        if (before != UNKNOWN && writes != UNKNOWN) {
          repairs.add(writes - before);
        }
      }
    }
  }

  @Override
  public List<PlannedChange> plan(List<Lease> current) throws BackendException {
    return delegate.plan(current);
  }

  private void sample() {
    if (stats != null) {
      writes = stats.writes();
    }
  }

  @Override
  public void declareMetrics(MetricSink sink) {
    delegate.declareMetrics(sink);
  }

  @Override
  public void run() throws BackendException, InterruptedException {
    delegate.run();
  }

  @Override
  public void close() {
    delegate.close();
  }

  /** The network this one counts for. */
  Network delegate() {
    return delegate;
  }

  /** Peers the backend was last told about (own lease excluded). */
  int peers() {
    return peerCount;
  }

  /** The backend's kernel writes at the last sample, or {@link #UNKNOWN}. */
  long writes() {
    return writes;
  }

  /** Whether the backend counts its kernel writes at all. */
  boolean countsWrites() {
    return stats != null;
  }

  long added() {
    return added.sum();
  }

  long removed() {
    return removed.sum();
  }

  /** Kernel writes made by reconcile passes: each one an entry that had drifted. */
  long repairs() {
    return repairs.sum();
  }

  long handleFailures() {
    return handleFailures.sum();
  }

  long reconcileFailures() {
    return reconcileFailures.sum();
  }
}
