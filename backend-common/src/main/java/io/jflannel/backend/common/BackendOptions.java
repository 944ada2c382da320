package io.jflannel.backend.common;

import com.fasterxml.jackson.databind.JsonNode;
import io.jflannel.core.backend.BackendException;

/**
 * Checks of net-conf.json's {@code Backend} option values shared by the backends, each failure one
 * line naming the backend, the option, what it got and the fix.
 */
public final class BackendOptions {
  private BackendOptions() {}

  /**
   * {@code v} as an int in {@code min..max}.
   *
   * @param backend the backend type, for the message ({@code vxlan})
   * @param key the option as written in net-conf.json
   * @param dflt what the option defaults to, for the message, or null to leave it out
   * @throws BackendException when {@code v} is not a whole number in range
   */
  public static int wholeNumber(
      String backend, String key, JsonNode v, int min, int max, String dflt)
      throws BackendException {
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
      throw new BackendException(
          backend
              + " backend option "
              + key
              + " must be a whole number in "
              + min
              + ".."
              + max
              + ", got "
              + v
              + "; fix Backend."
              + key
              + " in net-conf.json"
              + (dflt == null ? "" : " (default " + dflt + ")"));
    }
    return v.asInt();
  }

  /**
   * {@code v} as a boolean.
   *
   * @throws BackendException when {@code v} is not true or false
   */
  public static boolean bool(String backend, String key, JsonNode v) throws BackendException {
    if (!v.isBoolean()) {
      throw new BackendException(
          backend
              + " backend option "
              + key
              + " must be true or false, got "
              + v
              + "; fix Backend."
              + key
              + " in net-conf.json");
    }
    return v.asBoolean();
  }
}
