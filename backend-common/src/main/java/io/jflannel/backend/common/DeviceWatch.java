package io.jflannel.backend.common;

import io.jflannel.netlink.LinkEvents;
import io.jflannel.netlink.LinkEvents.Event;
import io.jflannel.netlink.LinkEvents.Kind;
import io.jflannel.netlink.NetlinkException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a backend's own devices through the kernel's link notifications ({@link LinkEvents}):
 * whenever one of them is deleted, set down or changed by someone (a CNI reinstall, a cleanup
 * script), its {@link Listener} is told at once, on the watch's thread, and makes it right. After
 * lost notifications every watched name is reported. The listener reads the devices' state itself,
 * so the notifications its own repairs cause find nothing to do.
 *
 * <p>Owns its thread and subscription; {@link #close} stops them within the read wait.
 */
public final class DeviceWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DeviceWatch.class);
  private static final Duration WAIT = Duration.ofMillis(500);

  /** Told which watched devices may have changed. */
  @FunctionalInterface
  public interface Listener {
    /** {@code names}: the watched devices concerned; called on the watch's thread. */
    void changed(Set<String> names);
  }

  private final Set<String> names;
  private final Listener listener;
  private final LinkEvents events;
  private final Thread thread;
  private volatile boolean closed;

  private DeviceWatch(Set<String> names, Listener listener, LinkEvents events) {
    this.names = Set.copyOf(names);
    this.listener = listener;
    this.events = events;
    this.thread = new Thread(this::loop, "device-watch");
    thread.setDaemon(true);
  }

  /**
   * Subscribes to {@code kernel}'s link notifications and starts reporting changes of {@code names}
   * to {@code listener}.
   *
   * @throws NetlinkException if the subscription fails
   */
  public static DeviceWatch start(Kernel kernel, Set<String> names, Listener listener)
      throws NetlinkException {
    DeviceWatch w = new DeviceWatch(names, listener, kernel.linkEvents(WAIT));
    w.thread.start();
    log.debug("watching {} for deletion and changes", w.names);
    return w;
  }

  private void loop() {
    try {
      while (!closed) {
        Set<String> touched = new LinkedHashSet<>();
        for (Event e : events.next()) {
          if (e.kind() == Kind.OVERRUN) {
            touched.addAll(names);
          } else if (names.contains(e.link().name())) {
            touched.add(e.link().name());
          }
        }
        if (!touched.isEmpty() && !closed) {
          report(touched);
        }
      }
    } catch (NetlinkException e) {
      log.warn("no longer watching {}: {}", names, e.getMessage());
    } finally {
      events.close();
    }
  }

  private void report(Set<String> touched) {
    try {
      listener.changed(touched);
    } catch (RuntimeException e) {
      log.error("repairing {} failed", touched, e);
    }
  }

  @Override
  public void close() {
    closed = true;
    if (Thread.currentThread() != thread) {
      try {
        thread.join(2 * WAIT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
