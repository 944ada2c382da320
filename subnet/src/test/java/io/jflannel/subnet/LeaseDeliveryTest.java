package io.jflannel.subnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LeaseDeliveryTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private static Lease lease(int third, String publicIp) {
    return new Lease(
        Ip4Net.parse("10.244." + third + ".0/24"),
        null,
        new LeaseAttrs(Ip4.parse(publicIp), null, "vxlan", null, null),
        null,
        0);
  }

  private static LeaseEvent added(int third, String publicIp) {
    return new LeaseEvent.Added(lease(third, publicIp));
  }

  @Test
  void holdsEventsUntilReleasedThenDeliversThemInOneBatch() throws Exception {
    RecordingListener listener = new RecordingListener();
    try (LeaseDelivery c = new LeaseDelivery(listener, "test")) {
      for (int i = 1; i <= 100; i++) {
        c.offer(added(i, "192.168.0." + i));
      }
      assertThat(listener.batches.poll(100, TimeUnit.MILLISECONDS)).isNull();
      c.release();
      List<LeaseEvent> batch = listener.next(WAIT);
      assertThat(batch).hasSize(100);
      assertThat(batch.get(0).lease().subnet()).isEqualTo(Ip4Net.parse("10.244.1.0/24"));
      assertThat(batch.get(99).lease().subnet()).isEqualTo(Ip4Net.parse("10.244.100.0/24"));
    }
  }

  @Test
  void offerAllQueuesAListingAsOneBatchDeliveredOnOneThread() throws Exception {
    RecordingListener listener = new RecordingListener();
    try (LeaseDelivery c = new LeaseDelivery(listener, "test-leases")) {
      c.offerAll(
          List.of(added(1, "192.168.0.1"), added(2, "192.168.0.2"), added(1, "192.168.0.9")));
      assertThat(c.pendingCount()).isEqualTo(2);
      c.release();
      assertThat(listener.next(WAIT))
          .containsExactly(added(2, "192.168.0.2"), added(1, "192.168.0.9"));
      c.offer(added(3, "192.168.0.3"));
      assertThat(listener.next(WAIT)).containsExactly(added(3, "192.168.0.3"));
      assertThat(listener.thread.getName()).isEqualTo("test-leases");
      assertThat(listener.overlapped).isFalse();
      assertThat(c.batchesDelivered()).isEqualTo(2);
      assertThat(c.eventsDelivered()).isEqualTo(3);
    }
  }

  @Test
  void latestStateOfALeaseWinsAndMovesToTheEnd() throws Exception {
    RecordingListener listener = new RecordingListener();
    try (LeaseDelivery c = new LeaseDelivery(listener, "test")) {
      c.offer(added(1, "192.168.0.1"));
      c.offer(added(2, "192.168.0.2"));
      c.offer(added(1, "192.168.0.11"));
      c.offer(added(3, "192.168.0.3"));
      c.offer(new LeaseEvent.Removed(lease(3, "192.168.0.3")));
      c.offer(new LeaseEvent.Removed(lease(4, "192.168.0.4")));
      c.offer(added(4, "192.168.0.44"));
      c.release();
      assertThat(listener.next(WAIT))
          .containsExactly(
              added(2, "192.168.0.2"),
              added(1, "192.168.0.11"),
              new LeaseEvent.Removed(lease(3, "192.168.0.3")),
              added(4, "192.168.0.44"));
    }
  }

  @Test
  void aThrowingListenerIsLoggedAndGetsTheNextBatch() throws Exception {
    BlockingQueue<List<LeaseEvent>> seen = new LinkedBlockingQueue<>();
    AtomicInteger calls = new AtomicInteger();
    try (LeaseDelivery c =
        new LeaseDelivery(
            batch -> {
              seen.add(batch);
              if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("boom (expected by the test)");
              }
            },
            "test")) {
      c.release();
      c.offer(added(1, "192.168.0.1"));
      assertThat(seen.poll(10, TimeUnit.SECONDS)).hasSize(1);
      c.offer(added(2, "192.168.0.2"));
      assertThat(seen.poll(10, TimeUnit.SECONDS)).containsExactly(added(2, "192.168.0.2"));
    }
  }

  @Test
  void aBusyListenerSeesBiggerBatchesAndLosesNothing() throws Exception {
    CountDownLatch firstCall = new CountDownLatch(1);
    CountDownLatch unblock = new CountDownLatch(1);
    RecordingListener recorder = new RecordingListener();
    try (LeaseDelivery c =
        new LeaseDelivery(
            batch -> {
              firstCall.countDown();
              try {
                unblock.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              recorder.onEvents(batch);
            },
            "test")) {
      c.release();
      c.offer(added(0, "192.168.1.1"));
      assertThat(firstCall.await(10, TimeUnit.SECONDS)).isTrue();
      // while the listener is stuck: 4 threads x 2,500 changes over 250 leases
      List<Thread> writers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int base = t;
        Thread w =
            new Thread(
                () -> {
                  for (int i = 0; i < 2500; i++) {
                    c.offer(added(1 + (i % 250), "192.168." + base + "." + (i % 250)));
                  }
                });
        writers.add(w);
        w.start();
      }
      for (Thread w : writers) {
        w.join(10_000);
      }
      unblock.countDown();
      await().atMost(WAIT).until(() -> recorder.peers.size() == 251);
      assertThat(recorder.events.get()).isLessThanOrEqualTo(1 + 250);
      assertThat(recorder.overlapped).isFalse();
    }
  }

  @Test
  void closeWaitsForTheListenerAndStopsDelivery() throws Exception {
    CountDownLatch inListener = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<List<LeaseEvent>> seen = new ArrayList<>();
    LeaseDelivery c =
        new LeaseDelivery(
            batch -> {
              inListener.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              synchronized (seen) {
                seen.add(batch);
              }
            },
            "test");
    c.release();
    c.offer(added(1, "192.168.0.1"));
    assertThat(inListener.await(10, TimeUnit.SECONDS)).isTrue();
    Thread closer = new Thread(c::close);
    closer.start();
    c.offer(added(2, "192.168.0.2"));
    closer.join(200);
    assertThat(closer.isAlive()).as("close waits for the listener call").isTrue();
    release.countDown();
    closer.join(10_000);
    assertThat(closer.isAlive()).isFalse();
    c.offer(added(3, "192.168.0.3"));
    synchronized (seen) {
      assertThat(seen).hasSize(1);
    }
  }

  @Test
  void closeFromTheListenerItselfDoesNotDeadlock() throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    LeaseDelivery[] holder = new LeaseDelivery[1];
    holder[0] =
        new LeaseDelivery(
            batch -> {
              holder[0].close();
              done.countDown();
            },
            "test");
    holder[0].release();
    holder[0].offer(added(1, "192.168.0.1"));
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    holder[0].offer(added(2, "192.168.0.2"));
    assertThat(holder[0].pendingCount()).as("offers after close are dropped").isZero();
  }
}
