package io.jflannel.e2e;

import java.util.List;
import org.assertj.core.api.SoftAssertions;

/**
 * The check at the heart of every scenario: a host holds, for each peer lease, exactly the kernel
 * entries upstream flannel would program (one route; for vxlan also one ARP and one FDB entry on
 * flannel.1) and no other flannel-owned entry, stale or foreign. The udp backend keeps its peers in
 * the daemon's memory, not in the kernel: there the check is the one route for the whole Network
 * through flannel0 plus the daemon's own count of peers ({@code flannel_peers} on {@code
 * /metrics}). {@link #assertUpstreamShaped} is the fuller form the first scenario of each mode
 * runs.
 */
final class ProgrammedPeers {
  private ProgrammedPeers() {}

  static void assertExactly(Backend backend, Host host, List<PeerLease> peers) {
    KernelState k = host.kernel();
    SoftAssertions s = new SoftAssertions();
    s.assertThat(k.overlayRoutes(Backend.NETWORK))
        .as("%s overlay routes", host.name())
        .containsExactlyInAnyOrderElementsOf(UpstreamShapes.flannelRoutes(backend, peers));
    if (backend == Backend.VXLAN) {
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
    if (backend == Backend.WIREGUARD) {
      s.assertThat(Wireguard.peers(host))
          .as("%s wg show flannel-wg dump (peers)", host.name())
          .containsExactlyInAnyOrderElementsOf(
              peers.stream().flatMap(p -> Wireguard.expectedPeer(p).stream()).toList());
    }
    if (backend == Backend.UDP) {
      s.assertThat(host.metric("flannel_peers", ""))
          .as("%s flannel_peers (the udp peer table's leases)", host.name())
          .isEqualTo(peers.size());
    }
    s.assertAll();
  }

  /**
   * Soft-asserts that {@code h}'s whole kernel state is what upstream leaves on a host of a cluster
   * of {@code hosts}: every route ({@code ip route}), ARP and FDB entry on flannel.1, and for vxlan
   * the device's settings and its one /32 address; for host-gw, no flannel.1; for udp, no flannel.1
   * and flannel0's settings and its one /32 address. The peers are taken from the other hosts as
   * they really are (their subnet.env and their own flannel.1's MAC), not from the control plane.
   */
  static void assertUpstreamShaped(SoftAssertions s, Backend backend, Host h, List<Host> hosts) {
    SubnetEnv env = h.lease();
    List<PeerLease> peers =
        hosts.stream()
            .filter(o -> o != h)
            .map(
                o ->
                    new PeerLease(
                        o.lease().lease(),
                        o.publicIp(),
                        backend.leaseType(),
                        backend == Backend.VXLAN
                            ? o.kernel().linkMac(KernelState.VXLAN_DEVICE)
                            : null,
                        backend == Backend.WIREGUARD
                            ? UpstreamShapes.leaseValue(
                                backend, o.publicIp(), Wireguard.publicKey(o))
                            : null))
            .toList();
    KernelState k = h.kernel();
    s.assertThat(k.routes())
        .as("%s ip route", h.name())
        .containsExactlyInAnyOrderElementsOf(UpstreamShapes.allRoutes(backend, h, env, peers));
    s.assertThat(k.neighbours(KernelState.VXLAN_DEVICE))
        .as("%s ip neigh show dev flannel.1", h.name())
        .containsExactlyInAnyOrderElementsOf(UpstreamShapes.arp(backend, peers));
    s.assertThat(k.fdb(KernelState.VXLAN_DEVICE))
        .as("%s bridge fdb show dev flannel.1", h.name())
        .containsExactlyInAnyOrderElementsOf(UpstreamShapes.fdb(backend, peers));
    if (backend == Backend.VXLAN) {
      String details = k.linkDetails(KernelState.VXLAN_DEVICE);
      s.assertThat(details)
          .as("%s ip -d link show flannel.1", h.name())
          .matches(UpstreamShapes.vxlanDetailsPattern(h.publicIp()))
          .contains(",UP,");
      String vxlanLine =
          details
              .lines()
              .map(String::strip)
              .filter(l -> l.startsWith("vxlan "))
              .findFirst()
              .orElse("");
      s.assertThat(vxlanLine)
          .as(
              "%s vxlan attributes: no multicast group, remote, learning or miss notifications",
              h.name())
          .doesNotContain("l2miss", "l3miss", " group ", " remote ", " learning ");
      s.assertThat(k.ipv4Addresses(KernelState.VXLAN_DEVICE))
          .as("%s addresses of flannel.1", h.name())
          .containsExactly("inet " + Ip4.address(env.lease()) + "/32");
    } else {
      s.assertThat(k.hasLink(KernelState.VXLAN_DEVICE)).as("%s has flannel.1", h.name()).isFalse();
    }
    if (backend == Backend.WIREGUARD) {
      s.assertThat(k.linkDetails(Wireguard.DEVICE))
          .as("%s ip -d link show flannel-wg (wireguard-go's TUN)", h.name())
          .matches("(?s).*\\bmtu " + Backend.WIREGUARD.mtu() + "\\b.*\\btun type tun\\b.*")
          .contains(",UP,");
      s.assertThat(k.ipv4Addresses(Wireguard.DEVICE))
          .as("%s addresses of flannel-wg", h.name())
          .containsExactly("inet " + Ip4.address(env.lease()) + "/32");
      s.assertThat(Wireguard.peers(h))
          .as("%s wg show flannel-wg dump (peers)", h.name())
          .containsExactlyInAnyOrderElementsOf(
              peers.stream().flatMap(p -> Wireguard.expectedPeer(p).stream()).toList());
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
}
