package io.jflannel.daemon.traffic;

/**
 * The iptables rules could not be read or written: a binary is missing, {@code iptables-save} or
 * {@code iptables-restore} failed (the message carries its exit status and error output), or the
 * thread was interrupted while waiting for one. Rules already in place are left as they were.
 */
public final class TrafficRulesException extends Exception {
  public TrafficRulesException(String message) {
    super(message);
  }

  public TrafficRulesException(String message, Throwable cause) {
    super(message, cause);
  }
}
