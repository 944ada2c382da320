package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.netlink.wire.NlMessage;
import io.jflannel.netlink.wire.Rt;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link RouteCodec#decode} on the kernel's real {@code RTM_NEWROUTE} replies: {@code
 * captured/route-dump.hex} ({@code ip route show table all}) and {@code captured/route-get.hex}
 * ({@code ip route get 10.244.2.5}).
 */
class RouteDecodingTest {
  private static final int KERNEL = Rt.RTPROT_KERNEL;
  private static final int BOOT = Rt.RTPROT_BOOT;
  private static final int UNICAST = Rt.RTN_UNICAST;
  private static final int LOCAL = Rt.RTN_LOCAL;
  private static final int BROADCAST = 3;
  private static final int MULTICAST = 5;
  private static final int MAIN = Rt.RT_TABLE_MAIN;
  private static final int LOCAL_TABLE = Rt.RT_TABLE_LOCAL;
  private static final int ONLINK = Rt.RTNH_F_ONLINK;
  private static final int RTM_F_CLONED = 0x200;

  @BeforeAll
  static void littleEndian() {
    Captured.assumeLittleEndian();
  }

  private static Route route(
      String dst,
      String gw,
      int oif,
      int flags,
      int scope,
      int table,
      int protocol,
      int type,
      int nhid,
      int metric,
      String src) {
    return new Route(
        IpPrefix.parse(dst),
        gw == null ? null : Ips.parse(gw),
        oif,
        flags,
        scope,
        table,
        protocol,
        type,
        nhid,
        metric,
        src == null ? null : Ips.parse(src));
  }

  private static List<Route> decodeAll(String file) throws NetlinkParseException {
    List<Route> out = new ArrayList<>();
    for (NlMessage m : Captured.messages(file, Rt.RTM_NEWROUTE)) {
      out.add(RouteCodec.decode(m));
    }
    return out;
  }

  @Test
  void dumpOfEveryTableDecodesToEveryRoute() throws Exception {
    int host = Rt.RT_SCOPE_HOST;
    int link = Rt.RT_SCOPE_LINK;
    assertThat(decodeAll("route-dump.hex"))
        .containsExactly(
            route("10.244.5.0/24", "192.168.50.1", 3, 0, 0, 1000, BOOT, UNICAST, 0, 0, null),
            route("10.244.6.0/24", "192.168.50.1", 3, 0, 0, 1000, BOOT, UNICAST, 0, 0, null),
            route("10.244.2.0/24", "10.244.2.0", 5, ONLINK, 0, MAIN, BOOT, UNICAST, 0, 0, null),
            route("10.244.3.0/24", "10.244.3.0", 5, ONLINK, 0, MAIN, BOOT, UNICAST, 10, 0, null),
            route("192.168.50.0/24", null, 3, 0, link, MAIN, KERNEL, UNICAST, 0, 0, "192.168.50.2"),
            route(
                "10.244.1.0/32", null, 5, 0, host, LOCAL_TABLE, KERNEL, LOCAL, 0, 0, "10.244.1.0"),
            route("127.0.0.0/8", null, 1, 0, host, LOCAL_TABLE, KERNEL, LOCAL, 0, 0, "127.0.0.1"),
            route("127.0.0.1/32", null, 1, 0, host, LOCAL_TABLE, KERNEL, LOCAL, 0, 0, "127.0.0.1"),
            route(
                "127.255.255.255/32",
                null,
                1,
                0,
                link,
                LOCAL_TABLE,
                KERNEL,
                BROADCAST,
                0,
                0,
                "127.0.0.1"),
            route(
                "192.168.50.2/32",
                null,
                3,
                0,
                host,
                LOCAL_TABLE,
                KERNEL,
                LOCAL,
                0,
                0,
                "192.168.50.2"),
            route(
                "192.168.50.255/32",
                null,
                3,
                0,
                link,
                LOCAL_TABLE,
                KERNEL,
                BROADCAST,
                0,
                0,
                "192.168.50.2"),
            route("fd00:1::/64", null, 3, 0, 0, MAIN, KERNEL, UNICAST, 0, 256, null),
            route("fd00:2::/64", "fd00:1::2", 3, 0, 0, MAIN, BOOT, UNICAST, 0, 1024, null),
            route("fe80::/64", null, 2, 0, 0, MAIN, KERNEL, UNICAST, 0, 256, null),
            route("fe80::/64", null, 3, 0, 0, MAIN, KERNEL, UNICAST, 0, 256, null),
            route("fe80::/64", null, 5, 0, 0, MAIN, KERNEL, UNICAST, 0, 256, null),
            route("::1/128", null, 1, 0, 0, LOCAL_TABLE, KERNEL, LOCAL, 0, 0, null),
            route("fd00:1::1/128", null, 3, 0, 0, LOCAL_TABLE, KERNEL, LOCAL, 0, 0, null),
            route("fe80::c00:ff:fe00:1/128", null, 3, 0, 0, LOCAL_TABLE, KERNEL, LOCAL, 0, 0, null),
            route(
                "fe80::1c2d:27ff:fecc:617c/128",
                null,
                2,
                0,
                0,
                LOCAL_TABLE,
                KERNEL,
                LOCAL,
                0,
                0,
                null),
            route(
                "fe80::5caa:bbff:fecc:dd01/128",
                null,
                5,
                0,
                0,
                LOCAL_TABLE,
                KERNEL,
                LOCAL,
                0,
                0,
                null),
            route("ff00::/8", null, 2, 0, 0, LOCAL_TABLE, KERNEL, MULTICAST, 0, 256, null),
            route("ff00::/8", null, 3, 0, 0, LOCAL_TABLE, KERNEL, MULTICAST, 0, 256, null),
            route("ff00::/8", null, 5, 0, 0, LOCAL_TABLE, KERNEL, MULTICAST, 0, 256, null));
  }

  @Test
  void flannelsOnlinkRouteComesBackEqualToTheRouteWritten() throws Exception {
    Route written = Route.via(IpPrefix.parse("10.244.2.0/24"), Ips.parse("10.244.2.0"), 5).onlink();
    assertThat(decodeAll("route-dump.hex").get(2)).isEqualTo(written);
  }

  @Test
  void routeToANexthopObjectComesBackWithTheNexthopsGatewayFilledIn() throws Exception {
    Route written = Route.nexthop(IpPrefix.parse("10.244.3.0/24"), 10);
    Route read = decodeAll("route-dump.hex").get(3);

    // the kernel reports RTA_NH_ID and also the nexthop's gateway, device and onlink flag
    assertThat(read.nexthopId()).isEqualTo(10);
    assertThat(read.gateway()).isEqualTo(Ips.parse("10.244.3.0"));
    assertThat(read).isNotEqualTo(written);
    assertThat(read.sameTarget(written)).isTrue();
  }

  @Test
  void routeGetReplyNamesGatewayDeviceAndSource() throws Exception {
    Route r = RouteCodec.decode(Captured.only(Captured.datagram("route-get.hex", "datagram-1")));

    assertThat(r)
        .isEqualTo(
            route(
                "10.244.2.5/32",
                "10.244.2.0",
                5,
                RTM_F_CLONED,
                0,
                MAIN,
                0,
                UNICAST,
                0,
                0,
                "10.244.1.0"));
  }

  @Test
  void ipv6RouteToAnIpv4MappedPrefixDecodesAsIpv6() throws Exception {
    // ip -6 route add ::ffff:0.0.0.0/96 dev ext0; then ip -6 route show table main
    Route mapped = decodeAll("route-dump-v4mapped.hex").get(0);

    assertThat(mapped.family()).isEqualTo(Rt.AF_INET6);
    assertThat(mapped.dst().address()).isInstanceOf(Inet6Address.class);
    assertThat(mapped.dst().length()).isEqualTo(96);
    assertThat(mapped.linkIndex()).isEqualTo(3);
  }

  @Test
  void ipv6DumpWithoutAMappedRouteDecodesTheOtherRoutes() throws Exception {
    List<NlMessage> ms = Captured.messages("route-dump-v4mapped.hex", Rt.RTM_NEWROUTE);
    List<Route> rest = new ArrayList<>();
    for (NlMessage m : ms.subList(1, ms.size())) {
      rest.add(RouteCodec.decode(m));
    }
    assertThat(rest)
        .extracting(r -> r.dst().toString())
        .containsExactly("fd00:1::/64", "fd00:2::/64", "fe80::/64", "fe80::/64", "fe80::/64");
  }
}
