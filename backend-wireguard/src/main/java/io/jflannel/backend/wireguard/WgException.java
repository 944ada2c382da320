package io.jflannel.backend.wireguard;

/** A WireGuard device could not be read or changed; the message names the device and the step. */
public class WgException extends Exception {
  public WgException(String message) {
    super(message);
  }

  public WgException(String message, Throwable cause) {
    super(message, cause);
  }
}
