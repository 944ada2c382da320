package io.jflannel.daemon.traffic;

/**
 * The traffic rules could not be read or written: a binary is missing, {@code iptables-save},
 * {@code iptables-restore} or {@code nft} failed (the message carries its exit status and error
 * output), or the thread was interrupted while waiting for one. Rules already in place are left as
 * they were.
 */
public final class TrafficRulesException extends Exception {
  private final boolean cannotRun;

  public TrafficRulesException(String message) {
    super(message);
    this.cannotRun = false;
  }

  public TrafficRulesException(String message, Throwable cause) {
    this(message, cause, false);
  }

  TrafficRulesException(String message, Throwable cause, boolean cannotRun) {
    super(message, cause);
    this.cannotRun = cannotRun;
  }

  /** Whether the binary could not be started at all (not installed, or not executable). */
  public boolean cannotRun() {
    return cannotRun;
  }
}
