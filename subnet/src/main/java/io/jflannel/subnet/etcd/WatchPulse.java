package io.jflannel.subnet.etcd;

import java.time.Duration;
import java.util.Optional;

/**
 * Whether a lease watch reaches etcd, for the daemon's readiness check: down from a failure of its
 * {@link ResilientWatch} until etcd answers the watch again, and down while a ping (a cheap read,
 * {@link EtcdStore#ping}) has gone unanswered for too long. A watch stream whose connection died
 * silently (a host or a middlebox that went away without a reset) neither delivers nor fails, so
 * the ping is what notices an etcd that stopped or cannot be reached while nothing changes; and
 * when etcd answers again after a missed ping, the owner replaces the watch's stream ({@link
 * #answered}). The ping is not a progress request on the watch stream: etcd 3.4 answers one that
 * was queued while it was away with its current revision before the reconnected watch has caught
 * up, which would move the resume point past events not yet seen.
 *
 * <p>Thread-safe; time is {@link System#nanoTime}.
 */
final class WatchPulse {
  private final String name;
  private String failure; // guarded by this: why the watch failed, until etcd answers it again
  private long pingedAt; // guarded by this: nanoTime of the first unanswered ping, or 0
  private boolean inFlight; // guarded by this: a ping awaits its outcome
  private boolean missed; // guarded by this: a ping went unanswered since the last answer

  /** A pulse for the watch called {@code name} in messages. */
  WatchPulse(String name) {
    this.name = name;
  }

  /** The watch failed (a listing, a refused or interrupted stream). */
  synchronized void failed(String why) {
    failure = why;
  }

  /** etcd answered the watch again. */
  synchronized void recovered() {
    failure = null;
  }

  /**
   * A ping is to be sent now; false while the previous one awaits its outcome (one at a time). The
   * wait counts from the first ping that got no answer.
   */
  synchronized boolean pinging() {
    if (inFlight) {
      return false;
    }
    inFlight = true;
    if (pingedAt == 0) {
      pingedAt = System.nanoTime();
    }
    return true;
  }

  /**
   * etcd answered the ping.
   *
   * @return whether an earlier ping had gone unanswered: etcd was away or out of reach, and a watch
   *     stream opened before may have died without a word
   */
  synchronized boolean answered() {
    inFlight = false;
    pingedAt = 0;
    boolean back = missed;
    missed = false;
    return back;
  }

  /** The ping failed or timed out: the next may be sent, the wait goes on. */
  synchronized void unanswered() {
    inFlight = false;
    missed = true;
  }

  /** Why etcd is not reached now, or empty; a ping may wait {@code patience} for its answer. */
  synchronized Optional<String> down(Duration patience) {
    if (failure != null) {
      return Optional.of(name + ": " + failure);
    }
    long waited = pingedAt == 0 ? 0 : System.nanoTime() - pingedAt;
    if (waited > patience.toNanos()) {
      return Optional.of(name + ": etcd has not answered for " + waited / 1_000_000_000 + " s");
    }
    return Optional.empty();
  }
}
