package io.jflannel.subnet.etcd;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Just enough DER (ASN.1's distinguished encoding) to take a private key apart and wrap it into
 * PKCS#8: reading one element (tag, length, contents) and writing one.
 *
 * <p>Only the forms that key files use are handled: single-byte tags and definite lengths of up to
 * four bytes. Anything else is reported as malformed, never guessed at. Stateless.
 */
final class Der {

  static final int INTEGER = 0x02;
  static final int BIT_STRING = 0x03;
  static final int OCTET_STRING = 0x04;
  static final int NULL = 0x05;
  static final int OID = 0x06;
  static final int SEQUENCE = 0x30;

  /** The context-specific constructed tag {@code [n]}. */
  static int context(int n) {
    return 0xa0 | n;
  }

  /** Thrown for bytes that are not the DER expected. */
  static final class MalformedException extends Exception {
    MalformedException(String message) {
      super(message);
    }
  }

  /**
   * One DER element.
   *
   * @param tag the tag byte
   * @param encoded the whole element: tag, length and contents
   * @param contentOffset where the contents start in {@code encoded}
   */
  record Element(int tag, byte[] encoded, int contentOffset) {

    /** Returns the contents (for a SEQUENCE: its elements, encoded one after another). */
    byte[] contents() {
      return Arrays.copyOfRange(encoded, contentOffset, encoded.length);
    }

    /** Returns the elements of a constructed element (SEQUENCE, {@code [n]}). */
    List<Element> children() throws MalformedException {
      return readAll(contents());
    }

    /** Returns true for the element {@code other} with the same tag, length and contents. */
    boolean sameAs(byte[] other) {
      return Arrays.equals(encoded, other);
    }
  }

  private Der() {}

  /** Reads the one element that {@code bytes} must consist of. */
  static Element read(byte[] bytes) throws MalformedException {
    List<Element> all = readAll(bytes);
    if (all.size() != 1) {
      throw new MalformedException("expected one DER element, found " + all.size());
    }
    return all.get(0);
  }

  /** Reads consecutive elements until the end of {@code bytes}. */
  static List<Element> readAll(byte[] bytes) throws MalformedException {
    List<Element> elements = new ArrayList<>();
    int pos = 0;
    while (pos < bytes.length) {
      int start = pos;
      int tag = bytes[pos++] & 0xff;
      if ((tag & 0x1f) == 0x1f) {
        throw new MalformedException("multi-byte DER tags are not used in keys");
      }
      if (pos >= bytes.length) {
        throw new MalformedException("DER element cut off after its tag");
      }
      int first = bytes[pos++] & 0xff;
      long length;
      if (first < 0x80) {
        length = first;
      } else {
        int count = first & 0x7f;
        if (count == 0 || count > 4 || pos + count > bytes.length) {
          throw new MalformedException("DER length is indefinite, too long or cut off");
        }
        length = 0;
        for (int i = 0; i < count; i++) {
          length = (length << 8) | (bytes[pos++] & 0xff);
        }
      }
      if (length > bytes.length - pos) {
        throw new MalformedException("DER element longer than the data (" + length + " bytes)");
      }
      int end = pos + (int) length;
      elements.add(new Element(tag, Arrays.copyOfRange(bytes, start, end), pos - start));
      pos = end;
    }
    return elements;
  }

  /** Encodes one element: the tag, the length in DER's shortest form, then the contents. */
  static byte[] write(int tag, byte[]... contents) {
    int length = 0;
    for (byte[] part : contents) {
      length += part.length;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(length + 6);
    out.write(tag);
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(length >>> (8 * i));
      }
    }
    for (byte[] part : contents) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** Encodes an object identifier given in dotted form, e.g. {@code 1.2.840.10045.2.1}. */
  static byte[] oid(String dotted) {
    String[] arcs = dotted.split("\\.");
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    writeArc(body, Long.parseLong(arcs[0]) * 40 + Long.parseLong(arcs[1]));
    for (int i = 2; i < arcs.length; i++) {
      writeArc(body, Long.parseLong(arcs[i]));
    }
    return write(OID, body.toByteArray());
  }

  /** Returns the dotted form of an encoded object identifier element, for messages. */
  static String dotted(Element oid) {
    byte[] body = oid.contents();
    StringBuilder out = new StringBuilder();
    long arc = 0;
    boolean first = true;
    for (byte b : body) {
      arc = (arc << 7) | (b & 0x7f);
      if ((b & 0x80) == 0) {
        if (first) {
          long top = Math.min(arc / 40, 2);
          out.append(top).append('.').append(arc - top * 40);
          first = false;
        } else {
          out.append('.').append(arc);
        }
        arc = 0;
      }
    }
    return out.toString();
  }

  private static void writeArc(ByteArrayOutputStream out, long arc) {
    int groups = Math.max(1, (64 - Long.numberOfLeadingZeros(arc) + 6) / 7);
    for (int i = groups - 1; i >= 0; i--) {
      int group = (int) ((arc >>> (7 * i)) & 0x7f);
      out.write(i == 0 ? group : group | 0x80);
    }
  }
}
