package io.jflannel.core.ip;

/** Parses the decimal prefix length after the slash of CIDR text. */
final class Prefixes {

  private Prefixes() {}

  /** Returns the prefix length 0..{@code max}, or -1 if {@code text} is not one. */
  static int parse(String text, int max) {
    if (text.isEmpty() || text.length() > 3) {
      return -1;
    }
    int value = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value <= max ? value : -1;
  }
}
