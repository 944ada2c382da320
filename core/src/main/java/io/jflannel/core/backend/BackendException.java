package io.jflannel.core.backend;

/**
 * Thrown when a backend cannot set up or program its data plane: the device cannot be created, the
 * backend options are invalid, the kernel refuses a change.
 *
 * <p>The message names the device or peer and the operation; the cause, when there is one, is the
 * netlink (or I/O) exception with its errno.
 */
public class BackendException extends Exception {

  /** Creates an exception with a message that names the device or peer and the operation. */
  public BackendException(String message) {
    super(message);
  }

  /** Creates an exception that wraps the netlink or I/O exception. */
  public BackendException(String message, Throwable cause) {
    super(message, cause);
  }
}
