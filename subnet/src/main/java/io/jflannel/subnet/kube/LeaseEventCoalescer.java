package io.jflannel.subnet.kube;

import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.subnet.LeaseListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands lease events to a {@link LeaseListener} from one thread, in batches, coalescing the events
 * of each lease so that pending work is bounded by the number of leases, never by the rate of
 * changes (upstream issue #2252: a bounded channel filled by 5,000 starting nodes deadlocked the
 * informer).
 *
 * <p>Mechanism: {@link #offer} puts the event in an insertion-ordered map keyed by the lease's
 * subnets, replacing (and moving to the end) any event already pending for them, and wakes the
 * delivery thread; the thread swaps the map out under the lock and calls the listener with its
 * values outside the lock. So an offer never blocks on the listener, a slow listener just sees
 * bigger batches, and the latest state of each lease wins ({@code Added} then {@code Removed}
 * becomes {@code Removed}, and the reverse {@code Added}). Events are held back until {@link
 * #release} is called, which the watch does once its first list has been handled, so the first
 * batch is the whole initial peer set.
 *
 * <p>Keyed by subnets rather than node name because a lease is identified by its subnets ({@link
 * io.jflannel.core.lease.Lease#sameSubnets}): a node whose pod CIDR changes yields a {@code
 * Removed} for the old subnets and an {@code Added} for the new ones, and both must survive.
 *
 * <p>Thread-safety: {@link #offer}, {@link #release} and {@link #close} may be called from any
 * thread. Ownership: one per watch; it owns its daemon thread, which {@link #close} stops and
 * joins. A listener that throws is logged and the next batch is delivered as usual.
 */
final class LeaseEventCoalescer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LeaseEventCoalescer.class);

  private final LeaseListener listener;
  private final Thread thread;
  private final Object lock = new Object();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong events = new AtomicLong();
  private LinkedHashMap<SubnetKey, LeaseEvent> pending = new LinkedHashMap<>();
  private boolean released;
  private boolean closed;

  /** A lease's identity: its subnets. */
  private record SubnetKey(Ip4Net subnet, Ip6Net ipv6Subnet) {}

  /**
   * Creates the coalescer and starts its delivery thread, which waits for {@link #release}.
   *
   * @param listener where batches go
   * @param threadName the delivery thread's name, for thread dumps
   */
  LeaseEventCoalescer(LeaseListener listener, String threadName) {
    this.listener = listener;
    this.thread = new Thread(this::run, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues {@code event}, replacing any pending event for the same subnets. Never blocks long. */
  void offer(LeaseEvent event) {
    SubnetKey key = new SubnetKey(event.lease().subnet(), event.lease().ipv6Subnet());
    synchronized (lock) {
      if (closed) {
        return;
      }
      pending.remove(key);
      pending.put(key, event);
      lock.notifyAll();
    }
  }

  /** Lets delivery start: called once the initial state has been offered. Idempotent. */
  void release() {
    synchronized (lock) {
      released = true;
      lock.notifyAll();
    }
  }

  /** Returns the number of batches handed to the listener so far. */
  long batchesDelivered() {
    return batches.get();
  }

  /** Returns the number of events handed to the listener so far. */
  long eventsDelivered() {
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
      log.error("lease listener failed on a batch of {} events; carrying on", batch.size(), e);
    }
  }
}
