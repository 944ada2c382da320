package io.jflannel.daemon.traffic;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A {@link CommandRunner} standing in for {@code nft} (and, through {@link #iptables}, for the
 * iptables binaries): it keeps a ruleset of whole tables as {@code nft list table} prints them,
 * answers {@code nft list tables} and {@code nft list table} from it, applies the {@code nft -f -}
 * scripts it gets (table deletions and table blocks, as {@link NftablesRules} writes them) and
 * records them, and answers the {@code nft -c} probes as configured.
 */
final class FakeNft implements CommandRunner {
  final FakeIptables iptables = new FakeIptables();

  /** "ip flannel-ipv4" → the table as {@code nft list table} prints it. */
  final Map<String, String> tables = new LinkedHashMap<>();

  final List<String> commands = new ArrayList<>();
  final List<String> scripts = new ArrayList<>();
  boolean installed = true;
  boolean iptablesInstalled = true;
  boolean fullyRandom = true;
  boolean comments = true;
  Result applyResult;

  /** How nft prints back a table block it was given (another nft version's notation). */
  UnaryOperator<String> printer = UnaryOperator.identity();

  @Override
  public Result run(List<String> command, String stdin) throws IOException {
    String line = String.join(" ", command);
    commands.add(line);
    if (!command.get(0).equals("nft")) {
      if (!iptablesInstalled) {
        throw new IOException("Cannot run program \"" + command.get(0) + "\": error=2");
      }
      return iptables.run(command, stdin);
    }
    if (!installed) {
      throw new IOException("Cannot run program \"nft\": error=2, No such file or directory");
    }
    if (line.equals("nft list tables")) {
      StringBuilder sb = new StringBuilder();
      tables.keySet().forEach(k -> sb.append("table ").append(k).append('\n'));
      return new Result(0, sb.toString(), "");
    }
    if (line.startsWith("nft list table ")) {
      String text = tables.get(command.get(3) + " " + command.get(4));
      return text != null
          ? new Result(0, text, "")
          : new Result(1, "", "Error: No such file or directory\n" + line + "\n");
    }
    if (line.equals("nft -c -f -")) {
      boolean ok =
          stdin.contains("fully-random") ? fullyRandom : !stdin.contains("comment") || comments;
      return new Result(ok ? 0 : 1, "", ok ? "" : "Error: Could not process rule\n");
    }
    if (line.equals("nft -f -")) {
      scripts.add(stdin);
      if (applyResult != null) {
        return applyResult;
      }
      apply(stdin);
      return new Result(0, "", "");
    }
    return new Result(1, "", "Error: the fake does not know " + line);
  }

  /** Applies {@code delete table F N} lines and {@code table F N { ... }} blocks. */
  private void apply(String script) {
    List<String> lines = script.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      if (l.startsWith("delete table ")) {
        tables.remove(l.substring("delete table ".length()).strip());
      } else if (l.startsWith("table ") && l.endsWith("{")) {
        String key = l.substring("table ".length(), l.length() - 1).strip();
        StringBuilder block = new StringBuilder();
        int depth = 0;
        for (; i < lines.size(); i++) {
          String b = lines.get(i);
          block.append(b).append('\n');
          depth += (int) b.chars().filter(c -> c == '{').count();
          depth -= (int) b.chars().filter(c -> c == '}').count();
          if (depth == 0) {
            break;
          }
        }
        tables.put(key, printer.apply(block.toString()));
      }
    }
  }

  /** Replaces {@code old} by {@code now} in the listed table {@code key} (an operator's edit). */
  void edit(String key, String old, String now) {
    String text = tables.get(key);
    if (text == null || !text.contains(old)) {
      throw new IllegalStateException(key + " does not hold \"" + old + "\":\n" + text);
    }
    tables.put(key, text.replace(old, now));
  }
}
