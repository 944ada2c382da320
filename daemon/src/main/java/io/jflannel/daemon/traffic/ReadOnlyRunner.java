package io.jflannel.daemon.traffic;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link CommandRunner} that runs only the commands that read ({@code iptables-save}, {@code
 * ip6tables-save}, {@code iptables-restore --version}, {@code nft list ...}, {@code nft -c}: check
 * only) and answers every other one (a restore, {@code nft -f}) as if it had worked, without
 * running it, noting it instead. {@link TrafficRules} run through it find their drift exactly as
 * the daemon does and change nothing: what {@code flanneld diagnose} uses.
 */
final class ReadOnlyRunner implements CommandRunner {
  private final CommandRunner real;
  private final List<List<String>> skipped = new ArrayList<>();

  ReadOnlyRunner(CommandRunner real) {
    this.real = real;
  }

  /** Whether {@code command} only reads. */
  static boolean reads(List<String> command) {
    String binary = command.get(0);
    String first = command.size() > 1 ? command.get(1) : "";
    if (binary.endsWith("tables-save")) {
      return true;
    }
    if (binary.endsWith("tables-restore")) {
      return command.size() == 2 && first.equals("--version");
    }
    if (binary.equals("nft")) {
      return first.equals("list") || first.equals("-c");
    }
    return false;
  }

  @Override
  public Result run(List<String> command, String stdin) throws IOException, InterruptedException {
    if (reads(command)) {
      return real.run(command, stdin);
    }
    skipped.add(List.copyOf(command));
    return new Result(0, "", "");
  }

  /** The commands not run, in order. */
  List<List<String>> skipped() {
    return List.copyOf(skipped);
  }
}
