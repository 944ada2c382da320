package io.jflannel.subnet.etcd;

import java.time.Duration;
import java.util.Optional;

/**
 * Whether a {@link ResilientWatch} reaches etcd, for the daemon's readiness check: down from a
 * failure until etcd answers again, and down while a ping (a progress request) has gone unanswered
 * for too long. jetcd reconnects a cut watch stream by itself without telling its listener, so the
 * ping is what notices an etcd that stopped or cannot be reached while nothing changes.
 *
 * <p>Thread-safe; time is {@link System#nanoTime}.
 */
final class WatchPulse {
  private final String name;
  private String failure; // guarded by this: why the watch failed, until etcd answers again
  private long pingedAt; // guarded by this: nanoTime of the oldest unanswered ping, or 0

  /** A pulse for the watch called {@code name} in messages. */
  WatchPulse(String name) {
    this.name = name;
  }

  /** The watch failed (a listing, a refused or interrupted stream). */
  synchronized void failed(String why) {
    failure = why;
  }

  /** A ping was sent; the oldest unanswered one counts. */
  synchronized void pinged() {
    if (pingedAt == 0) {
      pingedAt = System.nanoTime();
    }
  }

  /** etcd answered the watch (any response). */
  synchronized void answered() {
    failure = null;
    pingedAt = 0;
  }

  /** Why etcd is not reached now, or empty; a ping may wait {@code patience} for its answer. */
  synchronized Optional<String> down(Duration patience) {
    if (failure != null) {
      return Optional.of(name + ": " + failure);
    }
    long waited = pingedAt == 0 ? 0 : System.nanoTime() - pingedAt;
    if (waited > patience.toNanos()) {
      return Optional.of(
          name + ": etcd has not answered the watch for " + waited / 1_000_000_000 + " s");
    }
    return Optional.empty();
  }
}
