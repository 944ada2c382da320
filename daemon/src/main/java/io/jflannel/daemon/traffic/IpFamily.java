package io.jflannel.daemon.traffic;

import io.jflannel.subnet.SubnetEnv;

/**
 * The two address families of the traffic rules, each with its own iptables binaries, its own
 * nftables table and its own multicast range (which the masquerade rule leaves alone).
 */
public enum IpFamily {
  IPV4("iptables-restore", "iptables-save", "224.0.0.0/4", "ip", "flannel-ipv4"),
  IPV6("ip6tables-restore", "ip6tables-save", "ff00::/8", "ip6", "flannel-ipv6");

  private final String restoreBinary;
  private final String saveBinary;
  private final String multicast;
  private final String nftFamily;
  private final String nftTable;

  IpFamily(
      String restoreBinary,
      String saveBinary,
      String multicast,
      String nftFamily,
      String nftTable) {
    this.restoreBinary = restoreBinary;
    this.saveBinary = saveBinary;
    this.multicast = multicast;
    this.nftFamily = nftFamily;
    this.nftTable = nftTable;
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

  /**
   * The nftables family of the table, which is also the keyword of address matches: {@code ip} or
   * {@code ip6}.
   */
  public String nftFamily() {
    return nftFamily;
  }

  /**
   * The name of flannel's nftables table: upstream's {@code flannel-ipv4} or {@code flannel-ipv6}.
   */
  public String nftTable() {
    return nftTable;
  }

  /** The network of this family in {@code env} ({@code 10.244.0.0/16}), or null if it has none. */
  String network(SubnetEnv env) {
    Object n = this == IPV4 ? env.network() : env.ipv6Network();
    return n == null ? null : n.toString();
  }

  /** This node's subnet of this family in {@code env} ({@code 10.244.1.0/24}), or null. */
  String subnet(SubnetEnv env) {
    Object n = this == IPV4 ? env.subnet() : env.ipv6Subnet();
    return n == null ? null : n.toString();
  }

  @Override
  public String toString() {
    return this == IPV4 ? "IPv4" : "IPv6";
  }
}
