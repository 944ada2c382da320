package io.jflannel.core.lease;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * Makes Jackson escape strings the way Go's {@code json.Marshal} does, so JSON we write is
 * byte-for-byte what upstream flannel writes for the same value.
 *
 * <p>Go escapes {@code <}, {@code >} and {@code &} as <code>&#92;u003c</code>, <code>&#92;u003e
 * </code>, <code>&#92;u0026</code>; U+2028 and U+2029 as <code>&#92;u2028</code>, <code>&#92;u2029
 * </code>; control characters other than {@code \b \f \n \r \t} as <code>&#92;u00xx</code> with
 * lower-case hex. Jackson by default escapes none of the first five and writes upper-case hex.
 */
final class GoJsonEscapes extends CharacterEscapes {

  private static final int[] ASCII = standardAsciiEscapesForJSON();

  static {
    for (int c = 0; c < 0x20; c++) {
      if (c != '\b' && c != '\f' && c != '\n' && c != '\r' && c != '\t') {
        ASCII[c] = ESCAPE_CUSTOM;
      }
    }
    ASCII['<'] = ESCAPE_CUSTOM;
    ASCII['>'] = ESCAPE_CUSTOM;
    ASCII['&'] = ESCAPE_CUSTOM;
  }

  @Override
  public int[] getEscapeCodesForAscii() {
    return ASCII; // Jackson only reads it; asked once per generator, i.e. per lease written or read
  }

  @Override
  public SerializableString getEscapeSequence(int ch) {
    if (ch < 0x80 && ASCII[ch] == ESCAPE_CUSTOM) {
      return new SerializedString(String.format("\\u%04x", ch));
    }
    if (ch == 0x2028 || ch == 0x2029) {
      return new SerializedString(String.format("\\u%04x", ch));
    }
    return null;
  }
}
