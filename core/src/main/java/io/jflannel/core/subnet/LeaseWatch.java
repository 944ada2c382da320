package io.jflannel.core.subnet;

/**
 * A running lease watch started by {@link SubnetManager#watchLeases}; closing it stops delivery to
 * its listener.
 *
 * <p>Hazard: a watch holds a thread and a connection to the store until it is closed; close it
 * (try-with-resources, or when the daemon stops).
 */
public interface LeaseWatch extends AutoCloseable {

  /**
   * Stops the watch. When this returns, no call to the listener is in progress (unless {@code
   * close} is called by the listener itself) and none will start. Idempotent; never throws.
   */
  @Override
  void close();
}
