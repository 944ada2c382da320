package io.jflannel.subnet;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses the {@code KEY=value} lines of an env file the way {@code godotenv} (which upstream uses
 * to read subnet.env back) does for single-line values: blank lines and {@code #} comments are
 * skipped, an {@code export } prefix is allowed, {@code :} works like {@code =}, values may be
 * single- or double-quoted, an unquoted value ends at {@code " #"} (an inline comment), and a later
 * key overrides an earlier one.
 */
final class EnvFile {

  private EnvFile() {}

  /**
   * Returns the keys and values in file order.
   *
   * @throws IllegalArgumentException naming the line that is not {@code KEY=value}
   */
  static Map<String, String> parse(String text) {
    Map<String, String> values = new LinkedHashMap<>();
    String[] lines = text.split("\n", -1);
    for (int n = 0; n < lines.length; n++) {
      String line = lines[n].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("export ") || line.startsWith("export\t")) {
        line = line.substring(7).stripLeading();
      }
      int separator = separator(line);
      if (separator <= 0) {
        throw new IllegalArgumentException("line " + (n + 1) + " is not KEY=value");
      }
      String key = line.substring(0, separator).strip();
      if (key.isEmpty() || key.chars().anyMatch(Character::isWhitespace)) {
        throw new IllegalArgumentException("line " + (n + 1) + " has a malformed key");
      }
      values.put(key, value(line.substring(separator + 1).strip(), n + 1));
    }
    return values;
  }

  private static int separator(String line) {
    int equals = line.indexOf('=');
    int colon = line.indexOf(':');
    if (equals < 0) {
      return colon;
    }
    return colon < 0 ? equals : Math.min(equals, colon);
  }

  private static String value(String raw, int lineNumber) {
    if (raw.startsWith("'") || raw.startsWith("\"")) {
      char quote = raw.charAt(0);
      StringBuilder out = new StringBuilder();
      for (int i = 1; i < raw.length(); i++) {
        char c = raw.charAt(i);
        if (c == quote) {
          return out.toString();
        }
        if (quote == '"' && c == '\\' && i + 1 < raw.length()) {
          char next = raw.charAt(++i);
          out.append(
              switch (next) {
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                default -> next;
              });
        } else {
          out.append(c);
        }
      }
      throw new IllegalArgumentException("line " + lineNumber + " has an unterminated quote");
    }
    for (int i = 1; i < raw.length(); i++) {
      if (raw.charAt(i) == '#' && Character.isWhitespace(raw.charAt(i - 1))) {
        return raw.substring(0, i).strip();
      }
    }
    return raw.startsWith("#") ? "" : raw;
  }
}
