package io.jflannel.core.lease;

import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6Net;

/**
 * The identity of a lease: the subnets it claims. Two leases with the same key are two states of
 * one node's claim (the later wins); the subnet managers coalesce events by it, the backends keep
 * their per-peer state by it, and the etcd key name is its text form ({@code 10.244.3.0-24} or
 * {@code 10.244.3.0-24&fc00::-64}, written by the etcd manager).
 *
 * <p>Immutable and thread-safe.
 *
 * @param subnet the IPv4 subnet; null for an IPv6-only lease
 * @param ipv6Subnet the IPv6 subnet; null for an IPv4-only lease
 */
public record LeaseKey(Ip4Net subnet, Ip6Net ipv6Subnet) {

  /**
   * Checks that the key names a subnet.
   *
   * @throws IllegalArgumentException if both subnets are null
   */
  public LeaseKey {
    if (subnet == null && ipv6Subnet == null) {
      throw new IllegalArgumentException("a lease key needs an IPv4 or an IPv6 subnet");
    }
  }

  /** Returns the key of {@code lease}. */
  public static LeaseKey of(Lease lease) {
    return new LeaseKey(lease.subnet(), lease.ipv6Subnet());
  }

  /** Returns true if {@code lease} claims exactly these subnets. */
  public boolean matches(Lease lease) {
    return java.util.Objects.equals(subnet, lease.subnet())
        && java.util.Objects.equals(ipv6Subnet, lease.ipv6Subnet());
  }

  /**
   * Returns the subnets for log lines, e.g. {@code 10.244.3.0/24}, {@code fc00::/64} or {@code
   * 10.244.3.0/24+fc00::/64}.
   */
  @Override
  public String toString() {
    if (ipv6Subnet == null) {
      return subnet.toString();
    }
    return subnet == null ? ipv6Subnet.toString() : subnet + "+" + ipv6Subnet;
  }
}
