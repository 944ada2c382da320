package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.netlink.testing.NamespacedTest;
import io.jflannel.netlink.wire.Rt;
import org.junit.jupiter.api.Test;

class NeighboursIT extends NamespacedTest {
  @Test
  void replacesListsAndDeletesPermanentArpEntries() throws Exception {
    Link vx = flannelVxlan(externalLink(), "5e:aa:bb:cc:dd:01");
    Neighbour n =
        Neighbour.permanent(
            vx.index(), Ips.parse("10.244.2.0"), MacAddress.parse("5e:aa:bb:cc:dd:02"));
    nl.neighbours().replace(n);
    nl.neighbours().replace(n);

    assertThat(ns.ip("neigh", "show", "dev", "flannel.1"))
        .contains("10.244.2.0 lladdr 5e:aa:bb:cc:dd:02 PERMANENT");
    assertThat(arp(vx.index())).containsExactly(n);

    Neighbour moved =
        Neighbour.permanent(
            vx.index(), Ips.parse("10.244.2.0"), MacAddress.parse("5e:aa:bb:cc:dd:03"));
    nl.neighbours().replace(moved);
    assertThat(arp(vx.index())).containsExactly(moved);

    nl.neighbours().delete(moved);
    assertThat(arp(vx.index())).isEmpty();
    assertThat(ns.ip("neigh", "show", "dev", "flannel.1")).isBlank();
  }

  /** The IPv4 (ARP) entries; the kernel adds IPv6 multicast entries on its own, at any time. */
  private java.util.List<Neighbour> arp(int link) throws Exception {
    return nl.neighbours().list(link).stream()
        .filter(x -> x.ip() instanceof java.net.Inet4Address)
        .toList();
  }

  @Test
  void ipv6NeighbourEntries() throws Exception {
    Link ext = externalLink();
    Neighbour n =
        Neighbour.permanent(
            ext.index(), Ips.parse("fd00:42::9"), MacAddress.parse("0e:00:00:00:00:09"));
    nl.neighbours().replace(n);
    assertThat(ns.ip("-6", "neigh", "show", "dev", "ext0"))
        .contains("fd00:42::9 lladdr 0e:00:00:00:00:09 PERMANENT");
    assertThat(nl.neighbours().list(ext.index()))
        .anySatisfy(x -> assertThat(x.state()).isEqualTo(Rt.NUD_PERMANENT))
        .contains(n);
  }
}
