package io.jflannel.e2e;

import java.util.ArrayList;
import java.util.List;

/**
 * What upstream flannel (v0.28) leaves in the kernel, in etcd and in subnet.env, written out as the
 * lines {@code ip}/{@code bridge}/{@code etcdctl}/{@code cat} print, so the scenarios can compare
 * jflannel's results with them verbatim. See reference/flannel.md §3.1 (vxlan), §3.2 (host-gw), §4
 * (subnet.env), §6 (etcd).
 */
final class UpstreamShapes {
  private UpstreamShapes() {}

  /**
   * The routes flannel owns on a host with {@code peers}: vxlan {@code 10.244.Y.0/24 via 10.244.Y.0
   * dev flannel.1 onlink}, host-gw {@code 10.244.Y.0/24 via <peer public IP> dev eth0}.
   */
  static List<String> peerRoutes(Backend backend, List<PeerLease> peers) {
    return peers.stream()
        .map(
            p ->
                switch (backend) {
                  case VXLAN ->
                      p.subnet() + " via " + Ip4.address(p.subnet()) + " dev flannel.1 onlink";
                  case HOST_GW -> p.subnet() + " via " + p.publicIp() + " dev eth0";
                })
        .toList();
  }

  /** The whole {@code ip -4 route} of a host: its two connected routes plus the peer routes. */
  static List<String> allRoutes(Backend backend, Host self, SubnetEnv env, List<PeerLease> peers) {
    List<String> routes = new ArrayList<>();
    routes.add("192.168.100.0/24 dev eth0 proto kernel scope link src " + self.publicIp());
    routes.add(env.lease() + " dev cni0 proto kernel scope link src " + Ip4.address(env.subnet()));
    routes.addAll(peerRoutes(backend, peers));
    return routes;
  }

  /**
   * vxlan: one permanent ARP entry per peer on flannel.1, {@code 10.244.Y.0 lladdr <VtepMAC>
   * PERMANENT}.
   */
  static List<String> arp(Backend backend, List<PeerLease> peers) {
    if (backend != Backend.VXLAN) {
      return List.of();
    }
    return peers.stream()
        .map(p -> Ip4.address(p.subnet()) + " lladdr " + p.vtepMac() + " PERMANENT")
        .toList();
  }

  /**
   * vxlan: one FDB entry per peer on flannel.1, {@code <VtepMAC> dst <peer public IP> self
   * permanent}.
   */
  static List<String> fdb(Backend backend, List<PeerLease> peers) {
    if (backend != Backend.VXLAN) {
      return List.of();
    }
    return peers.stream()
        .map(p -> p.vtepMac() + " dst " + p.publicIp() + " self permanent")
        .toList();
  }

  /** subnet.env exactly as upstream's WriteSubnetFile writes it (IPv4 only, no --ip-masq). */
  static String subnetEnv(Backend backend, String lease, boolean ipMasq) {
    return "FLANNEL_NETWORK="
        + Backend.NETWORK
        + "\n"
        + "FLANNEL_SUBNET="
        + Ip4.plus(lease, 1)
        + lease.substring(lease.indexOf('/'))
        + "\n"
        + "FLANNEL_MTU="
        + backend.mtu()
        + "\n"
        + "FLANNEL_IPMASQ="
        + ipMasq
        + "\n";
  }

  /**
   * The etcd value of a lease as Go's encoding/json marshals upstream's LeaseAttrs (field order
   * PublicIP, PublicIPv6, BackendType, BackendData; empty BackendType/Data omitted, nil PublicIPv6
   * written as null).
   */
  static String leaseValue(Backend backend, String publicIp, String vtepMac) {
    String head =
        "{\"PublicIP\":\""
            + publicIp
            + "\",\"PublicIPv6\":null,\"BackendType\":\""
            + backend.type()
            + "\"";
    return switch (backend) {
      case VXLAN -> head + ",\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"" + vtepMac + "\"}}";
      case HOST_GW -> head + "}";
    };
  }

  /** The part of {@code ip -d link show flannel.1} upstream's vxlan device settings determine. */
  static String vxlanDetailsPattern(String localIp) {
    return "(?s).*\\bmtu "
        + Backend.VXLAN.mtu()
        + "\\b.*"
        + "vxlan id 1 local "
        + localIp.replace(".", "\\.")
        + " dev eth0 .*dstport 8472 nolearning\\b.*";
  }
}
