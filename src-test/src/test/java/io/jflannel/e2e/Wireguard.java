package io.jflannel.e2e;

import io.jflannel.netlink.testing.Sh;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The harness side of the wireguard backend on the userspace path (this kernel has no WireGuard):
 * each host's flanneld runs with its own {@code /run/wireguard} (a bind mount of the host's
 * directory inside the mount namespace {@code ip netns exec} makes, so the three wireguard-go
 * sockets named {@code flannel-wg.sock} do not collide) and its own key file ({@code
 * WIREGUARD_KEY_FILE}); {@code wg} (wireguard-tools, tests only) reads a host's device by entering
 * the mount and network namespaces of its wireguard-go.
 *
 * <p>A flanneld killed with SIGKILL leaves its wireguard-go running (the next flanneld adopts it):
 * {@link #killWireguardGo} ends those of one host namespace, by PID, when the harness tears down.
 */
final class Wireguard {
  static final String DEVICE = "flannel-wg";
  static final int PORT = 51820;
  private static final Pattern KEY = Pattern.compile("\"PublicKey\"\\s*:\\s*\"([^\"]*)\"");

  private Wireguard() {}

  /** The wrapper that gives the daemon the host's own {@code /run/wireguard}. */
  static List<String> wrapper(Host host) {
    Path dir = host.dir().resolve("run-wireguard");
    try {
      Files.createDirectories(dir);
      Files.createDirectories(Path.of("/run/wireguard")); // the mount point, as wireguard-go would
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return List.of(
        "sh",
        "-c",
        "mount --bind \"$1\" /run/wireguard && shift && exec \"$@\"",
        "sh",
        dir.toString());
  }

  /** The key file of {@code host}, as {@code WIREGUARD_KEY_FILE}. */
  static Path keyFile(Host host) {
    return host.dir().resolve("wgkey");
  }

  /** PIDs of the wireguard-go processes whose network namespace is {@code host}'s. */
  static List<Long> wireguardGoPids(Host host) {
    String want = inode(Path.of("/run/netns", host.ns().name()));
    List<Long> pids = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          if (Files.readString(p.resolve("comm")).strip().equals("wireguard-go")
              && want != null
              && want.equals(inode(p.resolve("ns/net")))) {
            pids.add(Long.parseLong(p.getFileName().toString()));
          }
        } catch (IOException | UncheckedIOException gone) {
          // the process ended meanwhile
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return pids;
  }

  private static String inode(Path p) {
    try {
      return Files.readAttributes(p, "unix:ino").get("ino").toString()
          + "/"
          + Files.readAttributes(p, "unix:dev").get("dev");
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
  }

  /** SIGKILLs, by PID, the wireguard-go processes of {@code host}'s network namespace. */
  static void killWireguardGo(Host host) {
    for (long pid : wireguardGoPids(host)) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  /** {@code wg <args>} against {@code host}'s wireguard-go; fails if none runs. */
  static String wg(Host host, String... args) {
    long pid =
        wireguardGoPids(host).stream()
            .findFirst()
            .orElseThrow(() -> new AssertionError(host.name() + " runs no wireguard-go"));
    List<String> cmd = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-m", "-n"));
    cmd.add("wg");
    cmd.addAll(List.of(args));
    return Sh.run(cmd.toArray(String[]::new));
  }

  /** {@code wg show flannel-wg dump}: the device line, then one line per peer. */
  static List<String> dump(Host host) {
    return wg(host, "show", DEVICE, "dump").lines().toList();
  }

  /** The device's public key, as {@code wg} shows it. */
  static String publicKey(Host host) {
    return dump(host).get(0).split("\t")[1];
  }

  /**
   * The peers of the device as {@code <public key> <endpoint> <allowed ips> <psk?> <keepalive>},
   * e.g. {@code k... 192.168.100.12:51820 10.244.5.0/24 (none) off}, sorted: {@code wg} lists peers
   * by their latest handshake, which traffic alone changes.
   */
  static List<String> peers(Host host) {
    List<String> dump = dump(host);
    return dump.subList(1, dump.size()).stream()
        .map(l -> l.split("\t"))
        .map(f -> f[0] + " " + f[2] + " " + f[3] + " " + f[1] + " " + f[7])
        .sorted()
        .toList();
  }

  /**
   * The peer upstream configures for a lease: its key, {@code <PublicIP>:51820}, its subnet, no
   * preshared key, no keepalive; empty for a lease whose key is not a WireGuard key.
   */
  static Optional<String> expectedPeer(PeerLease l) {
    Matcher m = KEY.matcher(l.value() == null ? "" : l.value());
    if (!m.find()) {
      return Optional.empty();
    }
    try {
      if (Base64.getDecoder().decode(m.group(1)).length != 32) {
        return Optional.empty();
      }
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    return Optional.of(
        m.group(1) + " " + l.publicIp() + ":" + PORT + " " + l.subnet() + " (none) off");
  }

  /** A fresh key pair by {@code wg genkey | wg pubkey}: {private, public}. */
  static String[] keyPair() {
    String priv = Sh.run("wg", "genkey").strip();
    String pub = Sh.run("sh", "-c", "echo '" + priv + "' | wg pubkey").strip();
    return new String[] {priv, pub};
  }
}
