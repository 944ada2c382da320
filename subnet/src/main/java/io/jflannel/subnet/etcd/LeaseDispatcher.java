package io.jflannel.subnet.etcd;

import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.subnet.LeaseListener;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers lease events to a {@link LeaseListener} on one dedicated thread, coalescing per subnet
 * while they wait: the delivery half of the listener contract (one thread, latest state wins,
 * batches, listener failures logged and survived).
 *
 * <p>Pending events sit in an insertion-ordered map keyed by subnet; a newer event for the same
 * subnet replaces the older one and moves to the end, so a batch holds at most one event per lease
 * in the order of their latest changes, and the memory held is bounded by the number of peers
 * however fast etcd reports changes (upstream issue #2252). The thread takes everything pending as
 * one batch, calls the listener, and waits again.
 *
 * <p>Thread-safety: {@link #offer} may be called from any thread. Owns its thread: {@link #close}
 * stops it and waits for a listener call in progress to return (unless called from the listener
 * itself). A listener that never returns therefore blocks {@code close}: the listener contract asks
 * it to return promptly.
 */
final class LeaseDispatcher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LeaseDispatcher.class);

  private final LeaseListener listener;
  private final Thread thread;
  private final LinkedHashMap<SubnetKey, LeaseEvent> pending = new LinkedHashMap<>();
  private boolean closed; // guarded by this

  LeaseDispatcher(String threadName, LeaseListener listener) {
    this.listener = listener;
    this.thread = new Thread(this::run, threadName);
    this.thread.setDaemon(true);
  }

  /** Starts the delivery thread; events offered before are delivered first, as one batch. */
  void start() {
    thread.start();
  }

  /** Queues an event, replacing any pending event for the same subnets. */
  synchronized void offer(SubnetKey key, LeaseEvent event) {
    if (closed) {
      return;
    }
    pending.remove(key);
    pending.put(key, event);
    notifyAll();
  }

  /**
   * Queues several events at once, each replacing any pending event for the same subnets, so that
   * the delivery thread takes them together (a listing becomes one batch, not thousands).
   */
  synchronized void offerAll(Map<SubnetKey, LeaseEvent> events) {
    if (closed || events.isEmpty()) {
      return;
    }
    for (Map.Entry<SubnetKey, LeaseEvent> e : events.entrySet()) {
      pending.remove(e.getKey());
      pending.put(e.getKey(), e.getValue());
    }
    notifyAll();
  }

  /** Returns how many events wait for delivery; for tests and metrics. */
  synchronized int pendingCount() {
    return pending.size();
  }

  /**
   * Stops delivery: pending events are dropped, no listener call starts afterwards, and a call in
   * progress has returned when this returns (unless this is called from that call). Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      pending.clear();
      notifyAll();
    }
    if (Thread.currentThread() != thread && thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private synchronized List<LeaseEvent> take() throws InterruptedException {
    while (!closed && pending.isEmpty()) {
      wait();
    }
    if (closed) {
      return null;
    }
    List<LeaseEvent> batch = List.copyOf(pending.values());
    pending.clear();
    return batch;
  }

  private void run() {
    while (true) {
      List<LeaseEvent> batch;
      try {
        batch = take();
      } catch (InterruptedException e) {
        return;
      }
      if (batch == null) {
        return;
      }
      try {
        listener.onEvents(batch);
      } catch (RuntimeException e) {
        log.error(
            "lease listener failed on a batch of {} events; carrying on, the periodic reconcile"
                + " repairs what it missed",
            batch.size(),
            e);
      }
    }
  }
}
