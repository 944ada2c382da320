package io.jflannel.daemon.run;

import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices worker threads that die: a thread ended by an exception nobody caught, or a periodic task
 * whose run threw (an executor would otherwise drop it silently and never run it again). Each death
 * is logged once at ERROR and reported to the listener the daemon sets, which fails {@code
 * /healthz}: a restart is what helps then.
 *
 * <p>Process-wide, as {@link Thread#setDefaultUncaughtExceptionHandler} is. Thread-safe.
 */
public final class Workers {
  private static final Logger log = LoggerFactory.getLogger(Workers.class);
  private static volatile BiConsumer<String, Throwable> listener = (thread, error) -> {};

  private Workers() {}

  /**
   * Reports every death from now on to {@code onDeath} (thread name, error), also of threads that
   * have no handler of their own and end with an uncaught exception.
   */
  public static void watch(BiConsumer<String, Throwable> onDeath) {
    listener = onDeath;
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> died(t.getName(), e));
  }

  /** {@code task}, reporting a throw as the death of worker {@code name} before passing it on. */
  public static Runnable guard(String name, Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (Throwable e) {
        died(name, e);
        throw e;
      }
    };
  }

  static void died(String name, Throwable error) {
    log.error("worker thread {} died; /healthz fails from now on", name, error);
    listener.accept(name, error);
  }
}
