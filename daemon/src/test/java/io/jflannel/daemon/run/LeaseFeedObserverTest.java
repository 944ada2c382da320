package io.jflannel.daemon.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jflannel.core.backend.BackendException;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.subnet.LeaseListener;
import io.jflannel.core.subnet.LeaseWatch;
import io.jflannel.core.subnet.NodeRecord;
import io.jflannel.core.subnet.SubnetException;
import io.jflannel.core.subnet.SubnetManager;
import io.jflannel.daemon.metrics.FakeNetwork;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** What the lease feed tells the health checks, and how often it reconciles before a success. */
class LeaseFeedObserverTest {
  private final Lease own = lease("10.244.1.0/24");
  private final Lease peer = lease("10.244.2.0/24");
  private final FakeNetwork network = new FakeNetwork(own);
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private final FeedObserver observer =
      new FeedObserver() {
        @Override
        public void feedStarted() {
          seen.add("started");
        }

        @Override
        public void handled(String error) {
          seen.add("handled " + error);
        }

        @Override
        public void reconciled(String error) {
          seen.add("reconciled " + error);
        }

        @Override
        public void skipped(String why) {
          seen.add("skipped " + why);
        }
      };

  private static Lease lease(String subnet) {
    return new Lease(
        Ip4Net.parse(subnet),
        null,
        new LeaseAttrs(Ip4.parse("192.168.0.9"), null, "vxlan", null, null),
        null,
        0);
  }

  /** A store whose first {@code unsynced} listings fail, as a kube watch before its first list. */
  private static final class Store implements SubnetManager {
    final AtomicInteger calls = new AtomicInteger();
    final int unsynced;
    final List<Lease> peers;

    Store(int unsynced, List<Lease> peers) {
      this.unsynced = unsynced;
      this.peers = peers;
    }

    @Override
    public List<Lease> currentLeases() throws SubnetException {
      if (calls.incrementAndGet() <= unsynced) {
        throw new SubnetException("the node list has not been received yet");
      }
      return peers;
    }

    @Override
    public String name() {
      return "test";
    }

    @Override
    public NetworkConfig networkConfig() {
      throw new UnsupportedOperationException();
    }

    @Override
    public NodeRecord nodeRecord() {
      return NodeRecord.EMPTY;
    }

    @Override
    public Lease acquireLease(LeaseAttrs attrs) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void completeLease(Lease lease, Consumer<Lease> onLost) {}

    @Override
    public LeaseWatch watchLeases(LeaseListener listener) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }

  @Test
  void eachPassIsReportedWithItsOutcome() throws Exception {
    Store store = new Store(1, List.of(peer));
    try (LeaseFeed feed = new LeaseFeed(store, network, observer)) {
      feed.reconcileOnce();
      feed.onEvents(List.of(new LeaseEvent.Added(peer)));
      feed.reconcileOnce();
      network.failNext();
      feed.reconcileOnce();
      network.failNext();
      feed.onEvents(List.of(new LeaseEvent.Removed(peer)));
    }
    assertThat(seen)
        .containsExactly(
            "skipped the node list has not been received yet",
            "handled null",
            "reconciled null",
            "reconciled " + FakeNetwork.FAILURE,
            "handled " + FakeNetwork.FAILURE);
  }

  @Test
  void untilAPassSucceedsPassesComeEverySecondThenEveryPeriod() {
    Store store = new Store(2, List.of(peer));
    long t0 = System.nanoTime();
    try (LeaseFeed feed = new LeaseFeed(store, network, observer)) {
      feed.startReconcile(10, Duration.ofHours(1).toMillis());
      await().atMost(Duration.ofSeconds(10)).until(() -> feed.reconciles() == 1);
      long millis = (System.nanoTime() - t0) / 1_000_000;
      assertThat(millis).as("two skipped passes a second apart, then the success").isLessThan(5000);
      assertThat(seen)
          .containsExactly(
              "started",
              "skipped the node list has not been received yet",
              "skipped the node list has not been received yet",
              "reconciled null");
    }
    assertThat(store.calls.get()).as("no pass after the success within the hour").isEqualTo(3);
  }

  @Test
  void anErrorEndsTheReconcileThreadAndIsReportedAsADeadWorker() throws BackendException {
    List<String> dead = new CopyOnWriteArrayList<>();
    Workers.watch((thread, error) -> dead.add(thread + ": " + error));
    try {
      FakeNetwork broken =
          new FakeNetwork(own) {
            @Override
            public synchronized void reconcile(List<Lease> current) {
              throw new StackOverflowError("deep");
            }
          };
      try (LeaseFeed feed = new LeaseFeed(new Store(0, List.of()), broken, observer)) {
        feed.startReconcile(1, 10);
        await().atMost(Duration.ofSeconds(10)).until(() -> !dead.isEmpty());
      }
      assertThat(dead).containsExactly("reconcile: java.lang.StackOverflowError: deep");
    } finally {
      Workers.watch((thread, error) -> {});
      Thread.setDefaultUncaughtExceptionHandler(null);
    }
  }
}
