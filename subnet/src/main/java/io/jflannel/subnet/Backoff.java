package io.jflannel.subnet;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Jittered exponential backoff for retrying a store (the etcd watch, the Kubernetes Node list): the
 * nominal delay starts at {@code initial}, doubles after each failure up to {@code max}, and resets
 * after a success; each delay returned is drawn uniformly from the upper half of the nominal one,
 * so that many nodes that lost the store at the same moment do not come back in lockstep. Upstream
 * uses 100 ms doubling to 5 s for etcd and client-go's backoff for the API server.
 *
 * <p>Not thread-safe: owned by one watch, used from its thread or under its lock.
 */
public final class Backoff {

  private final long initialNanos;
  private final long maxNanos;
  private final RandomGenerator random;
  private long nominalNanos;

  public Backoff(Duration initial, Duration max, RandomGenerator random) {
    this.initialNanos = initial.toNanos();
    this.maxNanos = max.toNanos();
    this.random = random;
    this.nominalNanos = initialNanos;
  }

  /** Returns the next delay and doubles the nominal delay, up to the maximum. */
  public Duration next() {
    long nominal = nominalNanos;
    nominalNanos = Math.min(maxNanos, nominal * 2);
    long half = nominal / 2;
    return Duration.ofNanos(half + (half > 0 ? random.nextLong(half + 1) : 0));
  }

  /** Starts again from the initial delay, after a success. */
  public void reset() {
    nominalNanos = initialNanos;
  }
}
