package io.jflannel.backend.wireguard;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code wireguard-go -f <dev>} process that this flanneld started: the userspace WireGuard
 * that creates a TUN device of the given name and serves its UAPI socket. It runs in the foreground
 * as our child, its output going where ours goes; {@link #stop} ends it (SIGTERM, then SIGKILL
 * after 5 s). A flanneld killed with SIGKILL leaves it running, and the next flanneld adopts it
 * through its socket.
 *
 * <p>Not thread-safe: owned by one {@link UapiWgDevice}.
 */
final class WireguardGo {
  private static final Logger log = LoggerFactory.getLogger(WireguardGo.class);

  /** The executable's name, looked up in {@code PATH}. */
  static final String BINARY = "wireguard-go";

  private final Path binary;
  private final String device;
  private Process process;

  WireguardGo(Path binary, String device) {
    this.binary = binary;
    this.device = device;
  }

  /** {@code wireguard-go} in the directories of {@code path} ({@code $PATH}), if there is one. */
  static Optional<Path> find(String path) {
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, BINARY);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  Path binary() {
    return binary;
  }

  /** Starts the process; the caller waits for its socket. */
  void start() throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(List.of(binary.toString(), "-f", device))
            .redirectInput(Redirect.from(new File("/dev/null")))
            .redirectOutput(Redirect.INHERIT)
            .redirectError(Redirect.INHERIT);
    // foreground and quiet: no "use the kernel module" banner, errors only
    pb.environment().put("WG_PROCESS_FOREGROUND", "1");
    pb.environment().putIfAbsent("LOG_LEVEL", "error");
    process = pb.start();
    log.info("wireguard: started {} -f {} (pid {})", binary, device, process.pid());
  }

  /** Whether our process is running. */
  boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Whether this instance started a process (running or not). */
  boolean started() {
    return process != null;
  }

  /** The exit status of a process that ended, else -1. */
  int exitStatus() {
    return process != null && !process.isAlive() ? process.exitValue() : -1;
  }

  long pid() {
    return process == null ? -1 : process.pid();
  }

  /** Ends the process we started (SIGTERM, SIGKILL after 5 s); nothing if there is none. */
  void stop() {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
      log.info("wireguard: stopped wireguard-go (pid {})", process.pid());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
