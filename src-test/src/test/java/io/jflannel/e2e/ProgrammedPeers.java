package io.jflannel.e2e;

import java.util.List;
import org.assertj.core.api.SoftAssertions;

/**
 * The check at the heart of every scenario: a host holds, for each peer lease, exactly the kernel
 * entries upstream flannel would program (one route; for vxlan also one ARP and one FDB entry on
 * flannel.1) and no other flannel-owned entry, stale or foreign.
 */
final class ProgrammedPeers {
  private ProgrammedPeers() {}

  static void assertExactly(Backend backend, Host host, List<PeerLease> peers) {
    KernelState k = host.kernel();
    SoftAssertions s = new SoftAssertions();
    s.assertThat(k.overlayRoutes(Backend.NETWORK))
        .as("%s overlay routes", host.name())
        .containsExactlyInAnyOrderElementsOf(UpstreamShapes.peerRoutes(backend, peers));
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
    s.assertAll();
  }
}
