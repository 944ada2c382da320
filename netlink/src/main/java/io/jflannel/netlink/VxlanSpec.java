package io.jflannel.netlink;

/**
 * What to create with {@link Links#createVxlan}: a vxlan device as flannel makes it.
 *
 * @param name device name, e.g. {@code flannel.1}
 * @param attrs VNI, local address, underlay device, port, learning, GBP (port 0 = kernel default
 *     8472)
 * @param mtu device MTU, or 0 for the kernel's choice (underlay MTU minus 50)
 * @param mac device address, or null for a random one
 */
public record VxlanSpec(String name, VxlanAttrs attrs, int mtu, MacAddress mac) {}
