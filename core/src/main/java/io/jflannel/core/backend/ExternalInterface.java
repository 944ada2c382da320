package io.jflannel.core.backend;

import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip6;
import java.util.Objects;

/**
 * The host interface that carries overlay traffic between nodes (chosen by {@code --iface}, {@code
 * --iface-regex}, {@code --iface-can-reach} or the default route), with the addresses peers use to
 * reach this node.
 *
 * <p>The public address differs from the interface address only behind NAT ({@code --public-ip}, or
 * the {@code node-public-ip} annotation in kube mode); host-gw refuses that case. The interface MTU
 * is the base of every backend's MTU (vxlan: MTU − 50, udp: MTU − 28).
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the interface name, e.g. {@code eth0}
 * @param index the kernel's interface index
 * @param mtu the interface MTU, e.g. 1500
 * @param address the interface's IPv4 address; null on an IPv6-only node
 * @param ipv6Address the interface's IPv6 address; null when the node has no IPv6
 * @param publicIp the IPv4 address advertised to peers; null exactly when {@code address} is null
 * @param publicIpv6 the IPv6 address advertised to peers; null exactly when {@code ipv6Address} is
 *     null
 */
public record ExternalInterface(
    String name, int index, int mtu, Ip4 address, Ip6 ipv6Address, Ip4 publicIp, Ip6 publicIpv6) {

  /**
   * Checks the invariants above.
   *
   * @throws IllegalArgumentException if the name is empty, the index or MTU not positive, there is
   *     no address at all, or a public address is given without an interface address (or the
   *     reverse)
   */
  public ExternalInterface {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("interface name must not be empty");
    }
    if (index <= 0) {
      throw new IllegalArgumentException("interface index must be positive, got " + index);
    }
    if (mtu <= 0) {
      throw new IllegalArgumentException("MTU of " + name + " must be positive, got " + mtu);
    }
    if (address == null && ipv6Address == null) {
      throw new IllegalArgumentException(name + " needs an IPv4 or an IPv6 address");
    }
    if ((address == null) != (publicIp == null)) {
      throw new IllegalArgumentException(
          name + ": the public IPv4 address must be given exactly when the interface has one");
    }
    if ((ipv6Address == null) != (publicIpv6 == null)) {
      throw new IllegalArgumentException(
          name + ": the public IPv6 address must be given exactly when the interface has one");
    }
  }
}
