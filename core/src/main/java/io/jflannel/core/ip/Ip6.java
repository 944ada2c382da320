package io.jflannel.core.ip;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.math.BigInteger;

/**
 * An IPv6 address, held as its 128 bits in two {@code long}s (most significant half first).
 *
 * <p>Parsing is purely textual (no DNS, no zone suffixes such as {@code %eth0}) and accepts every
 * RFC 4291 text form: full, {@code ::}-compressed and with an embedded dotted quad in the last 32
 * bits. {@link #toString()} prints the RFC 5952 form that Go's {@code net.IP.String()} prints and
 * that upstream flannel writes to subnet.env, etcd and node annotations: lower-case hex, no leading
 * zeros, the longest run of two or more zero groups (the first, on a tie) replaced by {@code ::}.
 * One deliberate difference: Go prints an IPv4-mapped address ({@code ::ffff:a.b.c.d}) as the bare
 * dotted quad; this class prints {@code ::ffff:a.b.c.d} so that the text parses back as IPv6.
 *
 * <p>Instances are immutable and thread-safe; ordering is unsigned.
 *
 * @param high the first 64 bits of the address
 * @param low the last 64 bits of the address
 */
public record Ip6(long high, long low) implements Comparable<Ip6> {

  /** {@code ::}, which upstream flannel uses to mean "no address". */
  public static final Ip6 ANY = new Ip6(0, 0);

  /**
   * Parses an IPv6 address such as {@code "2001:cafe:42::1"}.
   *
   * @throws IllegalArgumentException if {@code text} is not an IPv6 address
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Ip6 parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("IPv6 address is missing");
    }
    int[] groups = new int[8];
    int count = 0;
    int compressAt = -1;
    int i = 0;
    int n = text.length();
    if (text.startsWith("::")) {
      compressAt = 0;
      i = 2;
      if (i == n) {
        return ANY;
      }
    } else if (text.startsWith(":")) {
      throw invalid(text);
    }
    while (i < n) {
      if (count == 8) {
        throw invalid(text);
      }
      int start = i;
      int group = 0;
      while (i < n && i - start < 5 && Character.digit(text.charAt(i), 16) >= 0) {
        group = (group << 4) | Character.digit(text.charAt(i), 16);
        i++;
      }
      if (i < n && text.charAt(i) == '.') {
        count = embeddedIp4(text, start, groups, count); // it fills the last two groups
        break;
      }
      int digits = i - start;
      if (digits == 0 || digits > 4 || !isAsciiHex(text, start, i)) {
        throw invalid(text);
      }
      groups[count++] = group;
      if (i == n) {
        break;
      }
      if (text.charAt(i) != ':') {
        throw invalid(text);
      }
      i++;
      if (i < n && text.charAt(i) == ':') {
        if (compressAt >= 0) {
          throw invalid(text);
        }
        compressAt = count;
        i++;
      } else if (i == n) {
        throw invalid(text); // a trailing single colon
      }
    }
    return fromGroups(text, groups, count, compressAt);
  }

  /**
   * Stores the embedded IPv4 address, the rest of {@code text} from {@code start}, as the two
   * groups after the {@code count} read so far, and returns the new count.
   */
  private static int embeddedIp4(String text, int start, int[] groups, int count) {
    if (count > 6) {
      throw invalid(text);
    }
    int v4;
    try {
      v4 = Ip4.parseInt(text.substring(start));
    } catch (IllegalArgumentException e) {
      throw invalid(text);
    }
    groups[count] = v4 >>> 16;
    groups[count + 1] = v4 & 0xffff;
    return count + 2;
  }

  /**
   * Returns the address of the {@code count} groups read from {@code text}, expanding the {@code
   * ::} before group {@code compressAt} (none if negative) to the zero groups that make eight.
   */
  private static Ip6 fromGroups(String text, int[] groups, int count, int compressAt) {
    if (compressAt >= 0) {
      if (count > 7) {
        throw invalid(text);
      }
      int shift = 8 - count;
      for (int k = count - 1; k >= compressAt; k--) {
        groups[k + shift] = groups[k];
      }
      for (int k = compressAt; k < compressAt + shift; k++) {
        groups[k] = 0;
      }
    } else if (count != 8) {
      throw invalid(text);
    }
    long high = 0;
    long low = 0;
    for (int k = 0; k < 4; k++) {
      high = (high << 16) | groups[k];
      low = (low << 16) | groups[k + 4];
    }
    return new Ip6(high, low);
  }

  /**
   * Returns the address held in 16 bytes in network order.
   *
   * @throws IllegalArgumentException if {@code bytes} is not 16 bytes long
   */
  public static Ip6 fromBytes(byte[] bytes) {
    if (bytes.length != 16) {
      throw new IllegalArgumentException(
          "an IPv6 address is 16 bytes, got " + bytes.length + " bytes");
    }
    long high = 0;
    long low = 0;
    for (int k = 0; k < 8; k++) {
      high = (high << 8) | (bytes[k] & 0xff);
      low = (low << 8) | (bytes[k + 8] & 0xff);
    }
    return new Ip6(high, low);
  }

  /** Returns the address held in the low 128 bits of a non-negative {@code BigInteger}. */
  public static Ip6 fromBigInteger(BigInteger value) {
    if (value.signum() < 0 || value.bitLength() > 128) {
      throw new IllegalArgumentException(value + " does not fit in 128 unsigned bits");
    }
    return new Ip6(value.shiftRight(64).longValue(), value.longValue());
  }

  /** Returns the 16 bytes of this address in network order. */
  public byte[] toBytes() {
    byte[] bytes = new byte[16];
    for (int k = 0; k < 8; k++) {
      bytes[k] = (byte) (high >>> (56 - 8 * k));
      bytes[k + 8] = (byte) (low >>> (56 - 8 * k));
    }
    return bytes;
  }

  /** Returns the address as a non-negative number. */
  public BigInteger toBigInteger() {
    return new BigInteger(1, toBytes());
  }

  /** Returns true for {@code ::}. */
  public boolean isAny() {
    return high == 0 && low == 0;
  }

  @Override
  public int compareTo(Ip6 other) {
    int c = Long.compareUnsigned(high, other.high);
    return c != 0 ? c : Long.compareUnsigned(low, other.low);
  }

  /** Returns the RFC 5952 text, e.g. {@code "2001:cafe:42::1"}; this is also the JSON form. */
  @JsonValue
  @Override
  public String toString() {
    int[] groups = new int[8];
    for (int k = 0; k < 4; k++) {
      groups[k] = (int) (high >>> (48 - 16 * k)) & 0xffff;
      groups[k + 4] = (int) (low >>> (48 - 16 * k)) & 0xffff;
    }
    if (high == 0 && (low >>> 32) == 0xffffL) {
      return "::ffff:" + Ip4.format((int) low);
    }
    int bestStart = -1;
    int bestLength = 1; // a single zero group is never compressed
    for (int k = 0; k < 8; ) {
      if (groups[k] != 0) {
        k++;
        continue;
      }
      int start = k;
      while (k < 8 && groups[k] == 0) {
        k++;
      }
      if (k - start > bestLength) {
        bestStart = start;
        bestLength = k - start;
      }
    }
    StringBuilder out = new StringBuilder(39);
    for (int k = 0; k < 8; k++) {
      if (k == bestStart) {
        out.append("::");
        k += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[k]));
    }
    return out.toString();
  }

  private static boolean isAsciiHex(String text, int from, int to) {
    for (int k = from; k < to; k++) {
      char c = text.charAt(k);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return true;
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "\"" + Texts.printable(text) + "\" is not an IPv6 address like 2001:db8::1");
  }
}
