package io.jflannel.e2e;

import io.jflannel.netlink.testing.TestNetns;

/**
 * The simulated underlay: namespace {@code jfl-sw-<sfx>} holding a bridge {@code br0} with {@value
 * #GATEWAY}/24, and one veth per host whose host end is that host's {@code eth0}.
 *
 * <p>Every veth is created inside the switch namespace with its peer placed straight into the host
 * namespace ({@code ip link add ... peer name eth0 netns <host>}), so nothing ever appears in the
 * root namespace. Closing deletes the namespace, which takes br0 and every switch-side port with
 * it.
 */
final class Lan implements AutoCloseable {
  static final String GATEWAY = "192.168.100.1";

  private final TestNetns ns;

  private Lan(TestNetns ns) {
    this.ns = ns;
  }

  static Lan create(String suffix) {
    TestNetns ns = TestNetns.createNamed("jfl-sw-" + suffix);
    try {
      ns.ip("link", "add", "br0", "type", "bridge");
      ns.ip("addr", "add", GATEWAY + "/24", "dev", "br0");
      ns.ip("link", "set", "br0", "up");
      return new Lan(ns);
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
   * Cables {@code host} to the switch: switch port {@code port} on br0, host end {@code eth0} with
   * {@code address}/24, both up.
   */
  void plug(TestNetns host, String port, String address) {
    ns.ip("link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", host.name());
    ns.ip("link", "set", port, "master", "br0");
    ns.ip("link", "set", port, "up");
    host.ip("addr", "add", address + "/24", "dev", "eth0");
    host.ip("link", "set", "eth0", "up");
  }

  @Override
  public void close() {
    ns.close();
  }
}
