package io.jflannel.netlink.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command for a test harness and returns its output; fails loudly on a non-zero exit. */
public final class Sh {
  private Sh() {}

  /** The outcome of one command. */
  public record Out(int exit, String stdout, String stderr) {}

  /** Runs {@code cmd}; throws if it exits non-zero. Returns stdout. */
  public static String run(String... cmd) {
    Out o = exec(cmd);
    if (o.exit() != 0) {
      throw new IllegalStateException(
          String.join(" ", cmd) + " exited " + o.exit() + ": " + o.stderr().strip());
    }
    return o.stdout();
  }

  /** Runs {@code cmd} and returns whatever happened (60 s limit). */
  public static Out exec(String... cmd) {
    try {
      Process p = new ProcessBuilder(List.of(cmd)).start();
      p.getOutputStream().close();
      var out = p.getInputStream();
      var err = p.getErrorStream();
      var errText = new StringBuilder();
      Thread t =
          new Thread(
              () -> {
                try {
                  errText.append(new String(err.readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                  errText.append(e);
                }
              });
      t.start();
      String stdout = new String(out.readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", cmd) + " timed out");
      }
      t.join();
      return new Out(p.exitValue(), stdout, errText.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
