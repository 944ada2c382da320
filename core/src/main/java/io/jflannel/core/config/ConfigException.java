package io.jflannel.core.config;

/**
 * Thrown when the network configuration (net-conf.json, or {@code <prefix>/config} in etcd) is
 * malformed or inconsistent.
 *
 * <p>The message is a single line that names the offending key or position and says how to fix it;
 * it is meant to be shown to the operator as is. A config error is not transient: retrying with the
 * same text fails the same way, so the daemon stops at start (exit code 1) instead of retrying.
 */
public class ConfigException extends Exception {

  /** Creates an exception with a one-line, operator-facing message. */
  public ConfigException(String message) {
    super(message);
  }

  /** Creates an exception with a one-line, operator-facing message and the underlying cause. */
  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
