package io.jflannel.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One {@code subnet.env} as flanneld wrote it: the raw text (compared byte for byte with upstream's
 * format) and its {@code KEY=value} lines.
 */
record SubnetEnv(String text, Map<String, String> vars) {

  static SubnetEnv parse(String text) {
    Map<String, String> vars = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        vars.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return new SubnetEnv(text, Map.copyOf(vars));
  }

  /** The file's content, or empty while it does not exist. */
  static Optional<SubnetEnv> read(Path file) {
    try {
      return Optional.of(parse(Files.readString(file)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code FLANNEL_SUBNET}: the first usable address of the lease, e.g. {@code 10.244.3.1/24}. */
  String subnet() {
    String s = vars.get("FLANNEL_SUBNET");
    if (s == null) {
      throw new IllegalStateException("no FLANNEL_SUBNET in subnet.env:\n" + text);
    }
    return s;
  }

  /** The leased IPv4 subnet itself, e.g. {@code 10.244.3.0/24}; null without IPv4. */
  String lease() {
    return vars.containsKey("FLANNEL_SUBNET") ? Ip4.network(subnet()) : null;
  }

  /**
   * {@code FLANNEL_IPV6_SUBNET}: the first usable address of the IPv6 lease, e.g. {@code
   * fd10:0:0:3::1/64}; null without IPv6.
   */
  String subnet6() {
    return vars.get("FLANNEL_IPV6_SUBNET");
  }

  /** The leased IPv6 subnet itself, e.g. {@code fd10:0:0:3::/64}; null without IPv6. */
  String lease6() {
    String s = subnet6();
    return s == null ? null : Ip6.network(s);
  }

  int mtu() {
    return Integer.parseInt(vars.get("FLANNEL_MTU"));
  }
}
