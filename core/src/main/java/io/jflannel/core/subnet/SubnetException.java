package io.jflannel.core.subnet;

/**
 * Thrown when a subnet manager cannot complete an operation against its store (the Kubernetes API
 * server or etcd): unreachable, refused, timed out, or the store's state does not allow it (no
 * {@code spec.podCIDR} on the node, no free subnet left).
 *
 * <p>The message names the node or key and the verb; the cause, when there is one, is the client
 * library's exception. Most failures are transient, and the caller may retry with backoff while
 * existing routes stay in place.
 */
public class SubnetException extends Exception {

  /** Creates an exception with a message that names the node or key and the verb. */
  public SubnetException(String message) {
    super(message);
  }

  /** Creates an exception that wraps the client library's exception. */
  public SubnetException(String message, Throwable cause) {
    super(message, cause);
  }
}
