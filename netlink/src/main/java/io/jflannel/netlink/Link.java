package io.jflannel.netlink;

/**
 * A network interface as the kernel reports it in {@code RTM_NEWLINK}.
 *
 * @param index ifindex
 * @param name interface name
 * @param kind {@code IFLA_INFO_KIND} ({@code "vxlan"}, {@code "veth"}, {@code "tun"}, ...), or
 *     {@code ""} for devices without one (physical NICs, loopback)
 * @param flags {@code ifi_flags} ({@code IFF_UP}, ...)
 * @param mtu MTU in bytes
 * @param mac hardware address, or null when the device has none (tun)
 * @param parentIndex {@code IFLA_LINK} (a veth's peer, a vlan's parent), or 0
 * @param vxlan the vxlan attributes when {@code kind} is {@code "vxlan"}, else null
 */
public record Link(
    int index,
    String name,
    String kind,
    int flags,
    int mtu,
    MacAddress mac,
    int parentIndex,
    VxlanAttrs vxlan) {

  /** Whether the administrative {@code IFF_UP} flag is set. */
  public boolean isUp() {
    return (flags & 0x1) != 0;
  }
}
