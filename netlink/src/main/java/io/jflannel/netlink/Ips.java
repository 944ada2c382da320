package io.jflannel.netlink;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Parses IP literals without ever asking DNS, and tells families apart. */
public final class Ips {
  private Ips() {}

  /**
   * Parses {@code "10.0.0.1"} or {@code "fd00::1"}.
   *
   * @throws IllegalArgumentException if {@code s} is not an IPv4 or IPv6 literal
   */
  public static InetAddress parse(String s) {
    if (s == null || s.isEmpty()) {
      throw new IllegalArgumentException("empty IP address");
    }
    if (s.indexOf(':') < 0) {
      String[] parts = s.split("\\.", -1);
      if (parts.length != 4) {
        throw new IllegalArgumentException("not an IP address: " + s);
      }
      byte[] b = new byte[4];
      for (int i = 0; i < 4; i++) {
        String p = parts[i];
        if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
          throw new IllegalArgumentException("not an IP address: " + s);
        }
        int v = Integer.parseInt(p);
        if (v > 255) {
          throw new IllegalArgumentException("not an IP address: " + s);
        }
        b[i] = (byte) v;
      }
      return of(b);
    }
    // InetAddress parses a literal without asking DNS only when it starts with a hex digit or ':'
    char first = s.charAt(0);
    if (!(isHex(first) || first == ':')
        || !s.chars().allMatch(c -> isHex((char) c) || c == ':' || c == '.')) {
      throw new IllegalArgumentException("not an IP address: " + s);
    }
    InetAddress a;
    try {
      a = InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + s, e);
    }
    if (a instanceof Inet4Address) { // ::ffff:a.b.c.d, which Java turns into IPv4
      byte[] mapped = new byte[16];
      mapped[10] = (byte) 0xff;
      mapped[11] = (byte) 0xff;
      System.arraycopy(a.getAddress(), 0, mapped, 12, 4);
      return of(mapped);
    }
    return a;
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /**
   * An address from its 4 or 16 raw bytes; 16 bytes always give an IPv6 address, also for
   * IPv4-mapped ones (which {@link InetAddress#getByAddress(byte[])} would turn into IPv4).
   */
  public static InetAddress of(byte[] raw) {
    try {
      return raw.length == 16
          ? Inet6Address.getByAddress(null, raw, -1)
          : InetAddress.getByAddress(raw);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("IP address of " + raw.length + " bytes", e);
    }
  }

  /** {@code AF_INET} or {@code AF_INET6}. */
  public static int family(InetAddress a) {
    return a instanceof Inet4Address ? 2 : 10;
  }

  /** The textual form without a host name: {@code "10.0.0.1"}, {@code "fd00::1"}. */
  public static String format(InetAddress a) {
    if (a == null) {
      return "-";
    }
    String s = a.getHostAddress();
    if (a instanceof Inet4Address) {
      return s;
    }
    int pct = s.indexOf('%');
    return compress(pct < 0 ? s : s.substring(0, pct));
  }

  /** Compresses Java's full IPv6 form ({@code fd00:0:0:0:0:0:0:1}) to {@code fd00::1}. */
  private static String compress(String full) {
    String[] g = full.split(":");
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < g.length; ) {
      if (g[i].equals("0")) {
        int j = i;
        while (j < g.length && g[j].equals("0")) {
          j++;
        }
        if (j - i > bestLen && j - i > 1) {
          bestStart = i;
          bestLen = j - i;
        }
        i = j;
      } else {
        i++;
      }
    }
    if (bestStart < 0) {
      return full;
    }
    String head = String.join(":", java.util.Arrays.copyOfRange(g, 0, bestStart));
    String tail = String.join(":", java.util.Arrays.copyOfRange(g, bestStart + bestLen, g.length));
    return head + "::" + tail;
  }
}
