package io.jflannel.daemon.traffic;

import java.io.IOException;
import java.util.List;

/**
 * The {@link CommandRunner} as the rule managers use it: a command that cannot be started or that
 * fails becomes a {@link TrafficRulesException} whose message names the command, its exit status
 * and its error output.
 *
 * <p>Stateless apart from the runner; as thread-safe as the runner.
 */
final class Commands {
  private final CommandRunner runner;

  Commands(CommandRunner runner) {
    this.runner = runner;
  }

  /**
   * Runs {@code cmd} with {@code stdin} and returns what it did, whatever its exit status.
   *
   * @throws TrafficRulesException if it cannot be started ({@link
   *     TrafficRulesException#cannotRun()}), does not finish in time, or the thread is interrupted
   */
  CommandRunner.Result run(List<String> cmd, String stdin) throws TrafficRulesException {
    try {
      return runner.run(cmd, stdin);
    } catch (IOException e) {
      // ProcessBuilder.start's message for a binary that is missing or not executable
      boolean notStarted = String.valueOf(e.getMessage()).startsWith("Cannot run program");
      throw cannotRun(cmd.get(0), e, notStarted);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TrafficRulesException("interrupted while running " + cmd.get(0), e);
    }
  }

  /**
   * Runs {@code cmd} with {@code stdin} and returns its standard output.
   *
   * @throws TrafficRulesException as {@link #run}, and if it exits with a non-zero status
   */
  String output(List<String> cmd, String stdin) throws TrafficRulesException {
    CommandRunner.Result r = run(cmd, stdin);
    if (!r.ok()) {
      throw failure(String.join(" ", cmd), r);
    }
    return r.stdout();
  }

  private static TrafficRulesException cannotRun(String binary, IOException e, boolean notStarted) {
    String pkg = binary.equals("nft") ? "nftables" : "iptables";
    return new TrafficRulesException(
        "cannot run " + binary + ": " + e.getMessage() + " (is " + pkg + " installed?)",
        e,
        notStarted);
  }

  /** The error for {@code what} having exited with a non-zero status. */
  static TrafficRulesException failure(String what, CommandRunner.Result r) {
    String err = (r.stderr().isBlank() ? r.stdout() : r.stderr()).strip().replace('\n', ' ');
    return new TrafficRulesException(what + " failed (exit " + r.exitCode() + "): " + err);
  }
}
