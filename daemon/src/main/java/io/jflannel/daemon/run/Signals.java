package io.jflannel.daemon.run;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Turns the first SIGTERM or SIGINT into a clean stop; a second one gets the JVM's default
 * (immediate exit), as upstream unregisters its handler after the first.
 *
 * <p>Uses {@code sun.misc.Signal} (module jdk.unsupported, present in every JDK) because a shutdown
 * hook cannot make the process exit 0.
 */
public final class Signals {
  private static final Logger log = LoggerFactory.getLogger(Signals.class);

  private Signals() {}

  /** Calls {@code onStop} on the first SIGTERM or SIGINT. */
  public static void onTermination(Runnable onStop) {
    for (String name : new String[] {"TERM", "INT"}) {
      Signal sig = new Signal(name);
      Signal.handle(
          sig,
          s -> {
            log.info("received SIG{}, stopping", s.getName());
            Signal.handle(new Signal("TERM"), sun.misc.SignalHandler.SIG_DFL);
            Signal.handle(new Signal("INT"), sun.misc.SignalHandler.SIG_DFL);
            onStop.run();
          });
    }
  }
}
