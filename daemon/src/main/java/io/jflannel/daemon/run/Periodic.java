package io.jflannel.daemon.run;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A task run on its own daemon thread every period (the first run one period from now), until
 * closed. The task must handle its own failures: one that throws is not run again, and is reported
 * to {@link Workers} as a dead worker.
 */
public final class Periodic implements AutoCloseable {
  private final ScheduledExecutorService executor;

  private Periodic(ScheduledExecutorService executor) {
    this.executor = executor;
  }

  /**
   * Starts running {@code task} every {@code period} (at least a millisecond) on thread {@code
   * name}.
   */
  public static Periodic every(String name, Duration period, Runnable task) {
    ScheduledExecutorService executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
    long millis = Math.max(1, period.toMillis());
    executor.scheduleWithFixedDelay(
        Workers.guard(name, task), millis, millis, TimeUnit.MILLISECONDS);
    return new Periodic(executor);
  }

  /** Stops the task; a run in progress is interrupted. Idempotent. */
  @Override
  public void close() {
    executor.shutdownNow();
  }
}
