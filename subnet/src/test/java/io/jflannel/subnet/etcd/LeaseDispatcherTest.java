package io.jflannel.subnet.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseEvent;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class LeaseDispatcherTest {

  private static SubnetKey key(int third) {
    return new SubnetKey(Ip4Net.parse("10.5." + third + ".0/24"), null);
  }

  private static Lease lease(int third, String publicIp) {
    return new Lease(
        key(third).subnet(),
        null,
        new LeaseAttrs(Ip4.parse(publicIp), null, "vxlan", null, null),
        null,
        1);
  }

  @Test
  void coalescesPerSubnetLatestWinsInOrderOfLatestChange() throws Exception {
    BlockingQueue<List<LeaseEvent>> batches = new LinkedBlockingQueue<>();
    try (LeaseDispatcher dispatcher = new LeaseDispatcher("test-leases", batches::add)) {
      dispatcher.offer(key(1), new LeaseEvent.Added(lease(1, "192.168.0.1")));
      dispatcher.offer(key(2), new LeaseEvent.Added(lease(2, "192.168.0.2")));
      dispatcher.offer(key(1), new LeaseEvent.Added(lease(1, "192.168.0.11")));
      dispatcher.offer(key(3), new LeaseEvent.Added(lease(3, "192.168.0.3")));
      dispatcher.offer(key(3), new LeaseEvent.Removed(lease(3, "192.168.0.3")));
      dispatcher.start();

      List<LeaseEvent> batch = batches.poll(5, TimeUnit.SECONDS);
      assertThat(batch)
          .containsExactly(
              new LeaseEvent.Added(lease(2, "192.168.0.2")),
              new LeaseEvent.Added(lease(1, "192.168.0.11")),
              new LeaseEvent.Removed(lease(3, "192.168.0.3")));
      assertThat(dispatcher.pendingCount()).isZero();
    }
  }

  @Test
  void deliversOnOneThreadAndSurvivesAFailingListener() throws Exception {
    Set<String> threads = ConcurrentHashMap.newKeySet();
    BlockingQueue<List<LeaseEvent>> batches = new LinkedBlockingQueue<>();
    AtomicBoolean failed = new AtomicBoolean();
    try (LeaseDispatcher dispatcher =
        new LeaseDispatcher(
            "test-leases",
            events -> {
              threads.add(Thread.currentThread().getName());
              if (failed.compareAndSet(false, true)) {
                throw new IllegalStateException("listener bug");
              }
              batches.add(events);
            })) {
      dispatcher.start();
      dispatcher.offer(key(1), new LeaseEvent.Added(lease(1, "192.168.0.1")));
      // the first batch failed and is not delivered again; the next one is
      assertThat(batches.poll(300, TimeUnit.MILLISECONDS)).isNull();
      dispatcher.offer(key(2), new LeaseEvent.Added(lease(2, "192.168.0.2")));
      assertThat(batches.poll(5, TimeUnit.SECONDS))
          .containsExactly(new LeaseEvent.Added(lease(2, "192.168.0.2")));
    }
    assertThat(threads).containsExactly("test-leases");
  }

  @Test
  void closeWaitsForTheCallInProgress() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean returned = new AtomicBoolean();
    LeaseDispatcher dispatcher =
        new LeaseDispatcher(
            "test-leases",
            events -> {
              entered.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              returned.set(true);
            });
    dispatcher.start();
    dispatcher.offer(key(1), new LeaseEvent.Added(lease(1, "192.168.0.1")));
    assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
    Thread closer = new Thread(dispatcher::close);
    closer.start();
    closer.join(200);
    assertThat(closer.isAlive()).as("close waits for the listener").isTrue();
    release.countDown();
    closer.join(5000);
    assertThat(closer.isAlive()).isFalse();
    assertThat(returned).isTrue();
  }

  @Test
  void closeFromTheListenerDoesNotDeadlock() throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    LeaseDispatcher[] self = new LeaseDispatcher[1];
    self[0] =
        new LeaseDispatcher(
            "test-leases",
            events -> {
              self[0].close();
              done.countDown();
            });
    self[0].start();
    self[0].offer(key(1), new LeaseEvent.Added(lease(1, "192.168.0.1")));
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    self[0].offer(key(2), new LeaseEvent.Added(lease(2, "192.168.0.2")));
    assertThat(self[0].pendingCount()).as("offers after close are dropped").isZero();
  }
}
