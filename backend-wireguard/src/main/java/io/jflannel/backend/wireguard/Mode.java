package io.jflannel.backend.wireguard;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The {@code Mode} option, upstream's: how IPv4 and IPv6 pod traffic is carried.
 *
 * <ul>
 *   <li>{@link #SEPARATE} (default): one device per family, {@code flannel-wg} over IPv4 to the
 *       peers' {@code PublicIP}:{@code ListenPort} and {@code flannel-wg-v6} over IPv6 to their
 *       {@code PublicIPv6}:{@code ListenPortV6};
 *   <li>{@link #IPV4}, {@link #IPV6}: one device {@code flannel-wg} carrying both families, to the
 *       peers' IPv4 (or IPv6) address on {@code ListenPort};
 *   <li>{@link #AUTO}: one device, the peer's address chosen as upstream chooses it (the only
 *       family it has; with both, IPv4 unless it is private and IPv6 is public on both sides).
 * </ul>
 */
public enum Mode {
  SEPARATE("separate"),
  AUTO("auto"),
  IPV4("ipv4"),
  IPV6("ipv6");

  private final String text;

  Mode(String text) {
    this.text = text;
  }

  /** The value as net-conf.json writes it. */
  public String text() {
    return text;
  }

  /** The mode written exactly as {@code text} (upstream compares case-sensitively), or null. */
  static Mode parse(String text) {
    for (Mode m : values()) {
      if (m.text.equals(text)) {
        return m;
      }
    }
    return null;
  }

  /** {@code separate, auto, ipv4, ipv6}, for messages. */
  static String choices() {
    return Arrays.stream(values()).map(Mode::text).collect(Collectors.joining(", "));
  }
}
