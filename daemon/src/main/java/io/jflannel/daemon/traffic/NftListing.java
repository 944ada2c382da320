package io.jflannel.daemon.traffic;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One table as {@code nft list table} printed it (or as {@link NftTable#text} renders it): the
 * table's own lines (its comment, flags) and its blocks ({@code chain postrtg}, or anything else a
 * foreign hand added, such as a set), each with its lines in order, whitespace and handles
 * stripped. Comparing the listing of the table in the kernel with the listing of the wanted table
 * is what finds drift.
 *
 * <p>Immutable; thread-safe.
 */
final class NftListing {
  private static final Pattern HANDLE = Pattern.compile("\\s*# handle \\d+$");
  private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");

  /**
   * One difference between a listing and the wanted one.
   *
   * @param chain the chain concerned, or null when it is the table itself
   * @param detail what differs, e.g. {@code "postrtg: missing [ip saddr ... return]"}
   */
  record Difference(String chain, String detail) {}

  private final List<String> tableLines;
  private final Map<String, List<String>> blocks;

  private NftListing(List<String> tableLines, Map<String, List<String>> blocks) {
    this.tableLines = tableLines;
    this.blocks = blocks;
  }

  /** Reads the first table of {@code text}; an empty listing if it holds none. */
  static NftListing parse(String text) {
    List<String> own = new ArrayList<>();
    Map<String, List<String>> blocks = new LinkedHashMap<>();
    List<String> block = null;
    int depth = 0;
    for (String raw : text.split("\n")) {
      String line = HANDLE.matcher(raw).replaceAll("").strip();
      if (line.isEmpty()) {
        continue;
      }
      int opens = braces(line, '{');
      int closes = braces(line, '}');
      if (depth == 1 && line.endsWith("{") && opens == closes + 1) {
        block =
            blocks.computeIfAbsent(
                line.substring(0, line.length() - 1).strip(), k -> new ArrayList<>());
      } else if (depth == 1 && !line.equals("}")) {
        own.add(line);
      } else if (depth >= 2 && !(depth == 2 && line.equals("}")) && block != null) {
        block.add(line);
      }
      depth += opens - closes;
      if (depth <= 1) {
        block = null;
      }
      if (depth <= 0 && (opens > 0 || closes > 0)) {
        break;
      }
    }
    blocks.replaceAll((k, v) -> List.copyOf(v));
    return new NftListing(List.copyOf(own), blocks);
  }

  private static int braces(String line, char brace) {
    String bare = QUOTED.matcher(line).replaceAll("\"\"");
    return (int) bare.chars().filter(c -> c == brace).count();
  }

  /** Whether the listing holds nothing (the table was not found in the text). */
  boolean isEmpty() {
    return tableLines.isEmpty() && blocks.isEmpty();
  }

  /**
   * What differs between {@code actual} (read from the kernel) and this listing (the wanted table);
   * empty when they are the same.
   */
  List<Difference> differences(NftListing actual) {
    List<Difference> out = new ArrayList<>();
    if (!actual.tableLines.equals(tableLines)) {
      out.add(new Difference(null, "table holds " + actual.tableLines + ", want " + tableLines));
    }
    for (Map.Entry<String, List<String>> e : blocks.entrySet()) {
      String chain = chainName(e.getKey());
      List<String> have = actual.blocks.get(e.getKey());
      if (have == null) {
        out.add(new Difference(chain, chain + " missing"));
        continue;
      }
      List<String> wantHead = header(e.getValue());
      List<String> haveHead = header(have);
      if (!haveHead.equals(wantHead)) {
        out.add(new Difference(chain, chain + ": declared " + haveHead + ", want " + wantHead));
      }
      List<String> wantRules = e.getValue().subList(wantHead.size(), e.getValue().size());
      List<String> haveRules = have.subList(haveHead.size(), have.size());
      if (!haveRules.equals(wantRules)) {
        out.add(
            new Difference(chain, chain + ": " + RuleDiff.describe(haveRules, wantRules, r -> r)));
      }
    }
    for (String key : actual.blocks.keySet()) {
      if (!blocks.containsKey(key)) {
        out.add(new Difference(null, "unexpected " + key));
      }
    }
    return out;
  }

  /**
   * Whether {@code other} has the same table lines count, the same blocks and the same number of
   * lines in each: how nft printing our rules in another notation (another nft version) looks, as
   * opposed to drift.
   */
  boolean sameShape(NftListing other) {
    if (other.tableLines.size() != tableLines.size()
        || !other.blocks.keySet().equals(blocks.keySet())) {
      return false;
    }
    return blocks.entrySet().stream()
        .allMatch(e -> other.blocks.get(e.getKey()).size() == e.getValue().size());
  }

  /** A chain's declaration lines: its comment and its {@code type ... policy ...;} line. */
  private static List<String> header(List<String> lines) {
    int n = 0;
    while (n < lines.size()
        && (lines.get(n).startsWith("comment \"") || lines.get(n).startsWith("type "))) {
      n++;
    }
    return lines.subList(0, n);
  }

  private static String chainName(String blockKey) {
    return blockKey.startsWith("chain ") ? blockKey.substring("chain ".length()) : blockKey;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NftListing l && l.tableLines.equals(tableLines) && l.blocks.equals(blocks);
  }

  @Override
  public int hashCode() {
    return Objects.hash(tableLines, blocks);
  }

  @Override
  public String toString() {
    return "NftListing" + tableLines + blocks;
  }
}
