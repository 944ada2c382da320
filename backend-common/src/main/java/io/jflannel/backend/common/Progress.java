package io.jflannel.backend.common;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * Progress of one large batch of kernel writes, for the person watching a long start-up: at most
 * one log line a second, {@code programmed 12,400 of 50,000 peers (24,800 peers/s)}, counting peers
 * from the share of entries written. Only batches for more than {@value #MIN_PEERS} peers report.
 *
 * <p>Not thread-safe: one batch, one thread.
 */
final class Progress {
  /** Batches for more peers than this report progress. */
  static final int MIN_PEERS = 5_000;

  private final Logger log;
  private final String backend;
  private final int peers;
  private final int entries;
  private final long start = System.nanoTime();
  private long lastLine = start;

  Progress(Logger log, String backend, int peers, int entries) {
    this.log = log;
    this.backend = backend;
    this.peers = peers;
    this.entries = entries;
  }

  /** Whether a batch of {@code peers} reports progress. */
  static boolean wanted(int peers) {
    return peers > MIN_PEERS;
  }

  /** {@code written} of the batch's entries are written; logs if a second has passed. */
  void written(int written) {
    long now = System.nanoTime();
    if (now - lastLine < TimeUnit.SECONDS.toNanos(1) || written >= entries) {
      return;
    }
    lastLine = now;
    long done = (long) peers * written / entries;
    double seconds = (now - start) / 1e9;
    log.info(
        "{}: programmed {} of {} peers ({} peers/s)",
        backend,
        String.format("%,d", done),
        String.format("%,d", peers),
        String.format("%,.0f", done / seconds));
  }

  /** The batch is written: one closing line with the time it took. */
  void finished() {
    double seconds = (System.nanoTime() - start) / 1e9;
    log.info(
        "{}: programmed {} peers ({} kernel entries) in {} s",
        backend,
        String.format("%,d", peers),
        String.format("%,d", entries),
        String.format("%.1f", seconds));
  }
}
