package io.jflannel.daemon.health;

import io.jflannel.core.lease.Lease;
import io.jflannel.daemon.run.FeedObserver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code /readyz} and {@code /healthz} answer, worked out from what the daemon reports: the
 * health state machine.
 *
 * <p><b>Readiness</b> ({@link #readiness}) says whether this node's overlay works now. It passes
 * once the lease is held, subnet.env is written and a complete peer set has been programmed (the
 * first reconcile that succeeded), and fails again while the lease store has been unreachable
 * longer than {@link HealthSettings#storeTimeout} or while the backend's last apply failed (a batch
 * of lease events or a reconcile); the next success clears the latter.
 *
 * <p><b>Liveness</b> ({@link #liveness}) fails only where a restart helps, because the daemon
 * cannot recover by itself: a worker thread died, the reconcile failed in the backend {@link
 * HealthSettings#maxFailedReconciles} times in a row, or no reconcile pass has run for three resync
 * periods and two minutes more (its thread hangs). A store that cannot be reached is none of these:
 * a pass that could not get the peer set is a skip, not a failure, so an API server or etcd outage
 * never fails liveness, however long it lasts.
 *
 * <p>Thread-safety: every method may be called from any thread (one lock); the probes read a
 * consistent state. Time comes from the clock given, so tests drive it.
 */
public final class HealthState implements FeedObserver {
  private final HealthSettings settings;
  private final Clock clock;

  // readiness: guarded by this
  private String lease;
  private boolean subnetEnv;
  private boolean programmed;
  private String handleError;
  private String reconcileError;
  private Instant storeDownSince;
  private String storeProblem;

  // liveness: guarded by this
  private int failedReconciles;
  private String deadWorker;
  private Instant lastPass; // the last reconcile pass of any outcome; null before the feed starts

  public HealthState(HealthSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  /** This node holds {@code lease}. */
  public synchronized void leaseHeld(Lease held) {
    lease = held.subnets();
  }

  /** subnet.env has been written for the lease. */
  public synchronized void subnetEnvWritten() {
    subnetEnv = true;
  }

  /**
   * The store's reachability as the subnet manager reports it now ({@link
   * io.jflannel.core.subnet.SubnetManager#unreachable}); polled.
   */
  public synchronized void store(Optional<String> problem) {
    if (problem.isEmpty()) {
      storeDownSince = null;
      storeProblem = null;
    } else {
      if (storeDownSince == null) {
        storeDownSince = clock.instant();
      }
      storeProblem = problem.get();
    }
  }

  /** The periodic reconcile starts now: its passes are expected from here on. */
  @Override
  public synchronized void feedStarted() {
    lastPass = clock.instant();
  }

  @Override
  public synchronized void handled(String error) {
    handleError = error;
  }

  @Override
  public synchronized void reconciled(String error) {
    lastPass = clock.instant();
    if (error == null) {
      programmed = true;
      handleError = null;
      reconcileError = null;
      failedReconciles = 0;
    } else {
      reconcileError = error;
      failedReconciles++;
    }
  }

  @Override
  public synchronized void skipped(String why) {
    lastPass = clock.instant();
  }

  /** A worker thread of the daemon ended with an exception nobody caught. */
  public synchronized void workerDied(String thread, Throwable error) {
    if (deadWorker == null) {
      deadWorker = "thread " + thread + " died: " + error;
    }
  }

  /** {@code /readyz}: see the class comment. */
  public synchronized Verdict readiness() {
    List<String> failing = new ArrayList<>();
    if (lease == null) {
      failing.add("no lease yet");
    }
    if (!subnetEnv) {
      failing.add("subnet.env not written yet");
    }
    if (!programmed) {
      failing.add("the peer set has not been programmed yet");
    }
    Duration down = storeDownSince == null ? Duration.ZERO : since(storeDownSince);
    if (storeDownSince != null && down.compareTo(settings.storeTimeout()) >= 0) {
      failing.add(
          "lease store unreachable for "
              + down.toSeconds()
              + " s (limit "
              + settings.storeTimeout().toSeconds()
              + " s): "
              + storeProblem);
    }
    if (reconcileError != null) {
      failing.add("the last reconcile failed: " + reconcileError);
    }
    if (handleError != null) {
      failing.add("the last lease events could not be applied: " + handleError);
    }
    if (!failing.isEmpty()) {
      return new Verdict(false, "not ready", failing);
    }
    List<String> passing = new ArrayList<>();
    passing.add("lease " + lease + " held");
    passing.add("subnet.env written");
    passing.add("peers programmed");
    passing.add(
        storeDownSince == null
            ? "lease store reachable"
            : "lease store unreachable for " + down.toSeconds() + " s, within the limit");
    return new Verdict(true, "ready", passing);
  }

  /** {@code /healthz}: see the class comment. */
  public synchronized Verdict liveness() {
    List<String> failing = new ArrayList<>();
    if (deadWorker != null) {
      failing.add(deadWorker);
    }
    if (failedReconciles >= settings.maxFailedReconciles()) {
      failing.add(
          "the reconcile failed "
              + failedReconciles
              + " times in a row (limit "
              + settings.maxFailedReconciles()
              + "): "
              + reconcileError);
    }
    Duration stall = settings.resyncPeriod().multipliedBy(3).plusMinutes(2);
    if (lastPass != null && since(lastPass).compareTo(stall) > 0) {
      failing.add(
          "no reconcile pass for "
              + since(lastPass).toSeconds()
              + " s (expected every "
              + settings.resyncPeriod().toSeconds()
              + " s): its thread hangs");
    }
    if (!failing.isEmpty()) {
      return new Verdict(false, "failing", failing);
    }
    String reconcile =
        failedReconciles == 0
            ? "reconcile passing"
            : "reconcile failed " + failedReconciles + " time(s) in a row, within the limit";
    return new Verdict(true, "ok", List.of("worker threads running", reconcile));
  }

  private Duration since(Instant t) {
    Duration d = Duration.between(t, clock.instant());
    return d.isNegative() ? Duration.ZERO : d;
  }
}
