package io.jflannel.netlink;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * An IP address with a prefix length, as the kernel's route and address messages carry them ({@code
 * 10.244.1.0/24}). Host bits are kept as given (an interface address is one).
 */
public record IpPrefix(InetAddress address, int length) {
  public IpPrefix {
    int max = address instanceof Inet4Address ? 32 : 128;
    if (length < 0 || length > max) {
      throw new IllegalArgumentException("prefix length " + length + " for " + address);
    }
  }

  /** Parses {@code "10.0.0.0/24"}; a bare address gets the full length. */
  public static IpPrefix parse(String s) {
    int slash = s.indexOf('/');
    InetAddress a = Ips.parse(slash < 0 ? s : s.substring(0, slash));
    int max = a instanceof Inet4Address ? 32 : 128;
    int len;
    try {
      len = slash < 0 ? max : Integer.parseInt(s.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad prefix length in " + s, e);
    }
    return new IpPrefix(a, len);
  }

  /** From the raw 4 or 16 address bytes and a length. */
  public static IpPrefix of(byte[] address, int length) {
    return new IpPrefix(Ips.of(address), length);
  }

  /** The host prefix ({@code /32} or {@code /128}) of one address. */
  public static IpPrefix host(InetAddress a) {
    return new IpPrefix(a, a instanceof Inet4Address ? 32 : 128);
  }

  /** {@code AF_INET} or {@code AF_INET6}. */
  public int family() {
    return Ips.family(address);
  }

  @Override
  public String toString() {
    return Ips.format(address) + "/" + length;
  }
}
