package io.jflannel.daemon.traffic;

/**
 * The two address families of the traffic rules, each with its own iptables binaries and its own
 * multicast range (which the masquerade rule leaves alone).
 */
public enum IpFamily {
  IPV4("iptables-restore", "iptables-save", "224.0.0.0/4"),
  IPV6("ip6tables-restore", "ip6tables-save", "ff00::/8");

  private final String restoreBinary;
  private final String saveBinary;
  private final String multicast;

  IpFamily(String restoreBinary, String saveBinary, String multicast) {
    this.restoreBinary = restoreBinary;
    this.saveBinary = saveBinary;
    this.multicast = multicast;
  }

  /** {@code iptables-restore} or {@code ip6tables-restore}. */
  public String restoreBinary() {
    return restoreBinary;
  }

  /** {@code iptables-save} or {@code ip6tables-save}. */
  public String saveBinary() {
    return saveBinary;
  }

  /** The multicast range: {@code 224.0.0.0/4} or {@code ff00::/8}. */
  public String multicast() {
    return multicast;
  }

  @Override
  public String toString() {
    return this == IPV4 ? "IPv4" : "IPv6";
  }
}
