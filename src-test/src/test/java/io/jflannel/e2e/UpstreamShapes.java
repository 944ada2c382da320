package io.jflannel.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What upstream flannel (v0.28) leaves in the kernel, in etcd, on its Node and in subnet.env,
 * written out as the lines {@code ip}/{@code bridge}/{@code iptables-save}/{@code etcdctl}/{@code
 * cat} print, so the scenarios can compare jflannel's results with them verbatim. See
 * reference/flannel.md §3.1 (vxlan), §3.2 (host-gw), §3.3 (udp), §4 (subnet.env), §5 (kube), §6
 * (etcd), §7 (iptables).
 */
final class UpstreamShapes {
  /** The type of the node condition flannel sets in kube mode. */
  static final String CONDITION_TYPE = "NetworkUnavailable";

  /** Its reason. */
  static final String CONDITION_REASON = "FlannelIsUp";

  /** Its message. */
  static final String CONDITION_MESSAGE = "Flannel is running on this node";

  /** {@code --ip-masq}: the jump from nat POSTROUTING, as {@code iptables-save} prints it. */
  static final String MASQ_JUMP =
      "-A POSTROUTING -m comment --comment \"flanneld masq\" -j FLANNEL-POSTRTG";

  /** {@code --iptables-forward-rules} (on by default): the jump from filter FORWARD. */
  static final String FORWARD_JUMP =
      "-A FORWARD -m comment --comment \"flanneld forward\" -j FLANNEL-FWD";

  private UpstreamShapes() {}

  /**
   * The routes flannel owns on a host with {@code peers}: vxlan one per peer, {@code 10.244.Y.0/24
   * via 10.244.Y.0 dev flannel.1 onlink}; host-gw one per peer, {@code 10.244.Y.0/24 via <peer
   * public IP> dev eth0}; udp one for the whole Network whatever the peers, {@code 10.244.0.0/16
   * dev flannel0} (universe scope, which {@code ip route} does not print).
   */
  static List<String> flannelRoutes(Backend backend, List<PeerLease> peers) {
    if (backend == Backend.UDP) {
      return List.of(Backend.NETWORK + " dev " + KernelState.UDP_DEVICE);
    }
    return peers.stream()
        .filter(p -> p.complete(Family.V4, backend))
        .map(
            p ->
                switch (backend) {
                  case VXLAN ->
                      p.subnet() + " via " + Ip4.address(p.subnet()) + " dev flannel.1 onlink";
                  case HOST_GW -> p.subnet() + " via " + p.publicIp() + " dev eth0";
                  case UDP -> throw new AssertionError("udp has no per-peer route");
                })
        .toList();
  }

  /** The whole {@code ip -4 route} of a host: its two connected routes plus flannel's routes. */
  static List<String> allRoutes(Backend backend, Host self, SubnetEnv env, List<PeerLease> peers) {
    List<String> routes = new ArrayList<>();
    routes.add("192.168.100.0/24 dev eth0 proto kernel scope link src " + self.publicIp());
    if (env.lease() == null) {
      return routes; // IPv6 only: no IPv4 pod subnet, no IPv4 overlay
    }
    routes.add(env.lease() + " dev cni0 proto kernel scope link src " + Ip4.address(env.subnet()));
    routes.addAll(flannelRoutes(backend, peers));
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
        .filter(p -> p.complete(Family.V4, backend))
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
        .filter(p -> p.complete(Family.V4, backend))
        .map(p -> p.vtepMac() + " dst " + p.publicIp() + " self permanent")
        .toList();
  }

  /**
   * The IPv6 routes flannel owns on a host with {@code peers} (those with an IPv6 subnet, public
   * IPv6 and, for vxlan, an IPv6 VtepMAC), as {@code ip -6 route} prints them: vxlan {@code
   * fd10:0:0:Y::/64 via fd10:0:0:Y:: dev flannel-v6.1 metric 1024 onlink pref medium}; host-gw
   * {@code fd10:0:0:Y::/64 via <peer public IPv6> dev eth0 metric 1024 pref medium}. Upstream adds
   * them without a metric, so the kernel gives them IPv6's default, 1024.
   */
  static List<String> flannelRoutes6(Backend backend, List<PeerLease> peers) {
    return peers.stream()
        .filter(p -> p.complete(Family.V6, backend))
        .map(
            p ->
                switch (backend) {
                  case VXLAN ->
                      p.subnet6()
                          + " via "
                          + Ip6.address(p.subnet6())
                          + " dev "
                          + KernelState.VXLAN6_DEVICE
                          + " metric 1024 onlink pref medium";
                  case HOST_GW ->
                      p.subnet6() + " via " + p.publicIpv6() + " dev eth0 metric 1024 pref medium";
                  case UDP -> throw new AssertionError("udp has no IPv6");
                })
        .toList();
  }

  /**
   * vxlan: one permanent neighbour per IPv6 peer on flannel-v6.1, {@code fd10:0:0:Y:: lladdr <v6
   * VtepMAC> PERMANENT} ({@code ip -6 neigh show dev flannel-v6.1}).
   */
  static List<String> neighbours6(Backend backend, List<PeerLease> peers) {
    if (backend != Backend.VXLAN) {
      return List.of();
    }
    return peers.stream()
        .filter(p -> p.complete(Family.V6, backend))
        .map(p -> Ip6.address(p.subnet6()) + " lladdr " + p.vtepMac6() + " PERMANENT")
        .toList();
  }

  /**
   * vxlan: one FDB entry per IPv6 peer on flannel-v6.1, {@code <v6 VtepMAC> dst <peer public IPv6>
   * self permanent}.
   */
  static List<String> fdb6(Backend backend, List<PeerLease> peers) {
    if (backend != Backend.VXLAN) {
      return List.of();
    }
    return peers.stream()
        .filter(p -> p.complete(Family.V6, backend))
        .map(p -> p.vtepMac6() + " dst " + p.publicIpv6() + " self permanent")
        .toList();
  }

  /** The route the kernel adds for cni0's IPv6 address, as {@code ip -6 route} prints it. */
  static String cni0Route6(SubnetEnv env) {
    return env.lease6() + " dev cni0 proto kernel metric 256 pref medium";
  }

  /**
   * subnet.env as upstream's WriteSubnetFile writes it for {@code stack}: the IPv4 lines if IPv4 is
   * on, the IPv6 lines ({@code FLANNEL_IPV6_NETWORK}, {@code FLANNEL_IPV6_SUBNET}: the lease's
   * first address) if IPv6 is on, then the MTU ({@link Stack#mtu}: jflannel's, see {@link
   * Backend#mtu6}) and the masquerade flag.
   */
  static String subnetEnv(
      Backend backend, Stack stack, String lease, String lease6, boolean ipMasq) {
    StringBuilder out = new StringBuilder();
    if (stack.v4()) {
      out.append("FLANNEL_NETWORK=").append(Backend.NETWORK).append('\n');
      out.append("FLANNEL_SUBNET=")
          .append(Ip4.plus(lease, 1))
          .append(lease.substring(lease.indexOf('/')))
          .append('\n');
    }
    if (stack.v6()) {
      out.append("FLANNEL_IPV6_NETWORK=").append(Stack.IPV6_NETWORK).append('\n');
      out.append("FLANNEL_IPV6_SUBNET=")
          .append(Ip6.plus(lease6, 1))
          .append(lease6.substring(lease6.indexOf('/')))
          .append('\n');
    }
    out.append("FLANNEL_MTU=").append(stack.mtu(backend)).append('\n');
    out.append("FLANNEL_IPMASQ=").append(ipMasq).append('\n');
    return out.toString();
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
   * written as null): udp writes neither type nor data, {@code {"PublicIP":..,"PublicIPv6":null}}.
   */
  static String leaseValue(Backend backend, String publicIp, String vtepMac) {
    String head = "{\"PublicIP\":\"" + publicIp + "\",\"PublicIPv6\":null";
    String type = ",\"BackendType\":\"" + backend.leaseType() + "\"";
    return switch (backend) {
      case VXLAN -> head + type + ",\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"" + vtepMac + "\"}}";
      case HOST_GW -> head + type + "}";
      case UDP -> head + "}";
    };
  }

  /**
   * The etcd value of a vxlan or host-gw lease in {@code stack} as upstream marshals it: {@code
   * PublicIP} ({@code "0.0.0.0"} without IPv4: upstream's IPv4 type has no null), {@code
   * PublicIPv6} ({@code null} without IPv6), {@code BackendType}; vxlan adds {@code BackendData}
   * when IPv4 is on and {@code BackendV6Data} when IPv6 is on, each {@code {"VNI":1,"VtepMAC":..}}.
   */
  static String leaseValue(
      Backend backend,
      Stack stack,
      String publicIp,
      String publicIpv6,
      String vtepMac,
      String vtepMac6) {
    StringBuilder v = new StringBuilder("{\"PublicIP\":\"");
    v.append(stack.v4() ? publicIp : "0.0.0.0").append('"');
    v.append(",\"PublicIPv6\":").append(stack.v6() ? '"' + publicIpv6 + '"' : "null");
    v.append(",\"BackendType\":\"").append(backend.leaseType()).append('"');
    if (backend == Backend.VXLAN && stack.v4()) {
      v.append(",\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"").append(vtepMac).append("\"}");
    }
    if (backend == Backend.VXLAN && stack.v6()) {
      v.append(",\"BackendV6Data\":{\"VNI\":1,\"VtepMAC\":\"").append(vtepMac6).append("\"}");
    }
    if (backend == Backend.UDP) {
      throw new IllegalArgumentException("udp has no IPv6");
    }
    return v.append('}').toString();
  }

  /**
   * The {@code flannel.alpha.coreos.com/*} annotations upstream's kube subnet manager ({@code
   * AcquireLease}) writes on its Node in {@code stack}: {@code kube-subnet-manager} and {@code
   * backend-type}; {@code backend-data} and {@code public-ip} unless the backend is vxlan without
   * IPv4; {@code backend-v6-data} and {@code public-ipv6} when IPv6 is on (host-gw's backend data
   * being {@code null}).
   */
  static Map<String, String> nodeAnnotations(
      Backend backend,
      Stack stack,
      String publicIp,
      String publicIpv6,
      String vtepMac,
      String vtepMac6) {
    String p = KubeApiServer.ANNOTATION_PREFIX;
    Map<String, String> a = new LinkedHashMap<>();
    a.put(p + "kube-subnet-manager", "true");
    a.put(p + "backend-type", backend.leaseType());
    boolean vxlan = backend == Backend.VXLAN;
    if (!vxlan || stack.v4()) {
      a.put(p + "backend-data", vxlan ? "{\"VNI\":1,\"VtepMAC\":\"" + vtepMac + "\"}" : "null");
      a.put(p + "public-ip", stack.v4() ? publicIp : "0.0.0.0");
    }
    if (stack.v6()) {
      a.put(p + "backend-v6-data", vxlan ? "{\"VNI\":1,\"VtepMAC\":\"" + vtepMac6 + "\"}" : "null");
      a.put(p + "public-ipv6", publicIpv6);
    }
    return a;
  }

  /**
   * The part of {@code ip -d link show flannel-v6.1} upstream's IPv6 vxlan device settings
   * determine: MTU underlay − 70, VNI 1, local = the host's IPv6 address, port 8472, no learning.
   */
  static String vxlan6DetailsPattern(String localIp6) {
    return "(?s).*\\bmtu "
        + Backend.VXLAN.mtu6()
        + "\\b.*"
        + "vxlan id 1 local "
        + localIp6.replace(".", "\\.")
        + " dev eth0 .*dstport 8472 nolearning\\b.*";
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

  /**
   * The part of {@code ip -d link show flannel0} upstream's udp TUN determines: MTU underlay − 28,
   * up, a layer-3 TUN without packet information ({@code IFF_TUN | IFF_NO_PI}).
   */
  static String udpDetailsPattern() {
    return "(?s).*\\bmtu " + Backend.UDP.mtu() + "\\b.*\\btun type tun pi off\\b.*";
  }

  /**
   * The {@code flannel.alpha.coreos.com/*} annotations upstream's kube subnet manager writes on its
   * Node in an IPv4-only cluster without overwrite annotations: exactly these four, backend-data as
   * Go's json.Marshal writes it ({@code null} for host-gw).
   */
  static Map<String, String> nodeAnnotations(Backend backend, String publicIp, String vtepMac) {
    String p = KubeApiServer.ANNOTATION_PREFIX;
    Map<String, String> a = new LinkedHashMap<>();
    a.put(p + "kube-subnet-manager", "true");
    a.put(p + "backend-type", backend.leaseType());
    a.put(
        p + "backend-data",
        switch (backend) {
          case VXLAN -> "{\"VNI\":1,\"VtepMAC\":\"" + vtepMac + "\"}";
          case HOST_GW, UDP -> "null";
        });
    a.put(p + "public-ip", publicIp);
    return a;
  }

  /**
   * {@code --ip-masq}: the rules of nat chain {@code FLANNEL-POSTRTG} on the host leasing {@code
   * lease}, in order, as {@code iptables-save} prints them (iptables ≥ 1.6.2: {@code
   * --random-fully}).
   */
  static List<String> masqRules(String lease) {
    String net = Backend.NETWORK;
    String c = " -m comment --comment \"flanneld masq\" -j ";
    return List.of(
        "-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000" + c + "RETURN",
        "-A FLANNEL-POSTRTG -s " + lease + " -d " + net + c + "RETURN",
        "-A FLANNEL-POSTRTG -s " + net + " -d " + lease + c + "RETURN",
        "-A FLANNEL-POSTRTG ! -s " + net + " -d " + lease + c + "RETURN",
        "-A FLANNEL-POSTRTG -s " + net + " ! -d 224.0.0.0/4" + c + "MASQUERADE --random-fully",
        "-A FLANNEL-POSTRTG ! -s " + net + " -d " + net + c + "MASQUERADE --random-fully");
  }

  /** The rules of filter chain {@code FLANNEL-FWD}, in order. */
  static List<String> forwardRules() {
    String c = " -m comment --comment \"flanneld forward\" -j ACCEPT";
    return List.of(
        "-A FLANNEL-FWD -s " + Backend.NETWORK + c, "-A FLANNEL-FWD -d " + Backend.NETWORK + c);
  }

  /**
   * {@code EnableNFTables} with {@code --ip-masq}: {@code nft list table ip flannel-ipv4} on the
   * host leasing {@code lease}, lines stripped: upstream's table, chains, comments, hooks,
   * priorities and policies. The masquerade rules mean what {@link #masqRules} mean; two of them
   * differ from upstream's nftables rules, which match kube-proxy's mark exactly ({@code meta mark
   * 0x4000}) and return for {@code saddr != <lease> daddr <network>} (not {@code saddr != <network>
   * daddr <lease>}).
   */
  static List<String> nftTable(String lease) {
    String net = Backend.NETWORK;
    return List.of(
        "table ip flannel-ipv4 {",
        "comment \"rules for flannel-ipv4\"",
        "chain postrtg {",
        "comment \"chain to manage traffic masquerading by flannel\"",
        "type nat hook postrouting priority srcnat; policy accept;",
        "meta mark & 0x00004000 == 0x00004000 return",
        "ip saddr " + lease + " ip daddr " + net + " return",
        "ip saddr " + net + " ip daddr " + lease + " return",
        "ip saddr != " + net + " ip daddr " + lease + " return",
        "ip saddr " + net + " ip daddr != 224.0.0.0/4 masquerade fully-random",
        "ip saddr != " + net + " ip daddr " + net + " masquerade fully-random",
        "}",
        "chain forward {",
        "comment \"chain to accept flannel traffic\"",
        "type filter hook forward priority filter; policy accept;",
        "ip saddr " + net + " accept",
        "ip daddr " + net + " accept",
        "}",
        "}");
  }
}
