package io.jflannel.e2e;

/** IPv4 arithmetic on dotted-quad strings, just enough for the harness's addressing plan. */
final class Ip4 {
  private Ip4() {}

  static int parse(String dotted) {
    String[] parts = dotted.split("\\.");
    if (parts.length != 4) {
      throw new IllegalArgumentException("not an IPv4 address: " + dotted);
    }
    int value = 0;
    for (String part : parts) {
      int octet = Integer.parseInt(part);
      if (octet < 0 || octet > 255) {
        throw new IllegalArgumentException("not an IPv4 address: " + dotted);
      }
      value = (value << 8) | octet;
    }
    return value;
  }

  static String format(int value) {
    return (value >>> 24)
        + "."
        + ((value >>> 16) & 0xff)
        + "."
        + ((value >>> 8) & 0xff)
        + "."
        + (value & 0xff);
  }

  /** {@code 10.244.3.1/24} → {@code 10.244.3.0/24}. */
  static String network(String cidr) {
    int slash = cidr.indexOf('/');
    int len = Integer.parseInt(cidr.substring(slash + 1));
    int mask = len == 0 ? 0 : -1 << (32 - len);
    return format(parse(cidr.substring(0, slash)) & mask) + "/" + len;
  }

  /**
   * The address of {@code cidr} plus {@code n}, without the prefix length: ({@code 10.244.3.0/24},
   * 2) → {@code 10.244.3.2}.
   */
  static String plus(String cidr, int n) {
    int slash = cidr.indexOf('/');
    String ip = slash < 0 ? cidr : cidr.substring(0, slash);
    return format(parse(ip) + n);
  }

  /** {@code 10.244.3.0/24} → {@code 10.244.3.0}. */
  static String address(String cidr) {
    int slash = cidr.indexOf('/');
    return slash < 0 ? cidr : cidr.substring(0, slash);
  }

  /** Whether {@code ip} lies inside {@code cidr}. */
  static boolean contains(String cidr, String ip) {
    int slash = cidr.indexOf('/');
    int len = Integer.parseInt(cidr.substring(slash + 1));
    int mask = len == 0 ? 0 : -1 << (32 - len);
    return (parse(cidr.substring(0, slash)) & mask) == (parse(ip) & mask);
  }
}
