package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.netlink.testing.NamespacedTest;
import org.junit.jupiter.api.Test;

class FdbIT extends NamespacedTest {
  @Test
  void appendsReplacesListsAndDeletesVxlanFdbEntries() throws Exception {
    Link vx = flannelVxlan(externalLink(), "5e:aa:bb:cc:dd:01");
    MacAddress peer = MacAddress.parse("5e:aa:bb:cc:dd:02");
    FdbEntry e = FdbEntry.permanent(vx.index(), peer, Ips.parse("192.168.50.3"));

    nl.fdb().append(e);
    assertThat(ns.exec("bridge", "fdb", "show", "dev", "flannel.1").stdout())
        .contains("5e:aa:bb:cc:dd:02 dst 192.168.50.3 self permanent");
    assertThat(nl.fdb().list(vx.index())).contains(e);

    FdbEntry moved = FdbEntry.permanent(vx.index(), peer, Ips.parse("192.168.50.4"));
    nl.fdb().replace(moved);
    assertThat(nl.fdb().list(vx.index())).contains(moved).doesNotContain(e);
    assertThat(ns.exec("bridge", "fdb", "show", "dev", "flannel.1").stdout())
        .contains("5e:aa:bb:cc:dd:02 dst 192.168.50.4 self permanent");

    nl.fdb().delete(moved);
    assertThat(nl.fdb().list(vx.index())).extracting(FdbEntry::mac).doesNotContain(peer);
    assertThat(ns.exec("bridge", "fdb", "show", "dev", "flannel.1").stdout())
        .doesNotContain("5e:aa:bb:cc:dd:02");
  }

  @Test
  void appendKeepsSeveralDestinationsForTheAllZeroMac() throws Exception {
    Link vx = flannelVxlan(externalLink(), "5e:aa:bb:cc:dd:01");
    MacAddress zero = MacAddress.parse("00:00:00:00:00:00");
    nl.fdb().append(FdbEntry.permanent(vx.index(), zero, Ips.parse("192.168.50.3")));
    nl.fdb().append(FdbEntry.permanent(vx.index(), zero, Ips.parse("192.168.50.4")));
    assertThat(nl.fdb().list(vx.index()))
        .filteredOn(f -> f.mac().equals(zero))
        .extracting(FdbEntry::dst)
        .containsExactlyInAnyOrder(Ips.parse("192.168.50.3"), Ips.parse("192.168.50.4"));
  }
}
