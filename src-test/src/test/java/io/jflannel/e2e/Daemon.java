package io.jflannel.e2e;

import io.jflannel.netlink.testing.TestNetns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One run of the packaged {@code flanneld} inside a host namespace: {@code ip netns exec <host>
 * <flanneld> <flags>}, its standard output and error appended to the host's log file.
 *
 * <p>{@code ip netns exec} and the launcher script both {@code exec}, so {@link Process#pid()} is
 * the JVM's PID: {@link #terminate} (SIGTERM) and {@link #kill} (SIGKILL) reach the daemon itself.
 * Whoever starts a daemon must end it; {@link Cluster#close} ends every daemon it started.
 */
final class Daemon {
  private final String host;
  private final Process process;
  private final Path log;
  private final long logOffset;

  private Daemon(String host, Process process, Path log, long logOffset) {
    this.host = host;
    this.process = process;
    this.log = log;
    this.logOffset = logOffset;
  }

  /**
   * Starts {@code flanneld} with {@code flags} and the extra environment {@code env} in {@code ns},
   * appending a header and its output to {@code log}.
   */
  static Daemon start(
      Path flanneld,
      TestNetns ns,
      String host,
      List<String> flags,
      Map<String, String> env,
      Path log) {
    return start(List.of(), flanneld, ns, host, flags, env, log);
  }

  /**
   * As {@link #start(Path, TestNetns, String, List, Map, Path)}, with {@code wrapper} run inside
   * the namespace before the daemon (it must {@code exec} it, so the PID stays the daemon's).
   */
  static Daemon start(
      List<String> wrapper,
      Path flanneld,
      TestNetns ns,
      String host,
      List<String> flags,
      Map<String, String> env,
      Path log) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns.name()));
    cmd.addAll(wrapper);
    cmd.add(flanneld.toString());
    cmd.addAll(flags);
    return spawn(cmd, host, env, log);
  }

  /**
   * Runs {@code cmd} as one host's daemon: for a daemon started some other way, e.g. {@code podman
   * run} of the image ({@code ImageIT}), whose client process then stands for the daemon ({@link
   * #isAlive}, exit status: the container's).
   */
  static Daemon command(List<String> cmd, String host, Path log) {
    return spawn(cmd, host, Map.of(), log);
  }

  private static Daemon spawn(List<String> cmd, String host, Map<String, String> env, Path log) {
    try {
      Files.writeString(
          log,
          "=== harness " + Instant.now() + ": " + String.join(" ", cmd) + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      long offset = Files.size(log);
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(Redirect.appendTo(log.toFile()))
              .redirectInput(Redirect.from(Path.of("/dev/null").toFile()));
      pb.environment().putAll(env);
      classList(host)
          .ifPresent(opt -> pb.environment().merge("JAVA_OPTS", opt, (a, b) -> a + " " + b));
      Process p = pb.start();
      return new Daemon(host, p, log, offset);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start flanneld on " + host, e);
    }
  }

  /**
   * With {@code JFLANNEL_E2E_CLASSLIST_DIR} set ({@code scripts/cds-classlist}), the JVM flag that
   * makes this daemon write the classes it loads to a file of its own in that directory.
   */
  private static Optional<String> classList(String host) {
    String dir = System.getenv("JFLANNEL_E2E_CLASSLIST_DIR");
    if (dir == null || dir.isBlank()) {
      return Optional.empty();
    }
    Path file = Path.of(dir, host + "-" + CLASS_LISTS.incrementAndGet() + ".classlist");
    return Optional.of("-XX:DumpLoadedClassList=" + file);
  }

  private static final AtomicInteger CLASS_LISTS = new AtomicInteger();

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGTERM and wait: returns the exit status; fails if the daemon ignores SIGTERM for 15 s. */
  int terminate() {
    process.destroy();
    return awaitExit(Duration.ofSeconds(15), "after SIGTERM");
  }

  /** SIGKILL (a crash) and wait until the kernel has reaped it. */
  void kill() {
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(10), "after SIGKILL");
  }

  /** Waits for the daemon to exit by itself; returns its status. */
  int awaitExit(Duration timeout) {
    return awaitExit(timeout, "");
  }

  private int awaitExit(Duration timeout, String context) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(
            "flanneld on "
                + host
                + " still running "
                + timeout.toSeconds()
                + " s "
                + context
                + " (killed)\n"
                + logTail(30));
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Everything this run of the daemon printed so far. */
  String output() {
    try {
      byte[] all = Files.readAllBytes(log);
      int from = (int) Math.min(logOffset, all.length);
      return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "[harness: cannot read " + log + ": " + e + "]";
    }
  }

  /**
   * The last {@code n} lines of this run's output, headed by the host name, for failure messages.
   */
  String logTail(int n) {
    List<String> lines = output().lines().toList();
    List<String> tail = lines.subList(Math.max(0, lines.size() - n), lines.size());
    return "--- last "
        + tail.size()
        + " lines of flanneld on "
        + host
        + " ("
        + log
        + ")\n"
        + String.join("\n", tail);
  }

  @Override
  public String toString() {
    return "flanneld[" + host + ", pid " + process.pid() + "]";
  }
}
