package io.jflannel.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Ending the harness's own child processes, always by their PID (never by name). */
final class Processes {
  private Processes() {}

  /** The last {@code n} lines of a child's log, for a failure message. */
  static String tail(Path log, int n) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    } catch (IOException e) {
      return "[cannot read " + log + "]";
    }
  }

  /**
   * SIGTERM, then SIGKILL if {@code grace} passes; returns the exit status, or -1 if the process
   * could not be reaped.
   */
  static int stop(Process p, Duration grace) {
    try {
      if (!p.isAlive()) {
        return p.waitFor();
      }
      p.destroy();
      if (p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        return p.exitValue();
      }
      p.destroyForcibly();
      return p.waitFor(10, TimeUnit.SECONDS) ? p.exitValue() : -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      return -1;
    }
  }
}
