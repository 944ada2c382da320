package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.netlink.testing.NamespacedTest;
import io.jflannel.netlink.wire.Rt;
import org.junit.jupiter.api.Test;

class RoutesIT extends NamespacedTest {
  @Test
  void replacesListsAndDeletesFlannelsOnlinkRoute() throws Exception {
    Link vx = flannelVxlan(externalLink(), "5e:aa:bb:cc:dd:01");
    Route r =
        Route.via(IpPrefix.parse("10.244.2.0/24"), Ips.parse("10.244.2.0"), vx.index()).onlink();

    nl.routes().replace(r);
    nl.routes().replace(r); // replace is idempotent

    assertThat(ns.ip("route", "show", "dev", "flannel.1"))
        .contains("10.244.2.0/24 via 10.244.2.0 onlink");
    assertThat(nl.routes().listByLink(Rt.AF_INET, vx.index())).containsExactly(r);

    nl.routes().delete(r);
    assertThat(nl.routes().listByLink(Rt.AF_INET, vx.index())).isEmpty();
    assertThat(ns.ip("route", "show", "dev", "flannel.1")).isBlank();
  }

  @Test
  void aGatewayThatIsNotOnLinkIsRefusedWithAReadableError() throws Exception {
    Link vx = flannelVxlan(externalLink(), "5e:aa:bb:cc:dd:01");
    Route r = Route.via(IpPrefix.parse("10.244.2.0/24"), Ips.parse("10.244.2.0"), vx.index());
    assertThatThrownBy(() -> nl.routes().replace(r))
        .isInstanceOf(NetlinkException.class)
        .hasMessageStartingWith("RTM_NEWROUTE 10.244.2.0/24 via 10.244.2.0 dev flannel.1 failed: ")
        .satisfies(
            e -> assertThat(((NetlinkException) e).errno()).isIn(Errno.ENETUNREACH, Errno.EINVAL));
  }

  @Test
  void hostGwRouteViaPeerOnTheExternalLink() throws Exception {
    Link ext = externalLink();
    Route r = Route.via(IpPrefix.parse("10.244.3.0/24"), Ips.parse("192.168.50.3"), ext.index());
    nl.routes().replace(r);
    assertThat(ns.ip("route", "show", "10.244.3.0/24")).contains("via 192.168.50.3 dev ext0");
    assertThat(nl.routes().list(Rt.AF_INET, Rt.RT_TABLE_MAIN)).contains(r);
  }

  @Test
  void routesInOtherTablesAndWithMetricsAndV6() throws Exception {
    Link ext = externalLink();
    nl.addresses().add(new Address(ext.index(), IpPrefix.parse("fd00:42::2/64"), 0, 0x80));
    Route t =
        Route.via(IpPrefix.parse("10.9.0.0/16"), Ips.parse("192.168.50.1"), ext.index())
            .withTable(1000);
    Route v6 = Route.via(IpPrefix.parse("fd00:99::/64"), Ips.parse("fd00:42::1"), ext.index());
    nl.routes().replace(t);
    nl.routes().replace(v6);
    assertThat(ns.ip("route", "show", "table", "1000")).contains("10.9.0.0/16 via 192.168.50.1");
    assertThat(ns.ip("-6", "route", "show", "fd00:99::/64")).contains("via fd00:42::1 dev ext0");
    assertThat(nl.routes().list(Rt.AF_INET, 1000)).containsExactly(t);
    assertThat(nl.routes().list(Rt.AF_INET6, Rt.RT_TABLE_MAIN))
        .anySatisfy(r -> assertThat(r.dst()).isEqualTo(IpPrefix.parse("fd00:99::/64")));
    nl.routes().delete(t);
    assertThat(nl.routes().list(Rt.AF_INET, 1000)).isEmpty();
  }

  @Test
  void routeGetNamesTheOutputLinkAndSource() throws Exception {
    Link ext = externalLink();
    Route got = nl.routes().get(Ips.parse("192.168.50.7"));
    assertThat(got.linkIndex()).isEqualTo(ext.index());
    assertThat(got.gateway()).isNull();
    assertThat(got.prefSrc()).isEqualTo(Ips.parse("192.168.50.2"));
    assertThat(ns.ip("route", "get", "192.168.50.7")).contains("dev ext0 src 192.168.50.2");

    nl.routes()
        .replace(Route.via(IpPrefix.parse("0.0.0.0/0"), Ips.parse("192.168.50.1"), ext.index()));
    // a lookup only: no packet is sent
    Route viaDefault = nl.routes().get(Ips.parse("203.0.113.9"));
    assertThat(viaDefault.gateway()).isEqualTo(Ips.parse("192.168.50.1"));
    assertThat(viaDefault.linkIndex()).isEqualTo(ext.index());
  }

  @Test
  void deletesARouteWhoeverInstalledItLikeIpRouteDel() throws Exception {
    Link ext = externalLink();
    ns.ip("route", "add", "10.244.8.0/24", "via", "192.168.50.8", "dev", "ext0", "proto", "static");
    nl.routes()
        .delete(Route.via(IpPrefix.parse("10.244.8.0/24"), Ips.parse("192.168.50.8"), ext.index()));
    assertThat(ns.ip("route", "show", "10.244.8.0/24")).isBlank();
  }

  @Test
  void routeGetWithoutARouteIsNetworkUnreachable() {
    assertThatThrownBy(() -> nl.routes().get(Ips.parse("10.1.2.3")))
        .isInstanceOfSatisfying(
            NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENETUNREACH))
        .hasMessage("RTM_GETROUTE 10.1.2.3 failed: Network is unreachable (ENETUNREACH)");
  }
}
