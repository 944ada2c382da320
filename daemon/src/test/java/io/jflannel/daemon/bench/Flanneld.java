package io.jflannel.daemon.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One packaged flanneld ({@code daemon/target/flanneld/bin/flanneld}) run as {@code ip netns exec
 * <host> flanneld ...}, its output in a log file, and its CPU time read from {@code /proc}.
 *
 * <p>{@code ip netns exec} and the launcher script both exec, so the process started here is the
 * JVM itself: its PID is the daemon's, and {@link #close} (SIGTERM, then SIGKILL after 10 s) stops
 * exactly it. {@link #startedAt} is taken immediately before the fork, so it is the "process start"
 * every figure is measured from. Owns the process; close it.
 */
final class Flanneld implements AutoCloseable {
  static final long TICKS_PER_SECOND = Long.getLong("clk.tck", 100);

  private final Process process;
  private final Path log;
  private final Instant startedAt;
  private final long startedNanos;

  /**
   * Every process started here, killed by a shutdown hook: when the script's exit trap stops the
   * harness with SIGTERM mid-run, no daemon is left running in a namespace about to be deleted.
   */
  private static final java.util.Set<Process> STARTED =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> STARTED.stream().filter(Process::isAlive).forEach(Process::destroyForcibly)));
  }

  private Flanneld(Process process, Path log, Instant startedAt, long startedNanos) {
    STARTED.add(process);
    this.process = process;
    this.log = log;
    this.startedAt = startedAt;
    this.startedNanos = startedNanos;
  }

  /**
   * Starts {@code flanneld} with {@code args} inside {@code netns}; stdout and stderr to {@code
   * log}.
   */
  static Flanneld start(String flanneld, String netns, List<String> args, Path log)
      throws IOException {
    return start(flanneld, netns, args, log, Map.of());
  }

  /** As {@link #start(String, String, List, Path)}, with extra environment (e.g. JAVA_OPTS). */
  static Flanneld start(
      String flanneld, String netns, List<String> args, Path log, Map<String, String> env)
      throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns, flanneld));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    pb.redirectOutput(log.toFile());
    Instant at = Instant.now();
    long nanos = System.nanoTime();
    Process p = pb.start();
    return new Flanneld(p, log, at, nanos);
  }

  /**
   * Starts any command (the benchmark's {@link BackendOnly} JVM) the same way, so it is timed and
   * stopped like the daemon.
   */
  static Flanneld startCommand(List<String> cmd, Path log) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    Instant at = Instant.now();
    long nanos = System.nanoTime();
    Process p = pb.start();
    return new Flanneld(p, log, at, nanos);
  }

  /** The exit code; only once the process has ended. */
  int exitValue() {
    return process.exitValue();
  }

  long pid() {
    return process.pid();
  }

  Instant startedAt() {
    return startedAt;
  }

  /** Milliseconds since the fork, by the monotonic clock. */
  double millisSinceStart(long nanoTime) {
    return (nanoTime - startedNanos) / 1e6;
  }

  Path log() {
    return log;
  }

  boolean alive() {
    return process.isAlive();
  }

  /** User + system CPU time of the whole process so far, in ms ({@code /proc/<pid>/stat}). */
  long cpuMillis() throws IOException {
    return ticks(Path.of("/proc", Long.toString(pid()), "stat")) * 1000 / TICKS_PER_SECOND;
  }

  /** Peak resident set size so far, in MiB ({@code VmHWM} of {@code /proc/<pid>/status}). */
  double peakRssMib() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
      }
    }
    throw new IOException("no VmHWM in /proc/" + pid() + "/status");
  }

  /** User and system CPU time of the whole process so far, in ms: {user, system}. */
  long[] userSystemMillis() throws IOException {
    String s = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
    return new long[] {
      Long.parseLong(f[11]) * 1000 / TICKS_PER_SECOND,
      Long.parseLong(f[12]) * 1000 / TICKS_PER_SECOND
    };
  }

  /** CPU ms per thread name (threads of one name summed), from {@code /proc/<pid>/task/*}. */
  Map<String, Long> threadCpuMillis() throws IOException {
    Map<String, Long> out = new TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid()), "task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          String name = Files.readString(t.resolve("comm")).strip().replaceAll("[0-9]+$", "#");
          out.merge(name, ticks(t.resolve("stat")) * 1000 / TICKS_PER_SECOND, Long::sum);
        } catch (IOException e) {
          // the thread ended meanwhile
        }
      }
    }
    return out;
  }

  private static long ticks(Path stat) throws IOException {
    String s = Files.readString(stat);
    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
  }

  /** SIGKILL, as {@code kill -9}, and waits for the process to end. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
