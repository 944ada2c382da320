package io.jflannel.core.subnet;

import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.lease.LeaseAttrs;
import java.util.Optional;

/**
 * What the lease store kept about this node before this start, read once before the interface is
 * chosen and the backend prepares its device.
 *
 * <p>The daemon uses the pinned addresses as {@code --public-ip} / {@code --public-ipv6} when those
 * flags are not given, and hands {@link #previousAttrs} to the backend unread: backend data is
 * opaque outside its backend, which may take identities peers already know from it (the vxlan
 * device's MAC after a reboot, upstream issue #1795).
 *
 * <p>Immutable and thread-safe.
 *
 * @param pinnedPublicIp the IPv4 address an operator pinned for this node (kube: the {@code
 *     node-public-ip} annotation), or null
 * @param pinnedPublicIpv6 the IPv6 address pinned for this node (kube: {@code node-public-ipv6}),
 *     or null
 * @param previousAttrs what this node advertised last time, as the store kept it (kube: its
 *     annotations), or null when the store keeps nothing before acquisition (etcd) or the node
 *     never ran flannel
 */
public record NodeRecord(Ip4 pinnedPublicIp, Ip6 pinnedPublicIpv6, LeaseAttrs previousAttrs) {

  /** A store that keeps nothing about this node before it acquires a lease. */
  public static final NodeRecord EMPTY = new NodeRecord(null, null, null);

  /** The pinned IPv4 address, if any. */
  public Optional<Ip4> pinnedIp() {
    return Optional.ofNullable(pinnedPublicIp);
  }

  /** The pinned IPv6 address, if any. */
  public Optional<Ip6> pinnedIpv6() {
    return Optional.ofNullable(pinnedPublicIpv6);
  }
}
