package io.jflannel.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.jflannel.core.ip.Texts;

/** Helpers that keep config error messages on one short, printable line. */
final class Messages {

  private static final int MAX_LINE = 240;

  private Messages() {}

  /** Describes a JSON value for an error message, e.g. {@code the string "24"} or {@code 24.5}. */
  static String describe(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return "null";
    }
    if (value.isTextual()) {
      return "the string \"" + shorten(value.textValue()) + "\"";
    }
    if (value.isObject()) {
      return "an object";
    }
    if (value.isArray()) {
      return "an array";
    }
    return shorten(value.toString());
  }

  /**
   * Returns {@code text} on one line: control characters (including line breaks) become spaces and
   * runs of whitespace collapse, so a parser's multi-line message cannot break a log line.
   */
  static String oneLine(String text) {
    if (text == null) {
      return "unknown error";
    }
    StringBuilder out = new StringBuilder(text.length());
    boolean space = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c)) {
        space = out.length() > 0;
        continue;
      }
      if (space) {
        out.append(' ');
        space = false;
      }
      out.append(c);
      if (out.length() >= MAX_LINE) {
        return out.append("...").toString();
      }
    }
    return out.toString();
  }

  private static String shorten(String text) {
    return Texts.printable(text);
  }
}
