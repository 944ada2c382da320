package io.jflannel.e2e;

import io.jflannel.netlink.testing.Sh;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A command running in the background whose output (stdout and stderr merged) is collected line by
 * line while it runs: {@code ip monitor}, a long {@code ping}.
 *
 * <p>Ownership: whoever starts it closes it; {@link #close} ends it by its PID (SIGTERM, then
 * SIGKILL after 5 s) and waits for it, so nothing outlives the test.
 */
final class Background implements AutoCloseable {
  private final String what;
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private Background(String what, Process process) {
    this.what = what;
    this.process = process;
    this.reader = new Thread(this::drain, "out-" + what);
    this.reader.setDaemon(true);
    this.reader.start();
  }

  static Background start(String what, List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getOutputStream().close();
      return new Background(what, p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + what + ": " + String.join(" ", cmd), e);
    }
  }

  private void drain() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        lines.add(line);
      }
    } catch (IOException e) {
      lines.add("[harness: output of " + what + " unreadable: " + e + "]");
    }
  }

  /** The lines printed so far (a snapshot). */
  List<String> lines() {
    return List.copyOf(lines);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Sends SIGINT (a ping then prints its statistics and exits). */
  void interrupt() {
    Sh.run("kill", "-INT", Long.toString(process.pid()));
  }

  /** Waits for the command to exit by itself and for its last output line; returns its status. */
  int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(what + " still running after " + timeout.toSeconds() + " s");
      }
      reader.join(timeout.toMillis());
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return what;
  }

  @Override
  public void close() {
    Processes.stop(process, Duration.ofSeconds(5));
    try {
      reader.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
