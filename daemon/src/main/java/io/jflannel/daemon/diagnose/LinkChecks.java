package io.jflannel.daemon.diagnose;

import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.backend.Finding;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.lease.Lease;
import io.jflannel.netlink.Ips;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.Netlink;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Route;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code flanneld diagnose} reads of the host's links through the netlink binding: the CNI
 * bridge {@code cni0} and its ports against FLANNEL_MTU, and the way to each peer's public IP
 * ({@code ip route get}). Reads only.
 */
final class LinkChecks {
  /** The bridge the flannel CNI plugin (bridge plugin) makes by default. */
  static final String BRIDGE = "cni0";

  private LinkChecks() {}

  /** cni0 and its ports: none may have an MTU above {@code mtu} (FLANNEL_MTU). */
  static List<Finding> bridge(Netlink nl, int mtu) throws NetlinkException {
    Optional<Link> bridge = nl.links().find(BRIDGE);
    List<Link> ports = bridge.isEmpty() ? List.of() : nl.links().ports(bridge.get().index());
    return bridge(bridge, ports, mtu);
  }

  /** {@link #bridge(Netlink, int)} on what was read. */
  static List<Finding> bridge(Optional<Link> bridge, List<Link> ports, int mtu) {
    List<Finding> out = new ArrayList<>();
    if (bridge.isEmpty()) {
      out.add(
          Finding.ok(
              "mtu", BRIDGE, "no such bridge (no pod here yet, or the CNI names its bridge else)"));
      return out;
    }
    List<String> above = new ArrayList<>();
    if (bridge.get().mtu() > mtu) {
      above.add(BRIDGE + " " + bridge.get().mtu());
    }
    for (Link p : ports) {
      if (p.mtu() > mtu) {
        above.add(p.name() + " " + p.mtu());
      }
    }
    if (above.isEmpty()) {
      out.add(
          Finding.ok(
              "mtu",
              BRIDGE,
              "mtu "
                  + bridge.get().mtu()
                  + " and "
                  + ports.size()
                  + " port(s) within FLANNEL_MTU "
                  + mtu));
    } else {
      out.add(
          Finding.problem(
              "mtu",
              BRIDGE,
              "above FLANNEL_MTU "
                  + mtu
                  + ": "
                  + String.join(", ", above)
                  + "; pods' full-size packets to other nodes are dropped",
              "ip link set "
                  + BRIDGE
                  + " mtu "
                  + mtu
                  + ", and recreate the pods whose interfaces have a larger MTU (the CNI plugin"
                  + " takes FLANNEL_MTU from subnet.env)"));
    }
    return out;
  }

  /**
   * For each peer: the kernel's route to its public IP of each family this node runs must leave by
   * the interface flanneld uses, or the overlay's packets to it take another path.
   */
  static List<Finding> peerPaths(
      Netlink nl, NetworkConfig config, ExternalInterface iface, List<Lease> peers)
      throws NetlinkException {
    List<String> astray = new ArrayList<>();
    int checked = 0;
    for (Lease p : peers) {
      List<InetAddress> ips = new ArrayList<>(2);
      if (config.enableIPv4() && p.attrs().publicIp() != null) {
        ips.add(Ips.parse(p.attrs().publicIp().toString()));
      }
      if (config.enableIPv6() && p.attrs().publicIpv6() != null) {
        ips.add(Ips.parse(p.attrs().publicIpv6().toString()));
      }
      for (InetAddress ip : ips) {
        checked++;
        Route r = nl.routes().get(ip);
        if (r.linkIndex() != iface.index()) {
          astray.add(
              "peer "
                  + p.subnets()
                  + ": route get "
                  + Ips.format(ip)
                  + " leaves by "
                  + nl.links().get(r.linkIndex()).name());
        }
      }
    }
    if (astray.isEmpty()) {
      return List.of(
          Finding.ok(
              "underlay",
              iface.name(),
              checked + " peer address(es) reached through " + iface.name()));
    }
    return List.of(
        Finding.problem(
            "underlay",
            iface.name(),
            String.join("; ", astray) + ", not " + iface.name() + " (flanneld's interface)",
            "fix the host's routes to those addresses, or choose that interface with --iface"));
  }
}
