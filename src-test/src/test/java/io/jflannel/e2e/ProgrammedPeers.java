package io.jflannel.e2e;

import java.util.List;
import org.assertj.core.api.SoftAssertions;

/**
 * The check at the heart of every scenario: a host holds, for each peer lease and each family its
 * cluster runs, exactly the kernel entries upstream flannel would program (one route; for vxlan
 * also one neighbour and one FDB entry on flannel.1, or on flannel-v6.1 for IPv6) and no other
 * flannel-owned entry, stale or foreign. A peer lacking a family's subnet, public IP or VtepMAC
 * gets nothing in that family. The udp backend keeps its peers in the daemon's memory, not in the
 * kernel: there the check is the one route for the whole Network through flannel0 plus the daemon's
 * own count of peers ({@code flannel_peers} on {@code /metrics}). {@link #assertUpstreamShaped} is
 * the fuller form the first scenario of each mode runs.
 */
final class ProgrammedPeers {
  private ProgrammedPeers() {}

  static void assertExactly(Backend backend, Host host, List<PeerLease> peers) {
    assertExactly(backend, Stack.IPV4, host, peers);
  }

  static void assertExactly(Backend backend, Stack stack, Host host, List<PeerLease> peers) {
    KernelState k = host.kernel();
    SoftAssertions s = new SoftAssertions();
    if (stack.v4()) {
      s.assertThat(k.overlayRoutes(Backend.NETWORK))
          .as("%s overlay routes", host.name())
          .containsExactlyInAnyOrderElementsOf(UpstreamShapes.flannelRoutes(backend, peers));
    }
    if (stack.v6()) {
      s.assertThat(k.overlayRoutes6(Stack.IPV6_NETWORK))
          .as("%s IPv6 overlay routes", host.name())
          .containsExactlyInAnyOrderElementsOf(UpstreamShapes.flannelRoutes6(backend, peers));
    }
    if (backend == Backend.VXLAN && stack.v4()) {
      s.assertThat(k.neighbours(KernelState.VXLAN_DEVICE))
          .as("%s ARP entries on flannel.1", host.name())
          .containsExactlyInAnyOrderElementsOf(UpstreamShapes.arp(backend, peers));
      s.assertThat(k.fdb(KernelState.VXLAN_DEVICE))
          .as("%s FDB entries on flannel.1", host.name())
          .containsExactlyInAnyOrderElementsOf(UpstreamShapes.fdb(backend, peers));
    } else {
      s.assertThat(k.hasLink(KernelState.VXLAN_DEVICE))
          .as("%s has a flannel.1 device", host.name())
          .isFalse();
    }
    if (backend == Backend.VXLAN && stack.v6()) {
      s.assertThat(k.neighbours6(KernelState.VXLAN6_DEVICE))
          .as("%s IPv6 neighbours on flannel-v6.1", host.name())
          .containsExactlyInAnyOrderElementsOf(UpstreamShapes.neighbours6(backend, peers));
      s.assertThat(k.fdb(KernelState.VXLAN6_DEVICE))
          .as("%s FDB entries on flannel-v6.1", host.name())
          .containsExactlyInAnyOrderElementsOf(UpstreamShapes.fdb6(backend, peers));
    } else {
      s.assertThat(k.hasLink(KernelState.VXLAN6_DEVICE))
          .as("%s has a flannel-v6.1 device", host.name())
          .isFalse();
    }
    if (backend == Backend.UDP) {
      s.assertThat(host.metric("flannel_peers", ""))
          .as("%s flannel_peers (the udp peer table's leases)", host.name())
          .isEqualTo(peers.size());
    }
    s.assertAll();
  }

  /** As {@link #assertUpstreamShaped(SoftAssertions, Backend, Stack, Host, List)} for IPv4. */
  static void assertUpstreamShaped(SoftAssertions s, Backend backend, Host h, List<Host> hosts) {
    assertUpstreamShaped(s, backend, Stack.IPV4, h, hosts);
  }

  /**
   * Soft-asserts that {@code h}'s whole kernel state is what upstream leaves on a host of a cluster
   * of {@code hosts} running {@code stack}: every IPv4 route ({@code ip route}), ARP and FDB entry
   * on flannel.1, and for vxlan the device's settings and its one /32 address; every IPv6 overlay
   * route ({@code ip -6 route}), neighbour and FDB entry on flannel-v6.1, and for vxlan that
   * device's settings and its one /128 address; for host-gw, neither device; for udp, no flannel.1
   * and flannel0's settings and its one /32 address. The peers are taken from the other hosts as
   * they really are (their subnet.env and their own devices' MACs), not from the control plane.
   */
  static void assertUpstreamShaped(
      SoftAssertions s, Backend backend, Stack stack, Host h, List<Host> hosts) {
    SubnetEnv env = h.lease();
    boolean vxlan = backend == Backend.VXLAN;
    List<PeerLease> peers =
        hosts.stream()
            .filter(o -> o != h)
            .map(
                o ->
                    new PeerLease(
                        o.lease().lease(),
                        stack.v4() ? o.publicIp() : null,
                        backend.leaseType(),
                        vxlan && stack.v4() ? o.kernel().linkMac(KernelState.VXLAN_DEVICE) : null,
                        null,
                        o.lease().lease6(),
                        stack.v6() ? o.publicIpv6() : null,
                        vxlan && stack.v6() ? o.kernel().linkMac(KernelState.VXLAN6_DEVICE) : null))
            .toList();
    KernelState k = h.kernel();
    s.assertThat(k.routes())
        .as("%s ip route", h.name())
        .containsExactlyInAnyOrderElementsOf(UpstreamShapes.allRoutes(backend, h, env, peers));
    s.assertThat(k.neighbours(KernelState.VXLAN_DEVICE))
        .as("%s ip -4 neigh show dev flannel.1", h.name())
        .containsExactlyInAnyOrderElementsOf(
            stack.v4() ? UpstreamShapes.arp(backend, peers) : List.of());
    s.assertThat(k.fdb(KernelState.VXLAN_DEVICE))
        .as("%s bridge fdb show dev flannel.1", h.name())
        .containsExactlyInAnyOrderElementsOf(
            stack.v4() ? UpstreamShapes.fdb(backend, peers) : List.of());
    if (vxlan && stack.v4()) {
      assertVxlanDevice(
          s,
          h,
          KernelState.VXLAN_DEVICE,
          UpstreamShapes.vxlanDetailsPattern(h.publicIp()),
          k.ipv4Addresses(KernelState.VXLAN_DEVICE),
          "inet " + Ip4.address(env.lease()) + "/32");
    } else {
      s.assertThat(k.hasLink(KernelState.VXLAN_DEVICE)).as("%s has flannel.1", h.name()).isFalse();
    }
    if (stack.v6()) {
      s.assertThat(k.overlayRoutes6(Stack.IPV6_NETWORK))
          .as("%s ip -6 route: flannel's routes", h.name())
          .containsExactlyInAnyOrderElementsOf(UpstreamShapes.flannelRoutes6(backend, peers));
      s.assertThat(k.routes6())
          .as("%s ip -6 route: cni0's", h.name())
          .contains(UpstreamShapes.cni0Route6(env));
      s.assertThat(k.neighbours6(KernelState.VXLAN6_DEVICE))
          .as("%s ip -6 neigh show dev flannel-v6.1", h.name())
          .containsExactlyInAnyOrderElementsOf(UpstreamShapes.neighbours6(backend, peers));
      s.assertThat(k.fdb(KernelState.VXLAN6_DEVICE))
          .as("%s bridge fdb show dev flannel-v6.1", h.name())
          .containsExactlyInAnyOrderElementsOf(UpstreamShapes.fdb6(backend, peers));
    }
    if (vxlan && stack.v6()) {
      assertVxlanDevice(
          s,
          h,
          KernelState.VXLAN6_DEVICE,
          UpstreamShapes.vxlan6DetailsPattern(h.publicIpv6()),
          k.ipv6Addresses(KernelState.VXLAN6_DEVICE),
          "inet6 " + Ip6.address(env.lease6()) + "/128");
    } else {
      s.assertThat(k.hasLink(KernelState.VXLAN6_DEVICE))
          .as("%s has flannel-v6.1", h.name())
          .isFalse();
    }
    if (backend == Backend.UDP) {
      s.assertThat(k.linkDetails(KernelState.UDP_DEVICE))
          .as("%s ip -d link show flannel0", h.name())
          .matches(UpstreamShapes.udpDetailsPattern())
          .contains(",UP,");
      s.assertThat(k.ipv4Addresses(KernelState.UDP_DEVICE))
          .as("%s addresses of flannel0", h.name())
          .containsExactly("inet " + Ip4.address(env.lease()) + "/32");
    } else {
      s.assertThat(k.hasLink(KernelState.UDP_DEVICE)).as("%s has flannel0", h.name()).isFalse();
    }
  }

  /**
   * A vxlan device's settings ({@code ip -d link show}), its attributes (no multicast group,
   * remote, learning or miss notifications) and its one address, {@code address}.
   */
  private static void assertVxlanDevice(
      SoftAssertions s,
      Host h,
      String dev,
      String detailsPattern,
      List<String> addresses,
      String address) {
    String details = h.kernel().linkDetails(dev);
    s.assertThat(details).as("%s ip -d link show %s", h.name(), dev).matches(detailsPattern);
    s.assertThat(details).as("%s %s is up", h.name(), dev).contains(",UP,");
    String vxlanLine =
        details
            .lines()
            .map(String::strip)
            .filter(l -> l.startsWith("vxlan "))
            .findFirst()
            .orElse("");
    s.assertThat(vxlanLine)
        .as(
            "%s %s attributes: no multicast group, remote, learning or miss notifications",
            h.name(), dev)
        .doesNotContain("l2miss", "l3miss", " group ", " remote ", " learning ");
    s.assertThat(addresses).as("%s addresses of %s", h.name(), dev).containsExactly(address);
  }
}
