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
 */
record Peer(int k) {
  Peer {
    if (k < 1 || k > 65279) {
      throw new IllegalArgumentException("peer number out of range: " + k);
    }
  }

  private int a() {
    return k >> 8;
  }

  private int b() {
    return k & 255;
  }

  /** The etcd key's last element, {@code 10.a.b.0-24}. */
  String keyName() {
    return "10." + a() + "." + b() + ".0-24";
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
    String data = backend.equals("vxlan") ? "{\"VNI\":1,\"VtepMAC\":\"" + mac() + "\"}" : "null";
    return "{\"PublicIP\":\""
        + publicIp()
        + "\",\"PublicIPv6\":null,\"BackendType\":\""
        + backend
        + "\",\"BackendData\":"
        + data
        + "}";
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
