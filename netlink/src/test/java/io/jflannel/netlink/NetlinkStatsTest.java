package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.netlink.wire.Rt;
import org.junit.jupiter.api.Test;

/** How requests are classified and counted; the kernel is not needed. */
class NetlinkStatsTest {

  private static final int ACK = Rt.NLM_F_REQUEST | Rt.NLM_F_ACK;

  private static String label(int type, int flags, int family) {
    int i = NetlinkStats.slot(type, flags, family);
    if (i < 0) {
      return "none";
    }
    int ops = NetlinkStats.OPS.size();
    return NetlinkStats.OBJECTS.get(i / ops) + "/" + NetlinkStats.OPS.get(i % ops);
  }

  @Test
  void classifiesByMessageTypeFlagsAndFamily() {
    int create = ACK | Rt.NLM_F_CREATE;
    assertThat(label(Rt.RTM_NEWROUTE, create | Rt.NLM_F_REPLACE, Rt.AF_INET))
        .isEqualTo("route/replace");
    assertThat(label(Rt.RTM_NEWROUTE, create | Rt.NLM_F_EXCL, Rt.AF_INET)).isEqualTo("route/add");
    assertThat(label(Rt.RTM_DELROUTE, ACK, Rt.AF_INET)).isEqualTo("route/delete");
    assertThat(label(Rt.RTM_GETROUTE, Rt.NLM_F_REQUEST | Rt.NLM_F_DUMP, Rt.AF_INET))
        .isEqualTo("route/dump");
    assertThat(label(Rt.RTM_GETROUTE, Rt.NLM_F_REQUEST, Rt.AF_INET)).isEqualTo("route/get");
    assertThat(label(Rt.RTM_NEWNEIGH, create | Rt.NLM_F_REPLACE, Rt.AF_INET))
        .isEqualTo("neighbour/replace");
    assertThat(label(Rt.RTM_NEWNEIGH, create | Rt.NLM_F_APPEND, Rt.AF_BRIDGE))
        .isEqualTo("fdb/append");
    assertThat(label(Rt.RTM_DELNEIGH, ACK, Rt.AF_BRIDGE)).isEqualTo("fdb/delete");
    assertThat(label(Rt.RTM_NEWNEXTHOP, create | Rt.NLM_F_REPLACE, Rt.AF_INET))
        .isEqualTo("nexthop/replace");
    assertThat(label(Rt.RTM_NEWLINK, create | Rt.NLM_F_EXCL, 0)).isEqualTo("link/add");
    assertThat(label(Rt.RTM_DELADDR, ACK, Rt.AF_INET)).isEqualTo("address/delete");
    assertThat(label(Rt.NLMSG_ERROR, 0, 0)).isEqualTo("none");
  }

  @Test
  void countsRequestsAndRefusalsOfTheRequestsOwnKind() {
    NetlinkStats stats = new NetlinkStats();
    IpPrefix dst = IpPrefix.parse("10.244.2.0/24");
    Request replace = RouteCodec.replace(Route.via(dst, dst.address(), 7).onlink(), i -> "if" + i);
    Request dump = RouteCodec.dump(Rt.AF_INET);
    stats.record(replace, 0);
    stats.record(replace, 0);
    stats.record(replace, Errno.ENETUNREACH);
    stats.record(dump, 0);

    assertThat(stats.counts())
        .containsExactly(
            new NetlinkStats.Count("route", "replace", 3, 1),
            new NetlinkStats.Count("route", "dump", 1, 0));
  }
}
