package io.jflannel.e2e;

/** An address family of the overlay, with what the harness needs to ping over it. */
enum Family {
  V4("-4", 28),
  V6("-6", 48);

  private final String pingFlag;
  private final int headers;

  Family(String pingFlag, int headers) {
    this.pingFlag = pingFlag;
    this.headers = headers;
  }

  /** {@code -4} or {@code -6}, for ping. */
  String pingFlag() {
    return pingFlag;
  }

  /**
   * The IP and ICMP headers around a ping's payload (IPv4 20 + 8, IPv6 40 + 8): {@code ping -s <mtu
   * - headers>} sends a packet of exactly {@code mtu} bytes.
   */
  int headers() {
    return headers;
  }

  /** The address of {@code host}'s pod in this family, or null if it has none. */
  String podIp(Host host) {
    return this == V4 ? host.podIp() : host.podIp6();
  }

  @Override
  public String toString() {
    return this == V4 ? "IPv4" : "IPv6";
  }
}
