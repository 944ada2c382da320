package io.jflannel.daemon.traffic;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Names what differs between the rules a chain holds and the rules it must hold, for the drift log:
 * rules missing, foreign ones, duplicated ones, or else the order. Shared by the iptables and the
 * nftables mode.
 *
 * <p>Pure functions; thread-safe.
 */
final class RuleDiff {
  private RuleDiff() {}

  /**
   * For example {@code "missing [rule]; duplicated [rule]"}, or {@code "rules out of order"} when
   * both hold the same rules in another order.
   *
   * @param format how a rule is written in the message
   */
  static <T> String describe(List<T> actual, List<T> want, Function<T, String> format) {
    Map<T, Integer> counts = new HashMap<>();
    for (T r : actual) {
      counts.merge(r, 1, Integer::sum);
    }
    List<String> parts = new ArrayList<>();
    List<String> missing = want.stream().filter(r -> !counts.containsKey(r)).map(format).toList();
    List<String> foreign =
        actual.stream().filter(r -> !want.contains(r)).distinct().map(format).toList();
    List<String> duplicated =
        want.stream().filter(r -> counts.getOrDefault(r, 0) > 1).map(format).toList();
    if (!missing.isEmpty()) {
      parts.add("missing " + missing);
    }
    if (!foreign.isEmpty()) {
      parts.add("unexpected " + foreign);
    }
    if (!duplicated.isEmpty()) {
      parts.add("duplicated " + duplicated);
    }
    if (parts.isEmpty()) {
      parts.add("rules out of order");
    }
    return String.join("; ", parts);
  }
}
