package io.jflannel.subnet.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.subnet.SubnetException;
import java.util.Set;

/**
 * This node's lease subnets: its pod CIDRs of the families the net config enables, each checked to
 * lie inside the configured network, as upstream's {@code AcquireLease} checks them.
 *
 * <p>Upstream quirks kept: only vxlan, host-gw and wireguard get an IPv6 subnet; every other
 * backend gets an IPv4-only lease. Upstream quirk not kept: a node without a pod CIDR of an enabled
 * family gets an error here instead of a lease with an empty subnet.
 *
 * @param subnet the IPv4 subnet; null if IPv4 is off
 * @param ipv6Subnet the IPv6 subnet; null if IPv6 is off or the backend is IPv4-only
 */
record OwnSubnets(Ip4Net subnet, Ip6Net ipv6Subnet) {

  private static final Set<String> DUAL_STACK_BACKENDS = Set.of("vxlan", "host-gw", "wireguard");

  /**
   * Picks and checks the subnets of {@code node}, which has a pod CIDR.
   *
   * @throws SubnetException if the pod CIDRs are malformed, a family the config enables is missing,
   *     or a pod CIDR lies outside its network; messages name the node and the fix
   */
  static OwnSubnets of(Node node, NetworkConfig conf, String backendType) throws SubnetException {
    String name = node.getMetadata().getName();
    NodeProjector.PodCidrs cidrs;
    try {
      cidrs = NodeProjector.podCidrs(node.getSpec());
    } catch (IllegalArgumentException e) {
      throw new SubnetException("node " + name + ": " + e.getMessage(), e);
    }
    if (cidrs == null) {
      throw new SubnetException("node \"" + name + "\" pod cidr not assigned");
    }
    Ip4Net subnet = null;
    if (conf.enableIPv4()) {
      requirePresent(cidrs.ipv4(), "IPv4", name);
      requireInside(conf.network().contains(cidrs.ipv4()), conf.network(), cidrs.ipv4(), "", name);
      subnet = cidrs.ipv4();
    }
    Ip6Net ipv6Subnet = null;
    if (conf.enableIPv6() && DUAL_STACK_BACKENDS.contains(backendType)) {
      requirePresent(cidrs.ipv6(), "IPv6", name);
      requireInside(
          conf.ipv6Network().contains(cidrs.ipv6()),
          conf.ipv6Network(),
          cidrs.ipv6(),
          "IPv6 ",
          name);
      ipv6Subnet = cidrs.ipv6();
    }
    if (subnet == null && ipv6Subnet == null) {
      throw new SubnetException(
          "backend " + backendType + " supports only IPv4, but net-conf.json disables IPv4");
    }
    return new OwnSubnets(subnet, ipv6Subnet);
  }

  private static void requirePresent(Object cidr, String family, String name)
      throws SubnetException {
    if (cidr == null) {
      throw new SubnetException(
          "node "
              + name
              + " has no "
              + family
              + " pod CIDR but net-conf.json enables "
              + family
              + ": give kube-controller-manager a --cluster-cidr of that family, or disable "
              + family
              + " in net-conf.json");
    }
  }

  /** Fails with upstream's message when a pod CIDR lies outside the configured network. */
  private static void requireInside(
      boolean inside, Object network, Object cidr, String family, String name)
      throws SubnetException {
    if (!inside) {
      throw new SubnetException(
          "subnet \""
              + network
              + "\" specified in the flannel net config doesn't contain \""
              + cidr
              + "\" "
              + family
              + "PodCIDR of the \""
              + name
              + "\" node: make "
              + (family.isEmpty() ? "Network" : "IPv6Network")
              + " in net-conf.json contain kube-controller-manager's --cluster-cidr");
    }
  }
}
