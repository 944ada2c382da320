package io.jflannel.subnet;

import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.lease.LeaseKey;
import io.jflannel.core.subnet.LeaseListener;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers lease events to a {@link LeaseListener} under its contract, for both subnet managers:
 * one thread, coalesced per lease, initial state first, listener failures logged and survived.
 *
 * <p>Mechanism: {@link #offer} puts the event in an insertion-ordered map keyed by the lease's
 * {@link LeaseKey}, replacing (and moving to the end) any event already pending for it, and wakes
 * the delivery thread; the thread swaps the map out under the lock and calls the listener with its
 * values outside the lock. So an offer never waits for the listener, a slow listener sees bigger
 * batches, the latest state of each lease wins ({@code Added} then {@code Removed} becomes {@code
 * Removed}, and the reverse {@code Added}), and the memory held is bounded by the number of peers
 * however fast the store reports changes (upstream issue #2252: a bounded channel filled by 5,000
 * starting nodes deadlocked the informer).
 *
 * <p>Nothing is delivered before {@link #release}, which the watch calls once it has offered its
 * first listing: the first batch is the whole initial peer set. Keyed by subnets rather than node
 * name because a node whose pod CIDR changes yields a {@code Removed} for the old subnets and an
 * {@code Added} for the new ones, and both must survive.
 *
 * <p>Thread-safety: every method may be called from any thread. Ownership: one per watch; it owns
 * its daemon thread, started by the constructor and stopped and joined by {@link #close}.
 */
public final class LeaseDelivery implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaseDelivery.class);

  private final LeaseListener listener;
  private final Thread thread;
  private final Object lock = new Object();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong events = new AtomicLong();
  private LinkedHashMap<LeaseKey, LeaseEvent> pending = new LinkedHashMap<>(); // guarded by lock
  private boolean released; // guarded by lock
  private boolean closed; // guarded by lock

  /**
   * Creates the delivery and starts its thread, which waits for {@link #release}.
   *
   * @param listener where batches go
   * @param threadName the delivery thread's name, for thread dumps
   */
  public LeaseDelivery(LeaseListener listener, String threadName) {
    this.listener = listener;
    this.thread = new Thread(this::run, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues {@code event}, replacing any pending event for the same lease. Never blocks long. */
  public void offer(LeaseEvent event) {
    synchronized (lock) {
      if (!closed) {
        put(event);
        lock.notifyAll();
      }
    }
  }

  /**
   * Queues several events at once, each replacing any pending event for the same lease, so that the
   * delivery thread takes them together (a listing becomes one batch, not thousands).
   */
  public void offerAll(Collection<LeaseEvent> batch) {
    synchronized (lock) {
      if (closed || batch.isEmpty()) {
        return;
      }
      batch.forEach(this::put);
      lock.notifyAll();
    }
  }

  private void put(LeaseEvent event) {
    LeaseKey key = event.lease().key();
    pending.remove(key);
    pending.put(key, event);
  }

  /** Lets delivery start: called once the initial state has been offered. Idempotent. */
  public void release() {
    synchronized (lock) {
      released = true;
      lock.notifyAll();
    }
  }

  /** Returns how many events wait for delivery. */
  public int pendingCount() {
    synchronized (lock) {
      return pending.size();
    }
  }

  /** Returns the number of batches handed to the listener so far. */
  public long batchesDelivered() {
    return batches.get();
  }

  /** Returns the number of events handed to the listener so far. */
  public long eventsDelivered() {
    return events.get();
  }

  /**
   * Stops delivery: pending events are dropped, and when this returns no listener call is in
   * progress, unless this is called from the listener itself (then the current call finishes and no
   * other starts). Idempotent. If interrupted while waiting for the listener to return, gives up
   * waiting and keeps the interrupt flag set.
   */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      pending.clear();
      lock.notifyAll();
    }
    if (Thread.currentThread() != thread) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run() {
    while (true) {
      List<LeaseEvent> batch;
      synchronized (lock) {
        while (!closed && (!released || pending.isEmpty())) {
          try {
            lock.wait();
          } catch (InterruptedException e) {
            // only close() ends this thread; nobody else holds a reference to it
          }
        }
        if (closed) {
          return;
        }
        batch = new ArrayList<>(pending.values());
        pending = new LinkedHashMap<>();
      }
      deliver(batch);
    }
  }

  private void deliver(List<LeaseEvent> batch) {
    batches.incrementAndGet();
    events.addAndGet(batch.size());
    try {
      listener.onEvents(List.copyOf(batch));
    } catch (RuntimeException e) {
      log.error(
          "lease listener failed on a batch of {} events; carrying on, the periodic reconcile"
              + " repairs what it missed",
          batch.size(),
          e);
    }
  }
}
