package io.jflannel.daemon.iface;

/**
 * No interface fits {@code --iface}, {@code --iface-regex}, {@code --iface-can-reach}, {@code
 * --public-ip} or the default route, or the one chosen is unusable (no address of a needed family,
 * MTU 0), or the kernel could not be asked. The message is one line: what was tried, why each
 * failed, the interfaces that exist, and the flag that fixes it.
 */
public final class InterfaceSelectionException extends Exception {
  public InterfaceSelectionException(String message) {
    super(message);
  }

  public InterfaceSelectionException(String message, Throwable cause) {
    super(message, cause);
  }
}
