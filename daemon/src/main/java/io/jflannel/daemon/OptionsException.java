package io.jflannel.daemon;

/**
 * A flag has a value flanneld cannot work with (out of range, not an address, not a regex). The
 * message is one line naming the flag, the value and the fix; {@link Main} prints it and exits 1,
 * as upstream does for a bad {@code --subnet-lease-renew-margin}.
 */
public final class OptionsException extends Exception {
  public OptionsException(String message) {
    super(message);
  }
}
