package io.jflannel.subnet;

import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.subnet.LeaseListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listener for the tests: queues every batch and folds the events into the peer set a backend
 * would hold (subnets → lease), checking the one-thread rule on the way.
 */
public final class RecordingListener implements LeaseListener {

  public final BlockingQueue<List<LeaseEvent>> batches = new LinkedBlockingQueue<>();
  public final Map<String, Lease> peers = new ConcurrentHashMap<>();
  public final AtomicInteger events = new AtomicInteger();
  private final AtomicInteger concurrentCalls = new AtomicInteger();
  public volatile Thread thread;
  public volatile boolean overlapped;

  @Override
  public void onEvents(List<LeaseEvent> batch) {
    if (concurrentCalls.incrementAndGet() > 1) {
      overlapped = true;
    }
    try {
      if (thread == null) {
        thread = Thread.currentThread();
      } else if (thread != Thread.currentThread()) {
        overlapped = true;
      }
      for (LeaseEvent e : batch) {
        if (e instanceof LeaseEvent.Added added) {
          peers.put(added.lease().subnets(), added.lease());
        } else {
          peers.remove(e.lease().subnets());
        }
      }
      events.addAndGet(batch.size());
      batches.add(batch);
    } finally {
      concurrentCalls.decrementAndGet();
    }
  }

  /** Returns the next batch, failing the test if none comes within {@code timeout}. */
  public List<LeaseEvent> next(Duration timeout) throws InterruptedException {
    List<LeaseEvent> batch = batches.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (batch == null) {
      throw new AssertionError("no batch of lease events within " + timeout);
    }
    return batch;
  }
}
