package io.jflannel.daemon.traffic;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One table as {@code iptables-save -t <table>} printed it: which chains exist and the rules of
 * each, in order.
 *
 * <p>Each rule keeps its tokens (for comparison with the desired rules) and its exact line (to
 * delete it with {@code -D}: a rule is always found again by the text iptables itself printed).
 * Lines of other tables, comments and counters are ignored.
 *
 * <p>Immutable after parsing; thread-safe.
 */
final class SavedTable {

  /**
   * One {@code -A} line.
   *
   * @param chain the chain it is in
   * @param args its tokens after {@code -A <chain>}, unquoted
   * @param line the line as printed, from {@code -A} on
   */
  record SavedRule(String chain, List<String> args, String line) {
    /** The restore line that deletes this rule: the saved line with {@code -D} for {@code -A}. */
    String deleteLine() {
      return "-D" + line.substring(2);
    }
  }

  private final String table;
  private final Set<String> chains;
  private final Map<String, List<SavedRule>> rules;

  private SavedTable(String table, Set<String> chains, Map<String, List<SavedRule>> rules) {
    this.table = table;
    this.chains = chains;
    this.rules = rules;
  }

  /** Reads the block of {@code table} out of {@code saveOutput}; empty if there is none. */
  static SavedTable parse(String saveOutput, String table) {
    Set<String> chains = new HashSet<>();
    Map<String, List<SavedRule>> rules = new LinkedHashMap<>();
    boolean inTable = false;
    for (String raw : saveOutput.split("\n")) {
      String line = raw.strip();
      if (line.startsWith("*")) {
        inTable = line.substring(1).equals(table);
      } else if (!inTable || line.isEmpty() || line.startsWith("#")) {
        continue;
      } else if (line.equals("COMMIT")) {
        inTable = false;
      } else if (line.startsWith(":")) {
        int sp = line.indexOf(' ');
        chains.add(sp < 0 ? line.substring(1) : line.substring(1, sp));
      } else if (line.startsWith("-A ")) {
        List<String> tokens = RestoreSyntax.tokenize(line);
        if (tokens.size() >= 2) {
          String chain = tokens.get(1);
          rules
              .computeIfAbsent(chain, c -> new ArrayList<>())
              .add(new SavedRule(chain, List.copyOf(tokens.subList(2, tokens.size())), line));
        }
      }
    }
    return new SavedTable(table, Set.copyOf(chains), rules);
  }

  String table() {
    return table;
  }

  /** Whether {@code chain} exists (is declared) in this table. */
  boolean hasChain(String chain) {
    return chains.contains(chain);
  }

  /** The rules of {@code chain} in order; empty if it has none or does not exist. */
  List<SavedRule> rules(String chain) {
    return rules.getOrDefault(chain, List.of());
  }
}
