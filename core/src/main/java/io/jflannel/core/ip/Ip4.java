package io.jflannel.core.ip;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * An IPv4 address, held as the 32 bits of the address in an {@code int} (network byte order read as
 * a big-endian number, so {@code 10.0.0.1} is {@code 0x0A000001}).
 *
 * <p>Parsing is purely textual: {@link #parse} accepts only a dotted quad and never resolves host
 * names, so it cannot block on DNS the way {@code InetAddress.getByName} can. Like Go's {@code
 * net.ParseIP} since Go 1.17 it rejects octets with leading zeros ({@code 010.0.0.1}), which older
 * parsers read as octal. In JSON an address is the string {@code "10.1.2.3"}, as in upstream
 * flannel.
 *
 * <p>Instances are immutable and thread-safe. Ordering is unsigned ({@code 128.0.0.0} sorts after
 * {@code 127.255.255.255}).
 *
 * @param value the address bits, most significant octet first
 */
public record Ip4(int value) implements Comparable<Ip4> {

  /** {@code 0.0.0.0}, which upstream flannel uses to mean "no address". */
  public static final Ip4 ANY = new Ip4(0);

  /**
   * Parses a dotted-quad IPv4 address such as {@code "10.244.0.1"}.
   *
   * @throws IllegalArgumentException if {@code text} is not exactly four decimal octets 0–255
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Ip4 parse(String text) {
    return new Ip4(parseInt(text));
  }

  /**
   * Parses a dotted-quad IPv4 address into its 32 bits.
   *
   * @throws IllegalArgumentException if {@code text} is not exactly four decimal octets 0–255
   */
  public static int parseInt(String text) {
    if (text == null) {
      throw new IllegalArgumentException("IPv4 address is missing");
    }
    return parseInt(text, 0, text.length());
  }

  /**
   * As {@link #parseInt(String)}, for the characters {@code from} (inclusive) to {@code to}
   * (exclusive) of {@code text}, without copying them out.
   *
   * @throws IllegalArgumentException if they are not exactly four decimal octets 0–255
   */
  public static int parseInt(String text, int from, int to) {
    int result = 0;
    int octets = 0;
    int i = from;
    while (true) {
      int start = i;
      int octet = 0;
      while (i < to && i - start < 4 && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
        octet = octet * 10 + (text.charAt(i) - '0');
        i++;
      }
      int digits = i - start;
      if (digits == 0 || digits > 3 || octet > 255 || (digits > 1 && text.charAt(start) == '0')) {
        throw invalid(text.substring(from, to));
      }
      result = (result << 8) | octet;
      octets++;
      if (octets == 4) {
        if (i != to) {
          throw invalid(text.substring(from, to));
        }
        return result;
      }
      if (i >= to || text.charAt(i) != '.') {
        throw invalid(text.substring(from, to));
      }
      i++;
    }
  }

  /** Formats 32 address bits as a dotted quad, e.g. {@code 0x0AF40001} as {@code "10.244.0.1"}. */
  public static String format(int value) {
    return (value >>> 24)
        + "."
        + ((value >>> 16) & 0xff)
        + "."
        + ((value >>> 8) & 0xff)
        + "."
        + (value & 0xff);
  }

  /**
   * Returns the address held in 4 bytes in network order.
   *
   * @throws IllegalArgumentException if {@code bytes} is not 4 bytes long
   */
  public static Ip4 fromBytes(byte[] bytes) {
    if (bytes.length != 4) {
      throw new IllegalArgumentException(
          "an IPv4 address is 4 bytes, got " + bytes.length + " bytes");
    }
    return new Ip4(
        ((bytes[0] & 0xff) << 24)
            | ((bytes[1] & 0xff) << 16)
            | ((bytes[2] & 0xff) << 8)
            | (bytes[3] & 0xff));
  }

  /** Returns the 4 bytes of this address in network order. */
  public byte[] toBytes() {
    return new byte[] {
      (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value
    };
  }

  /** Returns true for {@code 0.0.0.0}. */
  public boolean isAny() {
    return value == 0;
  }

  @Override
  public int compareTo(Ip4 other) {
    return Integer.compareUnsigned(value, other.value);
  }

  /** Returns the dotted quad, e.g. {@code "10.244.0.1"}; this is also the JSON form. */
  @JsonValue
  @Override
  public String toString() {
    return format(value);
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "\"" + Texts.printable(text) + "\" is not an IPv4 address like 10.244.0.1");
  }
}
