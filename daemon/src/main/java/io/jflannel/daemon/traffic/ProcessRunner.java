package io.jflannel.daemon.traffic;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * The production {@link CommandRunner}: starts the binary with {@link ProcessBuilder} (looked up on
 * {@code PATH}), writes the input, and collects both outputs.
 *
 * <p>Both outputs are drained on helper threads while the caller waits, so a large {@code
 * iptables-save} (kube-proxy can have tens of thousands of rules) cannot fill a pipe and deadlock.
 * A command that has not exited within the timeout is killed: {@code iptables-restore --wait} waits
 * for the xtables lock, and a lock held forever by a stuck process must not hang the daemon's
 * resync loop.
 *
 * <p>Stateless and thread-safe.
 */
public final class ProcessRunner implements CommandRunner {
  private final Duration timeout;

  /** A runner that kills a command after {@code timeout}. */
  public ProcessRunner(Duration timeout) {
    this.timeout = timeout;
  }

  /** A runner with a two-minute limit per command. */
  public ProcessRunner() {
    this(Duration.ofMinutes(2));
  }

  @Override
  public Result run(List<String> command, String stdin) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).start();
    try {
      FutureTask<String> out = drain(p.getInputStream(), command.get(0) + "-stdout");
      FutureTask<String> err = drain(p.getErrorStream(), command.get(0) + "-stderr");
      try (OutputStream in = p.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IOException(
            String.join(" ", command) + " did not finish within " + timeout.toMillis() + " ms");
      }
      return new Result(p.exitValue(), out.get(), err.get());
    } catch (ExecutionException e) {
      throw new IOException("reading the output of " + command.get(0), e.getCause());
    } finally {
      p.destroyForcibly();
    }
  }

  /** Reads {@code s} to its end on a fresh daemon thread. */
  private static FutureTask<String> drain(InputStream s, String threadName) {
    FutureTask<String> task =
        new FutureTask<>(
            () -> {
              try (s) {
                return new String(s.readAllBytes(), StandardCharsets.UTF_8);
              }
            });
    Thread t = new Thread(task, threadName);
    t.setDaemon(true);
    t.start();
    return task;
  }
}
