package io.jflannel.daemon.iface;

import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip6;
import io.jflannel.daemon.FlannelOptions;
import java.util.List;

/**
 * What the operator asked for when choosing the external interface: the {@code --iface}, {@code
 * --iface-regex}, {@code --iface-can-reach}, {@code --public-ip} and {@code --public-ipv6} flags,
 * and which address families the network config enables ({@code EnableIPv4}, {@code EnableIPv6}).
 *
 * <p>In kube mode the Node's {@code node-public-ip} annotation overrides {@code --public-ip}
 * ({@link #withPublicIp}), exactly as upstream replaces the flag's value before selecting: with no
 * interface flag it is then also the address by which the interface is found.
 *
 * <p>Immutable and thread-safe.
 *
 * @param ifaces {@code --iface} values in order: names or IP addresses
 * @param ifaceRegexes {@code --iface-regex} values in order
 * @param ifaceCanReach {@code --iface-can-reach} address, or null
 * @param publicIp {@code --public-ip}, or null
 * @param publicIpv6 {@code --public-ipv6}, or null
 * @param ipv4 whether the node needs an IPv4 address
 * @param ipv6 whether the node needs an IPv6 address
 */
public record InterfaceCriteria(
    List<String> ifaces,
    List<String> ifaceRegexes,
    String ifaceCanReach,
    Ip4 publicIp,
    Ip6 publicIpv6,
    boolean ipv4,
    boolean ipv6) {

  /**
   * Normalises empty values to absent ones.
   *
   * @throws IllegalArgumentException if neither family is enabled
   */
  public InterfaceCriteria {
    ifaces = ifaces.stream().filter(s -> !s.isBlank()).toList();
    ifaceRegexes = ifaceRegexes.stream().filter(s -> !s.isEmpty()).toList();
    ifaceCanReach = ifaceCanReach == null || ifaceCanReach.isBlank() ? null : ifaceCanReach;
    if (!ipv4 && !ipv6) {
      throw new IllegalArgumentException("neither IPv4 nor IPv6 is enabled");
    }
  }

  /** The criteria of validated options, for a network with the given families. */
  public static InterfaceCriteria of(FlannelOptions o, boolean ipv4, boolean ipv6) {
    return new InterfaceCriteria(
        o.iface(),
        o.ifaceRegex(),
        o.ifaceCanReach().orElse(null),
        o.publicIp().orElse(null),
        o.publicIpv6().orElse(null),
        ipv4,
        ipv6);
  }

  /** Only IPv4 addresses needed: the criteria of a plain IPv4 network, handy for tests. */
  public static InterfaceCriteria ipv4Only() {
    return new InterfaceCriteria(List.of(), List.of(), null, null, null, true, false);
  }

  /** These criteria with the public IPv4 address replaced (kube {@code node-public-ip}). */
  public InterfaceCriteria withPublicIp(Ip4 ip) {
    return new InterfaceCriteria(ifaces, ifaceRegexes, ifaceCanReach, ip, publicIpv6, ipv4, ipv6);
  }

  /** These criteria with the public IPv6 address replaced (kube {@code node-public-ipv6}). */
  public InterfaceCriteria withPublicIpv6(Ip6 ip) {
    return new InterfaceCriteria(ifaces, ifaceRegexes, ifaceCanReach, publicIp, ip, ipv4, ipv6);
  }

  /** These criteria with {@code --iface} replaced. */
  public InterfaceCriteria withIfaces(List<String> values) {
    return new InterfaceCriteria(
        values, ifaceRegexes, ifaceCanReach, publicIp, publicIpv6, ipv4, ipv6);
  }

  /** These criteria with {@code --iface-regex} replaced. */
  public InterfaceCriteria withIfaceRegexes(List<String> values) {
    return new InterfaceCriteria(ifaces, values, ifaceCanReach, publicIp, publicIpv6, ipv4, ipv6);
  }

  /** These criteria with {@code --iface-can-reach} replaced. */
  public InterfaceCriteria withIfaceCanReach(String value) {
    return new InterfaceCriteria(ifaces, ifaceRegexes, value, publicIp, publicIpv6, ipv4, ipv6);
  }

  /** These criteria for a network with the given address families. */
  public InterfaceCriteria withFamilies(boolean v4, boolean v6) {
    return new InterfaceCriteria(ifaces, ifaceRegexes, ifaceCanReach, publicIp, publicIpv6, v4, v6);
  }

  /** Whether any of {@code --iface}, {@code --iface-regex}, {@code --iface-can-reach} is given. */
  public boolean explicit() {
    return !ifaces.isEmpty() || !ifaceRegexes.isEmpty() || ifaceCanReach != null;
  }
}
