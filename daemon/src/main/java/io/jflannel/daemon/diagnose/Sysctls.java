package io.jflannel.daemon.diagnose;

import io.jflannel.core.backend.Finding;
import io.jflannel.core.config.NetworkConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The kernel settings pod traffic needs, read from {@code /proc/sys} (never written): forwarding,
 * br_netfilter in iptables mode, and reverse-path filtering on the devices that carry pod traffic.
 */
final class Sysctls {
  private final Path root;

  /** Settings under {@code root}: {@code /proc/sys}, or a test's directory. */
  Sysctls(Path root) {
    this.root = root;
  }

  /** A setting by its sysctl name, e.g. {@code net.ipv4.ip_forward} (no device names in it). */
  private Optional<String> read(String key) {
    return file(key.replace('.', '/'));
  }

  /** A setting by its path under {@code /proc/sys}, e.g. {@code net/ipv4/conf/flannel.1/...}. */
  private Optional<String> file(String path) {
    try {
      return Optional.of(Files.readString(root.resolve(path)).strip());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Every check, in order: forwarding, br_netfilter, rp_filter on {@code devices}. */
  void check(NetworkConfig config, List<String> devices, List<Finding> out) {
    if (config.enableIPv4()) {
      out.add(forwarding("net.ipv4.ip_forward"));
    }
    if (config.enableIPv6()) {
      out.add(forwarding("net.ipv6.conf.all.forwarding"));
    }
    if (!config.enableNFTables()) {
      if (config.enableIPv4()) {
        out.add(bridgeNetfilter("net.bridge.bridge-nf-call-iptables"));
      }
      if (config.enableIPv6()) {
        out.add(bridgeNetfilter("net.bridge.bridge-nf-call-ip6tables"));
      }
    }
    if (config.enableIPv4()) {
      devices.forEach(d -> out.add(rpFilter(d)));
    }
  }

  private Finding forwarding(String key) {
    String v = read(key).orElse("?");
    if (v.equals("1")) {
      return Finding.ok("sysctl", key, "1");
    }
    return Finding.problem(
        "sysctl",
        key,
        v + ": this node does not forward pod traffic",
        "sysctl -w " + key + "=1, and set it in /etc/sysctl.d/ so that it survives a reboot");
  }

  private Finding bridgeNetfilter(String key) {
    Optional<String> v = read(key);
    if (v.isEmpty()) {
      return Finding.problem(
          "sysctl",
          key,
          "missing: br_netfilter is not loaded (flanneld refuses to start without it)",
          "modprobe br_netfilter, and add it to /etc/modules-load.d/");
    }
    if (!v.get().equals("1")) {
      return Finding.warning(
          "sysctl",
          key,
          v.get()
              + ": pod traffic across cni0 bypasses iptables, so Services between pods on"
              + " this node break",
          "sysctl -w " + key + "=1, and set it in /etc/sysctl.d/");
    }
    return Finding.ok("sysctl", key, "1");
  }

  /** The reverse-path filter of {@code dev}: the kernel applies the stricter of it and "all". */
  private Finding rpFilter(String dev) {
    String key = "net.ipv4.conf." + dev + ".rp_filter";
    Optional<String> devValue = file("net/ipv4/conf/" + dev + "/rp_filter");
    Optional<String> all = read("net.ipv4.conf.all.rp_filter");
    if (devValue.isEmpty()) {
      return Finding.warning("sysctl", key, "cannot be read (no such device?)", "");
    }
    int effective = Math.max(number(devValue.get()), number(all.orElse("0")));
    if (effective == 1) {
      return Finding.warning(
          "sysctl",
          key,
          "strict reverse-path filtering (1, with net.ipv4.conf.all.rp_filter="
              + all.orElse("?")
              + "): pod traffic that comes in on "
              + dev
              + " but whose way back leaves by another device is dropped",
          "sysctl -w " + key + "=2 (loose) if pods of some peers are unreachable");
    }
    return Finding.ok("sysctl", key, effective + (effective == 2 ? " (loose)" : " (off)"));
  }

  private static int number(String s) {
    try {
      return Integer.parseInt(s.strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
