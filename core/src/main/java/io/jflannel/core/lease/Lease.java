package io.jflannel.core.lease;

import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6Net;
import java.time.Instant;
import java.util.Objects;

/**
 * A node's claim on its pod subnet(s), as held by the subnet manager: the subnets, what the node
 * advertises with them, and until when the claim holds.
 *
 * <p>A lease is identified by its subnets ({@link #sameSubnets}); two leases with the same subnets
 * are two states of the same node's claim, the later one wins. In kube mode the subnets come from
 * the Node's {@code spec.podCIDRs}; in etcd mode from the key {@code
 * <prefix>/subnets/10.244.3.0-24} (dual-stack: {@code 10.244.3.0-24&fc00::-64}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param subnet the node's IPv4 pod subnet, e.g. {@code 10.244.3.0/24}; null for an IPv6-only lease
 * @param ipv6Subnet the node's IPv6 pod subnet; null when the lease has no IPv6 part
 * @param attrs what the node advertises with its subnets
 * @param expiration when the claim lapses unless renewed (etcd: key TTL; kube: acquisition + 24 h,
 *     never renewed, as upstream); null for a claim that never lapses (an etcd reservation)
 * @param revision the etcd revision at which this state was read, for resuming a watch; 0 in kube
 *     mode
 */
public record Lease(
    Ip4Net subnet, Ip6Net ipv6Subnet, LeaseAttrs attrs, Instant expiration, long revision) {

  /**
   * Checks that the lease has a subnet and attributes.
   *
   * @throws IllegalArgumentException if both subnets are null or the revision is negative
   * @throws NullPointerException if {@code attrs} is null
   */
  public Lease {
    if (subnet == null && ipv6Subnet == null) {
      throw new IllegalArgumentException("a lease needs an IPv4 or an IPv6 subnet");
    }
    Objects.requireNonNull(attrs, "attrs");
    if (revision < 0) {
      throw new IllegalArgumentException("revision must not be negative, got " + revision);
    }
  }

  /** Returns true if {@code other} claims exactly the same subnets, i.e. is the same claim. */
  public boolean sameSubnets(Lease other) {
    return Objects.equals(subnet, other.subnet) && Objects.equals(ipv6Subnet, other.ipv6Subnet);
  }

  /** Returns the lease's identity, its subnets. */
  public LeaseKey key() {
    return new LeaseKey(subnet, ipv6Subnet);
  }

  /**
   * Returns the subnets for log lines, e.g. {@code 10.244.3.0/24} or {@code
   * 10.244.3.0/24+fc00::/64}.
   */
  public String subnets() {
    return key().toString();
  }
}
