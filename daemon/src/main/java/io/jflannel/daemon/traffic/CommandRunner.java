package io.jflannel.daemon.traffic;

import java.io.IOException;
import java.util.List;

/**
 * Runs one external command with some text on its standard input and returns what it printed: the
 * seam between {@link TrafficRules} and the {@code iptables-restore} / {@code iptables-save}
 * binaries.
 *
 * <p>Production uses {@link ProcessRunner}, which runs the binary as given. Tests replace it: a
 * recording fake checks the exact restore payload without root, and the kernel tests prefix each
 * command with {@code ip netns exec <ns>} so the real iptables acts on a throw-away namespace.
 *
 * <p>Implementations must be safe to call from one thread at a time; {@link TrafficRules}
 * serialises its calls.
 */
@FunctionalInterface
public interface CommandRunner {

  /**
   * What a command did.
   *
   * @param exitCode the exit status, 0 on success
   * @param stdout everything it printed on standard output
   * @param stderr everything it printed on standard error
   */
  record Result(int exitCode, String stdout, String stderr) {
    /** Whether the command exited with status 0. */
    public boolean ok() {
      return exitCode == 0;
    }
  }

  /**
   * Runs {@code command} (the binary and its arguments) with {@code stdin} as its standard input
   * and waits for it to exit.
   *
   * @throws IOException if the command cannot be started or does not finish in time
   * @throws InterruptedException if the calling thread is interrupted while waiting
   */
  Result run(List<String> command, String stdin) throws IOException, InterruptedException;
}
