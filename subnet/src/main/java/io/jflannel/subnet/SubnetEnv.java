package io.jflannel.subnet;

import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.lease.Lease;

/**
 * The contents of subnet.env: what the flannel CNI plugin needs to configure pods on this node (the
 * cluster networks, this node's subnets, the MTU, whether flanneld masquerades), and what the next
 * start of the daemon reads back as the previous lease.
 *
 * <p>A family is present exactly when both its network and its subnet are; at least one family is.
 * The subnets are the lease subnets (network addresses, e.g. {@code 10.244.1.0/24}); the file
 * carries their first usable address ({@code FLANNEL_SUBNET=10.244.1.1/24}), as upstream writes it.
 *
 * <p>Immutable and thread-safe.
 *
 * @param network the cluster's IPv4 network ({@code FLANNEL_NETWORK}); null without IPv4
 * @param subnet this node's IPv4 lease subnet ({@code FLANNEL_SUBNET}); null without IPv4
 * @param ipv6Network the cluster's IPv6 network ({@code FLANNEL_IPV6_NETWORK}); null without IPv6
 * @param ipv6Subnet this node's IPv6 lease subnet ({@code FLANNEL_IPV6_SUBNET}); null without IPv6
 * @param mtu the MTU pods must use ({@code FLANNEL_MTU})
 * @param ipMasq whether flanneld installs masquerade rules, {@code --ip-masq} ({@code
 *     FLANNEL_IPMASQ})
 */
public record SubnetEnv(
    Ip4Net network, Ip4Net subnet, Ip6Net ipv6Network, Ip6Net ipv6Subnet, int mtu, boolean ipMasq) {

  /**
   * Checks the invariants above.
   *
   * @throws IllegalArgumentException if a family is half present, none is present, a subnet has no
   *     usable address (a /32 or /128) or the MTU is not positive
   */
  public SubnetEnv {
    if ((network == null) != (subnet == null)) {
      throw new IllegalArgumentException(
          "FLANNEL_NETWORK and FLANNEL_SUBNET must be both present or both absent");
    }
    if ((ipv6Network == null) != (ipv6Subnet == null)) {
      throw new IllegalArgumentException(
          "FLANNEL_IPV6_NETWORK and FLANNEL_IPV6_SUBNET must be both present or both absent");
    }
    if (network == null && ipv6Network == null) {
      throw new IllegalArgumentException("neither an IPv4 nor an IPv6 network is present");
    }
    if (subnet != null && subnet.prefixLength() == 32) {
      throw new IllegalArgumentException("FLANNEL_SUBNET " + subnet + " has no usable address");
    }
    if (ipv6Subnet != null && ipv6Subnet.prefixLength() == 128) {
      throw new IllegalArgumentException(
          "FLANNEL_IPV6_SUBNET " + ipv6Subnet + " has no usable address");
    }
    if (mtu <= 0) {
      throw new IllegalArgumentException("FLANNEL_MTU must be positive, got " + mtu);
    }
  }

  /**
   * Returns the contents for this node: the families the config enables, with the lease's subnets.
   *
   * @throws IllegalArgumentException if the lease lacks a subnet of an enabled family
   */
  public static SubnetEnv of(NetworkConfig config, Lease lease, int mtu, boolean ipMasq) {
    if (config.enableIPv4() && lease.subnet() == null) {
      throw new IllegalArgumentException(
          "IPv4 is enabled but lease " + lease.subnets() + " has no IPv4 subnet");
    }
    if (config.enableIPv6() && lease.ipv6Subnet() == null) {
      throw new IllegalArgumentException(
          "IPv6 is enabled but lease " + lease.subnets() + " has no IPv6 subnet");
    }
    return new SubnetEnv(
        config.enableIPv4() ? config.network() : null,
        config.enableIPv4() ? lease.subnet() : null,
        config.enableIPv6() ? config.ipv6Network() : null,
        config.enableIPv6() ? lease.ipv6Subnet() : null,
        mtu,
        ipMasq);
  }
}
