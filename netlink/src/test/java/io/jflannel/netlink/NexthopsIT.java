package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.netlink.testing.NamespacedTest;
import io.jflannel.netlink.wire.Rt;
import org.junit.jupiter.api.Test;

class NexthopsIT extends NamespacedTest {
  @Test
  void addsReplacesListsAndDeletesNexthopsAndRoutesThatUseThem() throws Exception {
    Link vx = flannelVxlan(externalLink(), "5e:aa:bb:cc:dd:01");
    Nexthop nh = Nexthop.via(7, Ips.parse("10.244.2.0"), vx.index(), true);
    nl.nexthops().add(nh);
    assertThatThrownBy(() -> nl.nexthops().add(nh))
        .isInstanceOfSatisfying(
            NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST))
        .hasMessageStartingWith("RTM_NEWNEXTHOP id 7 via 10.244.2.0 dev flannel.1 onlink failed");
    nl.nexthops().replace(nh);

    assertThat(ns.ip("nexthop", "show"))
        .contains("id 7 via 10.244.2.0 dev flannel.1 scope link proto boot onlink");
    assertThat(nl.nexthops().list()).containsExactly(nh);

    Route r = Route.nexthop(IpPrefix.parse("10.244.2.0/24"), 7);
    nl.routes().replace(r);
    assertThat(ns.ip("route", "show", "10.244.2.0/24"))
        .contains("nhid 7 via 10.244.2.0 dev flannel.1");
    assertThat(nl.routes().list(Rt.AF_INET, Rt.RT_TABLE_MAIN))
        .anySatisfy(
            x -> {
              assertThat(x.dst()).isEqualTo(IpPrefix.parse("10.244.2.0/24"));
              assertThat(x.nexthopId()).isEqualTo(7);
            });

    nl.nexthops().delete(7);
    assertThat(nl.nexthops().list()).isEmpty();
    assertThat(ns.ip("route", "show", "10.244.2.0/24")).isBlank();
  }

  @Test
  void blackholeNexthop() throws Exception {
    Nexthop bh = new Nexthop(9, null, 0, 0, true, Rt.AF_INET);
    nl.nexthops().add(bh);
    assertThat(ns.ip("nexthop", "show", "id", "9")).contains("id 9 blackhole");
    assertThat(nl.nexthops().list())
        .singleElement()
        .satisfies(n -> assertThat(n.blackhole()).isTrue());
  }
}
