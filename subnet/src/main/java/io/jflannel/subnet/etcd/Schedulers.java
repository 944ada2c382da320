package io.jflannel.subnet.etcd;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Creates the single-thread schedulers of the etcd manager: a named daemon thread, and delayed
 * tasks (a renewal due in 23 h, a reconnect in 5 s) dropped at shutdown instead of keeping the
 * thread alive until they come due, as {@code Executors.newSingleThreadScheduledExecutor} would.
 */
final class Schedulers {

  private Schedulers() {}

  /** Returns a one-thread scheduler whose thread is a daemon called {@code name}. */
  static ScheduledExecutorService singleThread(String name) {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }
}
