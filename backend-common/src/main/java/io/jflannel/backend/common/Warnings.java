package io.jflannel.backend.common;

import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;

/**
 * Warn-once bookkeeping for a backend: a peer lease that cannot be used, or a kernel write that
 * keeps failing, is logged the first time, not on every event and reconcile pass. A write that
 * succeeds again may warn again if it fails later.
 *
 * <p>Not thread-safe: used under its network's lock.
 */
public final class Warnings {
  private final Logger log;
  private final Set<Object> warned = new HashSet<>();

  public Warnings(Logger log) {
    this.log = log;
  }

  /** Logs {@code skipping peer lease <subnets>: <why>} once per lease and reason. */
  public void skipPeer(String subnets, String why) {
    if (warned.add(subnets + " " + why)) {
      log.warn("skipping peer lease {}: {}", subnets, why);
    }
  }

  /** Logs {@code line} once for {@code key} until {@link #clear} is called for it. */
  public void once(Object key, String line) {
    if (warned.add(key)) {
      log.warn("{}", line);
    }
  }

  /** Forgets {@code key}: its next failure is logged again. */
  public void clear(Object key) {
    if (!warned.isEmpty()) {
      warned.remove(key);
    }
  }
}
