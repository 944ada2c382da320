package io.jflannel.e2e;

import java.math.BigInteger;

/**
 * IPv6 arithmetic on text addresses, just enough for the harness's addressing plan; addresses are
 * written as iproute2 and Go print them (RFC 5952: lower case, no leading zeros, the longest run of
 * two or more zero groups as {@code ::}, the first of equal runs).
 */
final class Ip6 {
  private static final BigInteger ALL = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

  private Ip6() {}

  /** Whether {@code text} (an address or a prefix) is IPv6. */
  static boolean is(String text) {
    return text.indexOf(':') >= 0;
  }

  static BigInteger parse(String text) {
    String[] halves = text.split("::", -1);
    if (halves.length > 2) {
      throw new IllegalArgumentException("not an IPv6 address: " + text);
    }
    int[] head = groups(halves[0], text);
    int[] tail = halves.length == 2 ? groups(halves[1], text) : new int[0];
    if (halves.length == 1 ? head.length != 8 : head.length + tail.length > 7) {
      throw new IllegalArgumentException("not an IPv6 address: " + text);
    }
    int[] all = new int[8];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(tail, 0, all, 8 - tail.length, tail.length);
    BigInteger v = BigInteger.ZERO;
    for (int g : all) {
      v = v.shiftLeft(16).or(BigInteger.valueOf(g));
    }
    return v;
  }

  private static int[] groups(String part, String text) {
    if (part.isEmpty()) {
      return new int[0];
    }
    String[] s = part.split(":", -1);
    int[] out = new int[s.length];
    for (int i = 0; i < s.length; i++) {
      if (s[i].isEmpty() || s[i].length() > 4) {
        throw new IllegalArgumentException("not an IPv6 address: " + text);
      }
      out[i] = Integer.parseInt(s[i], 16);
    }
    return out;
  }

  static String format(BigInteger value) {
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = value.shiftRight(16 * (7 - i)).intValue() & 0xffff;
    }
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    if (bestLen < 2) {
      bestStart = -1;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLen - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(g[i]));
    }
    return out.toString();
  }

  private static BigInteger mask(int len) {
    return len == 0 ? BigInteger.ZERO : ALL.shiftRight(128 - len).shiftLeft(128 - len);
  }

  /** {@code fd10:0:0:3::1/64} → {@code fd10:0:0:3::/64}. */
  static String network(String cidr) {
    int slash = cidr.indexOf('/');
    int len = Integer.parseInt(cidr.substring(slash + 1));
    return format(parse(cidr.substring(0, slash)).and(mask(len))) + "/" + len;
  }

  /**
   * The address of {@code cidr} plus {@code n}, without the prefix length: ({@code
   * fd10:0:0:3::/64}, 2) → {@code fd10:0:0:3::2}.
   */
  static String plus(String cidr, int n) {
    return format(parse(address(cidr)).add(BigInteger.valueOf(n)));
  }

  /** {@code fd10:0:0:3::/64} → {@code fd10:0:0:3::}. */
  static String address(String cidr) {
    int slash = cidr.indexOf('/');
    return slash < 0 ? cidr : cidr.substring(0, slash);
  }

  /** Whether {@code ip} (an IPv6 address) lies inside {@code cidr}. */
  static boolean contains(String cidr, String ip) {
    int slash = cidr.indexOf('/');
    BigInteger m = mask(Integer.parseInt(cidr.substring(slash + 1)));
    return parse(cidr.substring(0, slash)).and(m).equals(parse(ip).and(m));
  }

  /** Whether {@code inner} (a prefix) lies inside {@code outer}. */
  static boolean containsPrefix(String outer, String inner) {
    int outerLen = Integer.parseInt(outer.substring(outer.indexOf('/') + 1));
    int innerLen = Integer.parseInt(inner.substring(inner.indexOf('/') + 1));
    return innerLen >= outerLen && contains(outer, address(inner));
  }
}
