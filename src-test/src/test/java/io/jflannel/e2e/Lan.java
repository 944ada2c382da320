package io.jflannel.e2e;

import io.jflannel.netlink.testing.TestNetns;

/**
 * The simulated underlay: namespace {@code jfl-sw-<sfx>} holding a bridge {@code br0} with {@value
 * #GATEWAY}/24 (and, on an IPv6 LAN, {@value #GATEWAY6}/64), and one veth per host whose host end
 * is that host's {@code eth0}.
 *
 * <p>IPv6 addresses are added with {@code nodad}: duplicate address detection would keep each one
 * tentative (unusable as a source, skipped by flanneld's interface selection) for a second or two
 * after the link comes up, and the harness knows its addresses are unique.
 *
 * <p>Every veth is created inside the switch namespace with its peer placed straight into the host
 * namespace ({@code ip link add ... peer name eth0 netns <host>}), so nothing ever appears in the
 * root namespace. Closing deletes the namespace, which takes br0 and every switch-side port with
 * it.
 */
final class Lan implements AutoCloseable {
  static final String GATEWAY = "192.168.100.1";

  /** The switch's IPv6 address on an IPv6 LAN; the LAN's prefix is {@code fd00:100::/64}. */
  static final String GATEWAY6 = "fd00:100::1";

  private final TestNetns ns;
  private final boolean ipv6;

  private Lan(TestNetns ns, boolean ipv6) {
    this.ns = ns;
    this.ipv6 = ipv6;
  }

  /** An IPv4 LAN, as every scenario before dual-stack had. */
  static Lan create(String suffix) {
    return create(suffix, false);
  }

  /** A LAN carrying IPv4 and, if {@code ipv6}, IPv6 too ({@code fd00:100::/64}). */
  static Lan create(String suffix, boolean ipv6) {
    TestNetns ns = TestNetns.createNamed("jfl-sw-" + suffix);
    try {
      ns.ip("link", "add", "br0", "type", "bridge");
      ns.ip("addr", "add", GATEWAY + "/24", "dev", "br0");
      if (ipv6) {
        ns.ip("-6", "addr", "add", GATEWAY6 + "/64", "dev", "br0", "nodad");
      }
      ns.ip("link", "set", "br0", "up");
      return new Lan(ns, ipv6);
    } catch (RuntimeException e) {
      ns.close();
      throw e;
    }
  }

  TestNetns ns() {
    return ns;
  }

  /** The address of host {@code index} on the underlay: {@code 192.168.100.<10+index>}. */
  static String hostAddress(int index) {
    return "192.168.100." + (10 + index);
  }

  /**
   * The IPv6 address of host {@code index} on an IPv6 LAN: {@code fd00:100::<10+index>} (host 1:
   * {@code fd00:100::11}).
   */
  static String hostAddress6(int index) {
    return "fd00:100::" + (10 + index);
  }

  boolean ipv6() {
    return ipv6;
  }

  /**
   * Cables {@code host} to the switch: switch port {@code port} on br0, host end {@code eth0} with
   * {@code address}/24 and, if {@code address6} is not null, {@code address6}/64, both up.
   */
  void plug(TestNetns host, String port, String address, String address6) {
    ns.ip("link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", host.name());
    ns.ip("link", "set", port, "master", "br0");
    ns.ip("link", "set", port, "up");
    host.ip("addr", "add", address + "/24", "dev", "eth0");
    if (address6 != null) {
      host.ip("-6", "addr", "add", address6 + "/64", "dev", "eth0", "nodad");
    }
    host.ip("link", "set", "eth0", "up");
  }

  @Override
  public void close() {
    ns.close();
  }
}
