package io.jflannel.backend.udp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jflannel.core.backend.BackendException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * The udp options of net-conf.json's {@code Backend} object, keys case-insensitive as upstream:
 * {@code Port}, the UDP port every node listens on and sends to (default 8285). Other keys are
 * ignored, as upstream does.
 *
 * @param port the UDP port, 1 to 65535
 */
public record UdpOptions(int port) {
  /** Upstream's default port. */
  public static final int DEFAULT_PORT = 8285;

  /** Checks the port range. */
  public UdpOptions {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("udp port must be 1 to 65535, got " + port);
    }
  }

  /**
   * Reads the options from the Backend object; a null {@code Port} means the default.
   *
   * @throws BackendException naming the option and the fix when a value has the wrong type or range
   */
  public static UdpOptions parse(ObjectNode backend) throws BackendException {
    int port = DEFAULT_PORT;
    for (Iterator<Map.Entry<String, JsonNode>> it = backend.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().toLowerCase(Locale.ROOT).equals("port") && !e.getValue().isNull()) {
        JsonNode v = e.getValue();
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1 || v.asInt() > 65535) {
          throw new BackendException(
              "udp backend option "
                  + e.getKey()
                  + " must be a whole number in 1..65535, got "
                  + v
                  + "; fix Backend."
                  + e.getKey()
                  + " in net-conf.json (default 8285)");
        }
        port = v.asInt();
      }
    }
    return new UdpOptions(port);
  }
}
