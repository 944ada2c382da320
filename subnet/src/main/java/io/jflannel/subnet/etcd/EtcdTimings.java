package io.jflannel.subnet.etcd;

import java.time.Duration;
import java.util.Objects;

/**
 * The periods the etcd subnet manager works with: the lease TTL, how often a failed renewal is
 * retried, how long one request may take and the reconnect backoff of the watches.
 *
 * <p>{@link #defaults()} holds upstream's values (24 h TTL, renewal retried every minute, watch
 * backoff 100 ms doubling to 5 s); tests pass seconds so that expiry and renewal can be observed.
 * Upstream has no request timeout (a request blocks until etcd answers); here a request that gets
 * no answer within {@link #requestTimeout} fails with a {@link
 * io.jflannel.core.subnet.SubnetException}, and the caller retries.
 *
 * <p>Immutable and thread-safe.
 *
 * @param leaseTtl the TTL of the etcd lease attached to this node's key (upstream: 24 h); also the
 *     estimate of a peer's expiration (see {@link EtcdSubnetManager})
 * @param renewRetryPeriod the wait before retrying a failed renewal (upstream: 1 min)
 * @param requestTimeout how long one request to etcd may take before it counts as failed
 * @param backoffInitial the first reconnect delay of a watch after an error (upstream: 100 ms)
 * @param backoffMax the largest reconnect delay (upstream: 5 s)
 * @param relistPeriod how often a running lease watch re-lists the leases anyway and diffs them
 *     against its state, the safety net under {@link EtcdSubnetManager#currentLeases}, which
 *     answers from that state (ours: 10 min; upstream never re-lists a healthy watch)
 */
public record EtcdTimings(
    Duration leaseTtl,
    Duration renewRetryPeriod,
    Duration requestTimeout,
    Duration backoffInitial,
    Duration backoffMax,
    Duration relistPeriod) {

  /**
   * Checks that every period is positive, the TTL is at least a second and the backoff range is
   * ordered.
   *
   * @throws IllegalArgumentException otherwise
   */
  public EtcdTimings {
    positive(leaseTtl, "leaseTtl");
    positive(renewRetryPeriod, "renewRetryPeriod");
    positive(requestTimeout, "requestTimeout");
    positive(backoffInitial, "backoffInitial");
    positive(backoffMax, "backoffMax");
    positive(relistPeriod, "relistPeriod");
    if (leaseTtl.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("leaseTtl must be at least 1 s, got " + leaseTtl);
    }
    if (backoffMax.compareTo(backoffInitial) < 0) {
      throw new IllegalArgumentException(
          "backoffMax " + backoffMax + " is shorter than backoffInitial " + backoffInitial);
    }
  }

  /** Returns upstream's periods, a 10 s request timeout and a re-list every 10 min. */
  public static EtcdTimings defaults() {
    return new EtcdTimings(
        Duration.ofHours(24),
        Duration.ofMinutes(1),
        Duration.ofSeconds(10),
        Duration.ofMillis(100),
        Duration.ofSeconds(5),
        Duration.ofMinutes(10));
  }

  /** Returns a copy with another lease TTL. */
  public EtcdTimings withLeaseTtl(Duration ttl) {
    return new EtcdTimings(
        ttl, renewRetryPeriod, requestTimeout, backoffInitial, backoffMax, relistPeriod);
  }

  /** Returns a copy with another renewal retry period. */
  public EtcdTimings withRenewRetryPeriod(Duration period) {
    return new EtcdTimings(
        leaseTtl, period, requestTimeout, backoffInitial, backoffMax, relistPeriod);
  }

  /** Returns a copy with another request timeout. */
  public EtcdTimings withRequestTimeout(Duration timeout) {
    return new EtcdTimings(
        leaseTtl, renewRetryPeriod, timeout, backoffInitial, backoffMax, relistPeriod);
  }

  /** Returns a copy with another reconnect backoff range. */
  public EtcdTimings withBackoff(Duration initial, Duration max) {
    return new EtcdTimings(leaseTtl, renewRetryPeriod, requestTimeout, initial, max, relistPeriod);
  }

  /** Returns a copy with another re-list period of the lease watch. */
  public EtcdTimings withRelistPeriod(Duration period) {
    return new EtcdTimings(
        leaseTtl, renewRetryPeriod, requestTimeout, backoffInitial, backoffMax, period);
  }

  private static void positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }
}
