package io.jflannel.daemon.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The health state machine: what /readyz and /healthz answer for what the daemon reports. */
class HealthStateTest {
  private static final Duration STORE_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration PERIOD = Duration.ofSeconds(30);

  private final TestClock clock = new TestClock();
  private final HealthState state =
      new HealthState(new HealthSettings(STORE_TIMEOUT, 3, PERIOD), clock);

  private static Lease lease() {
    return new Lease(
        Ip4Net.parse("10.244.1.0/24"),
        null,
        new LeaseAttrs(Ip4.parse("192.168.0.1"), null, "vxlan", null, null),
        null,
        0);
  }

  /** The daemon's start-up, up to the first reconcile that programmed every peer. */
  private void startedAndProgrammed() {
    state.leaseHeld(lease());
    state.subnetEnvWritten();
    state.feedStarted();
    state.reconciled(null);
  }

  @Test
  void notReadyUntilLeaseSubnetEnvAndFirstProgrammedPeerSetThenReady() {
    assertThat(state.readiness().ok()).isFalse();
    assertThat(state.readiness().reasons())
        .containsExactly(
            "no lease yet",
            "subnet.env not written yet",
            "the peer set has not been programmed yet");

    state.leaseHeld(lease());
    state.subnetEnvWritten();
    state.feedStarted();
    state.handled(null); // the first batch of events is not the whole peer set
    assertThat(state.readiness().reasons())
        .containsExactly("the peer set has not been programmed yet");

    state.skipped("the node list has not been received yet");
    assertThat(state.readiness().ok()).isFalse();

    state.reconciled(null);
    Verdict ready = state.readiness();
    assertThat(ready.ok()).isTrue();
    assertThat(ready.httpStatus()).isEqualTo(200);
    assertThat(ready.reasons())
        .containsExactly(
            "lease 10.244.1.0/24 held",
            "subnet.env written",
            "peers programmed",
            "lease store reachable");
  }

  @Test
  void storeOutageTurnsReadinessOffOnlyPastTheTimeoutAndNeverLiveness() {
    startedAndProgrammed();

    state.store(Optional.of("lease watch of /coreos.com/network/subnets/: UNAVAILABLE"));
    clock.advance(Duration.ofSeconds(29));
    assertThat(state.readiness().ok()).as("29 s of 30").isTrue();
    assertThat(state.readiness().reasons())
        .contains("lease store unreachable for 29 s, within the limit");

    clock.advance(Duration.ofSeconds(1));
    Verdict down = state.readiness();
    assertThat(down.ok()).isFalse();
    assertThat(down.httpStatus()).isEqualTo(503);
    assertThat(down.reasons())
        .containsExactly(
            "lease store unreachable for 30 s (limit 30 s): lease watch of"
                + " /coreos.com/network/subnets/: UNAVAILABLE");

    // an hour of outage: reconcile passes keep being skipped, the kernel state is kept
    for (int i = 0; i < 120; i++) {
      clock.advance(PERIOD);
      state.store(Optional.of("lease watch of /coreos.com/network/subnets/: UNAVAILABLE"));
      state.skipped("etcd unreachable");
      assertThat(state.liveness().ok()).as("liveness after %d passes skipped", i + 1).isTrue();
    }
    assertThat(state.readiness().reasons().get(0)).startsWith("lease store unreachable for 3630 s");

    state.store(Optional.empty());
    assertThat(state.readiness().ok()).isTrue();
    assertThat(state.readiness().reasons()).contains("lease store reachable");
  }

  @Test
  void aBriefOutageRestartsTheCountAndTheLatestReasonIsGiven() {
    startedAndProgrammed();
    state.store(Optional.of("first"));
    clock.advance(Duration.ofSeconds(20));
    state.store(Optional.empty());
    state.store(Optional.of("second"));
    clock.advance(Duration.ofSeconds(20));
    assertThat(state.readiness().ok()).as("20 s since the store went away again").isTrue();
    state.store(Optional.of("third"));
    clock.advance(Duration.ofSeconds(10));
    assertThat(state.readiness().reasons())
        .containsExactly("lease store unreachable for 30 s (limit 30 s): third");
  }

  @Test
  void aFailedApplyTurnsReadinessOffUntilTheNextSuccess() {
    startedAndProgrammed();

    state.handled("vxlan: netlink failed: ENOBUFS");
    assertThat(state.readiness().reasons())
        .containsExactly(
            "the last lease events could not be applied: vxlan: netlink failed: ENOBUFS");
    state.handled(null);
    assertThat(state.readiness().ok()).isTrue();

    state.reconciled("vxlan: 3 writes refused: flannel.1 is gone");
    assertThat(state.readiness().reasons())
        .containsExactly("the last reconcile failed: vxlan: 3 writes refused: flannel.1 is gone");
    state.handled(null); // events alone do not cover the whole peer set
    assertThat(state.readiness().ok()).isFalse();
    state.reconciled(null);
    assertThat(state.readiness().ok()).isTrue();
  }

  @Test
  void livenessFailsAfterTheLimitOfReconcileFailuresInARowAndRecoversWithASuccess() {
    startedAndProgrammed();
    state.reconciled("flannel.1 is gone");
    state.reconciled("flannel.1 is gone");
    Verdict within = state.liveness();
    assertThat(within.ok()).isTrue();
    assertThat(within.reasons()).contains("reconcile failed 2 time(s) in a row, within the limit");

    state.skipped("store unreachable"); // a skip neither counts nor resets
    state.reconciled("flannel.1 is gone");
    Verdict failing = state.liveness();
    assertThat(failing.ok()).isFalse();
    assertThat(failing.httpStatus()).isEqualTo(503);
    assertThat(failing.status()).isEqualTo("failing");
    assertThat(failing.reasons())
        .containsExactly("the reconcile failed 3 times in a row (limit 3): flannel.1 is gone");

    state.reconciled(null);
    assertThat(state.liveness().ok()).isTrue();
    assertThat(state.liveness().reasons())
        .containsExactly("worker threads running", "reconcile passing");
  }

  @Test
  void aDeadWorkerFailsLivenessForGoodAndNamesTheFirstOne() {
    startedAndProgrammed();
    state.workerDied("iptables-resync", new OutOfMemoryError("Java heap space"));
    state.workerDied("reconcile", new StackOverflowError());
    state.reconciled(null);
    Verdict v = state.liveness();
    assertThat(v.ok()).isFalse();
    assertThat(v.reasons())
        .containsExactly(
            "thread iptables-resync died: java.lang.OutOfMemoryError: Java heap space");
    assertThat(state.readiness().ok()).as("readiness is about the data plane").isTrue();
  }

  @Test
  void aReconcileThreadThatStopsPassingFailsLiveness() {
    startedAndProgrammed();
    Duration stall = PERIOD.multipliedBy(3).plusMinutes(2); // 210 s
    clock.advance(stall);
    assertThat(state.liveness().ok()).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(state.liveness().reasons())
        .containsExactly("no reconcile pass for 211 s (expected every 30 s): its thread hangs");
    state.skipped("store unreachable"); // any pass shows the thread is alive
    assertThat(state.liveness().ok()).isTrue();
  }

  @Test
  void beforeTheFeedStartsNothingIsExpectedOfTheReconcile() {
    clock.advance(Duration.ofHours(1)); // e.g. waiting for the network config
    assertThat(state.liveness().ok()).isTrue();
  }

  @Test
  void verdictsAreShortJson() {
    startedAndProgrammed();
    state.store(Optional.of("etcd \"down\""));
    clock.advance(STORE_TIMEOUT);
    assertThat(state.readiness().json())
        .isEqualTo(
            "{\"status\":\"not ready\",\"reasons\":[\"lease store unreachable for 30 s (limit 30"
                + " s): etcd \\\"down\\\"\"]}");
    assertThat(state.liveness().json())
        .isEqualTo(
            "{\"status\":\"ok\",\"reasons\":[\"worker threads running\",\"reconcile passing\"]}");
  }

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
