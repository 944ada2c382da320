package io.jflannel.daemon.traffic;

import io.jflannel.daemon.traffic.SavedTable.SavedRule;
import java.util.ArrayList;
import java.util.List;

/**
 * The restore lines that bring one of flannel's chains in one table from what {@code iptables-save}
 * showed to what it must be, and a readable account of the difference.
 *
 * <p>Ensuring a chain: every rule in the built-in parent chain that is ours (it carries our comment
 * or jumps to our chain) but is not the one jump rule is deleted by its saved text, a duplicated
 * jump is deleted down to one, a missing jump is appended; if the chain's rules are not exactly the
 * desired list (a rule missing, duplicated, foreign or out of order: upstream issue #1337 only
 * checks presence) the chain is flushed by re-declaring it and all rules are appended in order.
 * Retiring a chain deletes our rules from the parent, flushes the chain and removes it. A chain
 * that is already right yields no lines, so a restart or a quiet resync changes nothing.
 *
 * <p>Lines are grouped by the position they need in the table block: chain declarations first, then
 * deletions, then appends (and chain removals, which must follow the deletion of their jump).
 *
 * <p>Immutable; thread-safe.
 *
 * @param declare {@code :CHAIN - [0:0]} lines (create the chain, or flush it under {@code
 *     --noflush})
 * @param delete {@code -D ...} lines
 * @param append {@code -A ...} and {@code -X ...} lines
 * @param drift what was found wrong, one entry per problem; empty when nothing is to be done
 */
record ChainPlan(
    List<String> declare, List<String> delete, List<String> append, List<String> drift) {

  boolean isEmpty() {
    return declare.isEmpty() && delete.isEmpty() && append.isEmpty();
  }

  /** The plan that makes {@code want} hold in {@code saved}. */
  static ChainPlan ensure(SavedTable saved, FlannelChain want) {
    List<String> declare = new ArrayList<>();
    List<String> delete = new ArrayList<>();
    List<String> append = new ArrayList<>();
    List<String> drift = new ArrayList<>();
    String chain = want.chain();
    String parent = want.parent();

    int jumps = 0;
    for (SavedRule r : saved.rules(parent)) {
      if (r.args().equals(want.jumpRule())) {
        if (++jumps > 1) {
          delete.add(r.deleteLine());
        }
      } else if (isOurs(r.args(), want)) {
        delete.add(r.deleteLine());
        drift.add("stale rule in " + parent + ": " + r.line());
      }
    }
    if (jumps > 1) {
      drift.add("jump from " + parent + " to " + chain + " present " + jumps + " times");
    }

    List<List<String>> actual = saved.rules(chain).stream().map(SavedRule::args).toList();
    boolean exists = saved.hasChain(chain);
    if (!exists || !actual.equals(want.rules())) {
      drift.add(exists ? chain + ": " + describe(actual, want.rules()) : chain + " missing");
      declare.add(":" + chain + " - [0:0]");
      for (List<String> rule : want.rules()) {
        append.add("-A " + chain + " " + RestoreSyntax.format(rule));
      }
    }
    if (jumps == 0) {
      drift.add("jump from " + parent + " to " + chain + " missing");
      append.add("-A " + parent + " " + RestoreSyntax.format(want.jumpRule()));
    }
    return new ChainPlan(declare, delete, append, drift);
  }

  /** The plan that removes {@code old}'s chain and every rule of ours in its parent. */
  static ChainPlan retire(SavedTable saved, FlannelChain old) {
    List<String> delete = new ArrayList<>();
    List<String> drift = new ArrayList<>();
    for (SavedRule r : saved.rules(old.parent())) {
      if (r.args().equals(old.jumpRule()) || isOurs(r.args(), old)) {
        delete.add(r.deleteLine());
        drift.add("no longer wanted in " + old.parent() + ": " + r.line());
      }
    }
    List<String> declare = new ArrayList<>();
    List<String> append = new ArrayList<>();
    if (saved.hasChain(old.chain())) {
      declare.add(":" + old.chain() + " - [0:0]");
      append.add("-X " + old.chain());
      drift.add(old.chain() + " no longer wanted");
    }
    return new ChainPlan(declare, delete, append, drift);
  }

  /** Whether a rule of the parent chain is one of ours: our comment, or a jump to our chain. */
  private static boolean isOurs(List<String> args, FlannelChain c) {
    for (int i = 0; i + 1 < args.size(); i++) {
      String a = args.get(i);
      String b = args.get(i + 1);
      if ((a.equals("--comment") && b.equals(c.comment()))
          || ((a.equals("-j") || a.equals("-g")) && b.equals(c.chain()))) {
        return true;
      }
    }
    return false;
  }

  /** Names what differs between the chain's rules and the wanted ones. */
  static String describe(List<List<String>> actual, List<List<String>> want) {
    return RuleDiff.describe(actual, want, RestoreSyntax::format);
  }
}
