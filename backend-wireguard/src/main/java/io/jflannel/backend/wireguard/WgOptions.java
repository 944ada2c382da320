package io.jflannel.backend.wireguard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jflannel.backend.common.BackendOptions;
import io.jflannel.core.backend.BackendException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * The wireguard options of net-conf.json's {@code Backend} object, with upstream's names and
 * defaults; keys match case-insensitively, as Go's JSON decoding does, and other keys are ignored.
 *
 * @param listenPort {@code ListenPort}: the UDP port of {@code flannel-wg}, and the port peers are
 *     sent to (default 51820)
 * @param listenPortV6 {@code ListenPortV6}: the same for {@code flannel-wg-v6} in separate mode
 *     (default 51821)
 * @param mtu {@code MTU}: the MTU the device's is derived from (device MTU = this − 80); 0 means
 *     the external interface's
 * @param psk {@code PSK}: a preshared key given to every peer, or null
 * @param keepalive {@code PersistentKeepaliveInterval}: seconds between keepalives, 0 for none
 * @param mode {@code Mode}
 */
public record WgOptions(
    int listenPort, int listenPortV6, int mtu, WgKey psk, int keepalive, Mode mode) {
  public static final int DEFAULT_PORT = 51820;
  public static final int DEFAULT_PORT_V6 = 51821;

  /** The defaults: ports 51820/51821, the interface's MTU, no PSK, no keepalive, separate. */
  public static WgOptions defaults() {
    return new WgOptions(DEFAULT_PORT, DEFAULT_PORT_V6, 0, null, 0, Mode.SEPARATE);
  }

  /**
   * Reads the options from the Backend object; a JSON null means the default.
   *
   * @throws BackendException one line naming the option, what is wrong and the fix
   */
  public static WgOptions parse(ObjectNode backend) throws BackendException {
    WgOptions o = defaults();
    for (Iterator<Map.Entry<String, JsonNode>> it = backend.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isNull()) {
        continue;
      }
      String key = e.getKey();
      JsonNode v = e.getValue();
      switch (key.toLowerCase(Locale.ROOT)) {
        case "listenport" -> o = o.with(number(key, v, 1, 65535, "51820"), o.listenPortV6, o.mtu);
        case "listenportv6" -> o = o.with(o.listenPort, number(key, v, 1, 65535, "51821"), o.mtu);
        case "mtu" ->
            o = o.with(o.listenPort, o.listenPortV6, number(key, v, 576, 65535, "the interface's"));
        case "persistentkeepaliveinterval" ->
            o =
                new WgOptions(
                    o.listenPort,
                    o.listenPortV6,
                    o.mtu,
                    o.psk,
                    number(key, v, 0, 65535, "0: none"),
                    o.mode);
        case "psk" ->
            o =
                new WgOptions(
                    o.listenPort, o.listenPortV6, o.mtu, psk(key, v), o.keepalive, o.mode);
        case "mode" ->
            o =
                new WgOptions(
                    o.listenPort, o.listenPortV6, o.mtu, o.psk, o.keepalive, mode(key, v));
        default -> {}
      }
    }
    return o;
  }

  private WgOptions with(int port, int portV6, int newMtu) {
    return new WgOptions(port, portV6, newMtu, psk, keepalive, mode);
  }

  private static int number(String key, JsonNode v, int min, int max, String dflt)
      throws BackendException {
    return BackendOptions.wholeNumber("wireguard", key, v, min, max, dflt);
  }

  private static WgKey psk(String key, JsonNode v) throws BackendException {
    String why;
    if (!v.isTextual()) {
      why = "is not a string";
    } else if (v.asText().isEmpty()) {
      return null; // upstream: an empty PSK means none
    } else {
      try {
        return WgKey.parseBase64(v.asText().strip());
      } catch (IllegalArgumentException e) {
        why = "is " + e.getMessage(); // never the key itself
      }
    }
    throw new BackendException(
        "wireguard backend option "
            + key
            + " must be a 32-byte key in base64 (as wg genpsk prints it), but it "
            + why
            + "; fix Backend."
            + key
            + " in net-conf.json or remove it");
  }

  private static Mode mode(String key, JsonNode v) throws BackendException {
    Mode m = v.isTextual() ? Mode.parse(v.asText()) : null;
    if (m == null) {
      throw new BackendException(
          "wireguard backend option "
              + key
              + " must be one of "
              + Mode.choices()
              + ", got "
              + v
              + "; fix Backend."
              + key
              + " in net-conf.json (default separate)");
    }
    return m;
  }
}
