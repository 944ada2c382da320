package io.jflannel.daemon.bench;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Creates and deletes the benchmark's namespaces with {@code ip}: simulated hosts on the switch
 * namespace's bridge, and stand-alone reference namespaces for {@code ip -batch}.
 *
 * <p>Every name starts with the prefix {@code scripts/bench-daemon} chose, so its exit trap finds
 * and deletes whatever a crashed run leaves behind. Host address 192.168.0.11/16 on {@code eth0};
 * the peers' public IPs ({@link Peer}) are in the same /16. Deleting a namespace returns before the
 * kernel has freed its objects (that runs in a workqueue and takes RTNL), so {@link #delete} waits
 * a second for it to settle before the next measurement.
 */
final class Hosts {
  static final String HOST_IP = "192.168.0.11";

  /** The host's IPv6 address on the {@code fd00:100::/64} underlay (dual-stack cases). */
  static final String HOST_IP6 = "fd00:100::11";

  private final String prefix;
  private final String switchNs;
  private final String bridge;
  private int serial;

  Hosts(String prefix, String switchNs, String bridge) {
    this.prefix = prefix;
    this.switchNs = switchNs;
    this.bridge = bridge;
  }

  /** A new host namespace whose {@code eth0} is plugged into the switch bridge. */
  String host() {
    return host(false);
  }

  /** As {@link #host()}; {@code dualStack}: {@code eth0} also holds {@link #HOST_IP6}. */
  String host(boolean dualStack) {
    String ns = prefix + "-h" + (++serial);
    String port = "bh" + serial;
    run("ip", "netns", "add", ns);
    run("ip", "-n", ns, "link", "set", "lo", "up");
    run(
        "ip", "-n", switchNs, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns",
        ns);
    run("ip", "-n", switchNs, "link", "set", port, "master", bridge, "up");
    run("ip", "-n", ns, "addr", "add", HOST_IP + "/16", "dev", "eth0");
    run("ip", "-n", ns, "link", "set", "eth0", "up");
    run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    if (dualStack) {
      run("ip", "-n", ns, "addr", "add", HOST_IP6 + "/64", "dev", "eth0", "nodad");
    }
    return ns;
  }

  /**
   * A new stand-alone namespace set up as a host that flanneld has just prepared: {@code eth0} (a
   * veth whose peer stays inside) with the host address, and for vxlan {@code flannel.1} created as
   * flanneld creates it (VNI 1, dstport 8472, nolearning, MTU 1450, a /32 address).
   */
  String reference(String backend) {
    return reference(backend, false);
  }

  /** As {@link #reference(String)}; {@code dualStack} adds the IPv6 address and flannel-v6.1. */
  String reference(String backend, boolean dualStack) {
    String ns = prefix + "-r" + (++serial);
    run("ip", "netns", "add", ns);
    run("ip", "-n", ns, "link", "set", "lo", "up");
    run("ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0p");
    run("ip", "-n", ns, "addr", "add", HOST_IP + "/16", "dev", "eth0");
    run("ip", "-n", ns, "link", "set", "eth0", "up");
    run("ip", "-n", ns, "link", "set", "eth0p", "up");
    if (backend.equals("vxlan")) {
      run(
          "ip",
          "-n",
          ns,
          "link",
          "add",
          "flannel.1",
          "type",
          "vxlan",
          "id",
          "1",
          "local",
          HOST_IP,
          "dev",
          "eth0",
          "dstport",
          "8472",
          "nolearning");
      run("ip", "-n", ns, "link", "set", "flannel.1", "mtu", "1450", "up");
      run("ip", "-n", ns, "addr", "add", "10.255.255.0/32", "dev", "flannel.1");
    }
    if (dualStack) {
      run("ip", "-n", ns, "addr", "add", HOST_IP6 + "/64", "dev", "eth0", "nodad");
    }
    if (dualStack && backend.equals("vxlan")) {
      run(
          "ip",
          "-n",
          ns,
          "link",
          "add",
          "flannel-v6.1",
          "type",
          "vxlan",
          "id",
          "1",
          "local",
          HOST_IP6,
          "dev",
          "eth0",
          "dstport",
          "8472",
          "nolearning");
      run("ip", "-n", ns, "link", "set", "flannel-v6.1", "mtu", "1430", "up");
      run("ip", "-n", ns, "addr", "add", "fd10:0:0:ffff::/128", "dev", "flannel-v6.1", "nodad");
    }
    return ns;
  }

  /** Deletes {@code ns} and gives the kernel a second to free what it held. */
  static void delete(String ns) throws IOException, InterruptedException {
    new ProcessBuilder("ip", "netns", "del", ns).inheritIO().start().waitFor();
    TimeUnit.SECONDS.sleep(1);
  }

  /** Runs a command, its output to ours; throws unless it exits 0. */
  private static void run(String... cmd) {
    try {
      int exit = new ProcessBuilder(List.of(cmd)).inheritIO().start().waitFor();
      if (exit != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " exited " + exit);
      }
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", cmd) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(String.join(" ", cmd) + " interrupted", e);
    }
  }
}
