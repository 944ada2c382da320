package io.jflannel.netlink;

import java.net.InetAddress;

/**
 * The attributes of a vxlan device that decide whether an existing {@code flannel.<VNI>} can be
 * reused: what {@code ip -d link show} prints after {@code vxlan}.
 *
 * @param vni VXLAN network identifier ({@code id})
 * @param local source address ({@code local}), or null
 * @param underlayIndex ifindex of the underlay device ({@code dev}), or 0
 * @param port UDP destination port ({@code dstport}), host order
 * @param learning whether the kernel learns FDB entries ({@code nolearning} when false)
 * @param gbp group-based policy extension
 */
public record VxlanAttrs(
    int vni, InetAddress local, int underlayIndex, int port, boolean learning, boolean gbp) {

  @Override
  public String toString() {
    return "vxlan id "
        + vni
        + (local == null ? "" : " local " + Ips.format(local))
        + (underlayIndex == 0 ? "" : " dev #" + underlayIndex)
        + " dstport "
        + port
        + (learning ? "" : " nolearning")
        + (gbp ? " gbp" : "");
  }
}
