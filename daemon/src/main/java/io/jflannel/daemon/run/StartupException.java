package io.jflannel.daemon.run;

/**
 * A start-up step failed in a way retrying will not fix: the daemon logs the message as one line
 * and exits 1. The message names the problem and the fix.
 */
public final class StartupException extends Exception {
  public StartupException(String message) {
    super(message);
  }

  public StartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
