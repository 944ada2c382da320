package io.jflannel.daemon.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.core.backend.BackendException;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.daemon.metrics.FakeNetwork;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guard brackets a large batch for the feed behind it with {@link HeapGrowth}, in this JVM,
 * failures included.
 */
class HeapGuardGrowthTest {
  private static final Lease PEER =
      new Lease(
          Ip4Net.parse("10.244.1.0/24"),
          null,
          new LeaseAttrs(Ip4.parse("192.168.0.12"), null, "host-gw", null, null),
          Instant.parse("2026-12-02T00:00:00Z"),
          0);

  private final HeapGrowth.VmFlags jvm = HeapGrowth.jvm();
  private HeapGrowthTest.Saved saved;

  /** Records this JVM's MinHeapFreeRatio at each batch it is handed. */
  private final class Recording extends FakeNetwork {
    final List<String> seen = Collections.synchronizedList(new ArrayList<>());

    Recording() {
      super(PEER);
    }

    @Override
    public synchronized void handle(List<LeaseEvent> events) throws BackendException {
      seen.add(jvm.get(HeapGrowth.MIN));
      super.handle(events);
    }
  }

  @BeforeEach
  void launchersRatios() {
    saved = HeapGrowthTest.tightenThisJvm();
  }

  @AfterEach
  void testJvmsRatios() {
    HeapGrowthTest.putBack(saved);
  }

  private static List<LeaseEvent> batch(int n) {
    return Collections.nCopies(n, new LeaseEvent.Added(PEER));
  }

  @Test
  void aLargeBatchIsProgrammedWithLooseRatiosAndASmallOneWithTheLaunchers() {
    Recording network = new Recording();
    try (LeaseFeed feed = new LeaseFeed(null, network)) {
      HeapGuard guard = new HeapGuard(feed);
      guard.onEvents(batch(HeapGrowth.LARGE_BATCH));
      guard.onEvents(batch(1));
    }
    assertThat(network.seen).containsExactly("40", "10");
    assertThat(jvm.get(HeapGrowth.MIN)).isEqualTo("10");
    assertThat(jvm.get(HeapGrowth.MAX)).isEqualTo("30");
  }

  @Test
  void aLargeBatchThatFailsStillPutsTheRatiosBack() {
    Recording network = new Recording();
    network.failNext();
    try (LeaseFeed feed = new LeaseFeed(null, network)) {
      HeapGuard guard = new HeapGuard(feed);
      guard.onEvents(batch(HeapGrowth.LARGE_BATCH));
    }
    assertThat(network.seen).containsExactly("40");
    assertThat(jvm.get(HeapGrowth.MIN)).isEqualTo("10");
    assertThat(jvm.get(HeapGrowth.MAX)).isEqualTo("30");
  }
}
