package io.jflannel.daemon.bench;

import io.jflannel.backend.common.NexthopIds;

/**
 * Simulated remote node number {@code k} (1..65279) of the benchmark's cluster: subnet {@code
 * 10.a.b.0/24}, public IP {@code 192.168.(a+1).b} and VTEP MAC {@code 0e:00:00:00:a:b}, where a =
 * k>>8 and b = k&255.
 *
 * <p>The subnets lie in the benchmark's Network 10.0.0.0/8 and the public IPs in the hosts'
 * 192.168.0.0/16 underlay, so host-gw routes are valid without any packet being sent. {@link #json}
 * is the value an upstream flanneld writes under {@code <prefix>/subnets/}; the {@code *Line}
 * methods are the {@code ip -batch} / {@code bridge -batch} lines that program what flanneld
 * programs for this peer.
 *
 * <p>A dual-stack peer also has the IPv6 subnet {@code fd10:0:0:<k hex>::/64} of the IPv6Network
 * {@code fd10::/48}, the public IPv6 {@code fd00:100::1:<k hex>} on the hosts' {@code
 * fd00:100::/64} underlay and the IPv6 VTEP MAC {@code 0e:00:00:06:a:b}.
 */
record Peer(int k, boolean dualStack) {
  Peer {
    if (k < 1 || k > 65279) {
      throw new IllegalArgumentException("peer number out of range: " + k);
    }
  }

  /** An IPv4-only peer. */
  Peer(int k) {
    this(k, false);
  }

  private int a() {
    return k >> 8;
  }

  private int b() {
    return k & 255;
  }

  /** The etcd key's last element, {@code 10.a.b.0-24} (dual-stack: {@code ...&fd10:0:0:k::-64}). */
  String keyName() {
    String v4 = "10." + a() + "." + b() + ".0-24";
    return dualStack ? v4 + "&" + vtep6() + "-64" : v4;
  }

  /** {@code fd10:0:0:<k hex>::/64}. */
  String subnet6() {
    return vtep6() + "/64";
  }

  /** {@code fd10:0:0:<k hex>::}: the IPv6 VTEP address. */
  String vtep6() {
    return "fd10:0:0:" + Integer.toHexString(k) + "::";
  }

  /** {@code fd00:100::1:<k hex>}. */
  String publicIpv6() {
    return "fd00:100::1:" + Integer.toHexString(k);
  }

  String mac6() {
    return String.format("0e:00:00:06:%02x:%02x", a(), b());
  }

  /** The nexthop id of the peer's IPv6 route with NexthopRoutes: its place in the IPv6Network. */
  int nexthopId6() {
    return NexthopIds.ID_BASE + (1 << 23) + k;
  }

  /** {@code 10.a.b.0/24}. */
  String subnet() {
    return "10." + a() + "." + b() + ".0/24";
  }

  /** {@code 10.a.b.0}: the VTEP address (vxlan's onlink gateway and ARP entry). */
  String vtep() {
    return "10." + a() + "." + b() + ".0";
  }

  /** An address inside the subnet, to look the route up with. */
  String probe() {
    return "10." + a() + "." + b() + ".1";
  }

  String publicIp() {
    return "192.168." + (a() + 1) + "." + b();
  }

  String mac() {
    return String.format("0e:00:00:00:%02x:%02x", a(), b());
  }

  /** The nexthop id flanneld gives this peer with NexthopRoutes (its subnet's index in 10/8). */
  int nexthopId() {
    return NexthopIds.ID_BASE + k;
  }

  /** The lease value, as upstream flanneld writes it. */
  String json(String backend) {
    boolean vxlan = backend.equals("vxlan");
    String data = vxlan ? "{\"VNI\":1,\"VtepMAC\":\"" + mac() + "\"}" : "null";
    String v6 =
        dualStack && vxlan ? ",\"BackendV6Data\":{\"VNI\":1,\"VtepMAC\":\"" + mac6() + "\"}" : "";
    return "{\"PublicIP\":\""
        + publicIp()
        + "\",\"PublicIPv6\":"
        + (dualStack ? "\"" + publicIpv6() + "\"" : "null")
        + ",\"BackendType\":\""
        + backend
        + "\",\"BackendData\":"
        + data
        + v6
        + "}";
  }

  /** {@code ip -batch}: the permanent IPv6 neighbour of a dual-stack vxlan peer. */
  String neigh6Line() {
    return "neigh replace " + vtep6() + " lladdr " + mac6() + " dev flannel-v6.1 nud permanent";
  }

  /** {@code bridge -batch}: the IPv6 FDB entry of a dual-stack vxlan peer. */
  String fdb6Line() {
    return "fdb replace " + mac6() + " dev flannel-v6.1 dst " + publicIpv6() + " self permanent";
  }

  /** {@code ip -batch}: the peer's IPv6 nexthop object ({@code NexthopRoutes}). */
  String nexthop6Line(String backend) {
    return "nexthop replace id " + nexthopId6() + " via " + gateway6(backend);
  }

  /** {@code ip -batch}: the peer's IPv6 route. */
  String route6Line(String backend, boolean nexthops) {
    return "route replace "
        + subnet6()
        + (nexthops ? " nhid " + nexthopId6() : " via " + gateway6(backend));
  }

  private String gateway6(String backend) {
    return backend.equals("vxlan")
        ? vtep6() + " dev flannel-v6.1 onlink"
        : publicIpv6() + " dev eth0";
  }

  /** {@code ip -batch}: the permanent ARP entry of a vxlan peer. */
  String neighLine() {
    return "neigh replace " + vtep() + " lladdr " + mac() + " dev flannel.1 nud permanent";
  }

  /** {@code bridge -batch}: the FDB entry of a vxlan peer (flanneld replaces, as NeighSet). */
  String fdbLine() {
    return "fdb replace " + mac() + " dev flannel.1 dst " + publicIp() + " self permanent";
  }

  /** {@code ip -batch}: the peer's nexthop object ({@code NexthopRoutes}). */
  String nexthopLine(String backend) {
    return "nexthop replace id " + nexthopId() + " via " + gateway(backend);
  }

  /** {@code ip -batch}: the peer's route, with its gateway or through its nexthop object. */
  String routeLine(String backend, boolean nexthops) {
    return "route replace "
        + subnet()
        + (nexthops ? " nhid " + nexthopId() : " via " + gateway(backend));
  }

  private String gateway(String backend) {
    return backend.equals("vxlan") ? vtep() + " dev flannel.1 onlink" : publicIp() + " dev eth0";
  }
}
