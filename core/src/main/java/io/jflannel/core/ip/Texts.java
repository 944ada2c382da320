package io.jflannel.core.ip;

/**
 * Helpers that keep user input quoted in error messages short and on one line; used by the IP
 * parsers and by the network-config messages.
 */
public final class Texts {

  private static final int MAX_QUOTED = 64;

  private Texts() {}

  /**
   * Returns {@code text} cut to a readable length with control and non-ASCII characters escaped, so
   * an error message quoting garbage input stays a single printable line.
   */
  public static String printable(String text) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    for (; i < text.length() && out.length() < MAX_QUOTED; i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c >= 0x7f) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (i < text.length()) {
      out.append("...");
    }
    return out.toString();
  }
}
