package io.jflannel.daemon.traffic;

import java.util.ArrayList;
import java.util.List;

/**
 * The line syntax shared by {@code iptables-save} output and {@code iptables-restore} input:
 * whitespace-separated tokens, double quotes around a token with spaces, backslash escapes inside
 * quotes.
 *
 * <p>Pure functions; thread-safe.
 */
final class RestoreSyntax {
  private RestoreSyntax() {}

  /**
   * Splits one rule line into its tokens, removing quotes: {@code -A X -m comment --comment
   * "flanneld masq" -j RETURN} gives 8 tokens, the fifth being {@code flanneld masq}.
   */
  static List<String> tokenize(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean inToken = false;
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (quoted) {
        if (ch == '\\' && i + 1 < line.length()) {
          cur.append(line.charAt(++i));
        } else if (ch == '"') {
          quoted = false;
        } else {
          cur.append(ch);
        }
      } else if (ch == '"') {
        quoted = true;
        inToken = true;
      } else if (Character.isWhitespace(ch)) {
        if (inToken) {
          out.add(cur.toString());
          cur.setLength(0);
          inToken = false;
        }
      } else {
        cur.append(ch);
        inToken = true;
      }
    }
    if (inToken) {
      out.add(cur.toString());
    }
    return out;
  }

  /**
   * Joins tokens into one restore line, quoting as {@code iptables-save} does: the text after
   * {@code --comment} always, any other token only when it is empty or holds a space, quote or
   * backslash.
   */
  static String format(List<String> tokens) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      if (i > 0) {
        sb.append(' ');
      }
      boolean afterComment = i > 0 && tokens.get(i - 1).equals("--comment");
      if (afterComment || needsQuotes(t)) {
        sb.append('"').append(t.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
      } else {
        sb.append(t);
      }
    }
    return sb.toString();
  }

  private static boolean needsQuotes(String t) {
    if (t.isEmpty()) {
      return true;
    }
    for (int i = 0; i < t.length(); i++) {
      char ch = t.charAt(i);
      if (Character.isWhitespace(ch) || ch == '"' || ch == '\\' || ch == '\'') {
        return true;
      }
    }
    return false;
  }
}
