package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.netlink.testing.NamespacedTest;
import io.jflannel.netlink.wire.Rt;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchIT extends NamespacedTest {
  private static IpPrefix subnet(int i) {
    return IpPrefix.parse("10." + (100 + i / 256) + "." + (i % 256) + ".0/24");
  }

  @Test
  void programsThousandsOfPeersInOneBatchAndReportsEachResult() throws Exception {
    Link vx = flannelVxlan(externalLink(), "5e:aa:bb:cc:dd:01");
    int n = 3000;
    List<Request> reqs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      IpPrefix s = subnet(i);
      MacAddress mac = new MacAddress(0x0e0000000000L + i);
      reqs.add(nl.neighbours().replaceRequest(Neighbour.permanent(vx.index(), s.address(), mac)));
      reqs.add(
          nl.fdb()
              .appendRequest(
                  FdbEntry.permanent(
                      vx.index(), mac, Ips.parse("192.168.5" + (i % 2) + "." + (1 + i % 250)))));
      reqs.add(nl.routes().replaceRequest(Route.via(s, s.address(), vx.index()).onlink()));
    }
    List<Result> results = nl.batch(reqs);

    assertThat(results).hasSize(3 * n).allMatch(Result::ok);
    assertThat(nl.routes().listByLink(Rt.AF_INET, vx.index())).hasSize(n);
    assertThat(nl.neighbours().list(vx.index()))
        .filteredOn(x -> x.ip() instanceof java.net.Inet4Address)
        .hasSize(n);
    assertThat(nl.fdb().list(vx.index())).filteredOn(f -> f.dst() != null).hasSize(n);
    assertThat(ns.ip("route", "show", "dev", "flannel.1").lines().count()).isEqualTo(n);

    List<Request> deletes = new ArrayList<>();
    for (Route r : nl.routes().listByLink(Rt.AF_INET, vx.index())) {
      deletes.add(nl.routes().deleteRequest(r));
    }
    assertThat(nl.batch(deletes)).allMatch(Result::ok);
    assertThat(nl.routes().listByLink(Rt.AF_INET, vx.index())).isEmpty();
  }

  @Test
  void aBatchThatCrossesTheSequenceNumberLimitStillMatchesEveryAck() throws Exception {
    Link vx = flannelVxlan(externalLink(), "5e:aa:bb:cc:dd:01");
    nl.forceSequence(Integer.MAX_VALUE - 10);
    List<Request> reqs = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      IpPrefix s = subnet(i);
      reqs.add(nl.routes().replaceRequest(Route.via(s, s.address(), vx.index()).onlink()));
    }
    assertThat(nl.batch(reqs)).hasSize(100).allMatch(Result::ok);
    assertThat(nl.links().get("flannel.1").index()).isEqualTo(vx.index());
  }

  @Test
  void aFailedRequestInTheMiddleDoesNotStopTheOthers() throws Exception {
    Link vx = flannelVxlan(externalLink(), "5e:aa:bb:cc:dd:01");
    List<Request> reqs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      IpPrefix s = subnet(i);
      Route r = Route.via(s, s.address(), vx.index());
      reqs.add(nl.routes().replaceRequest(i == 4 ? r : r.onlink())); // #4 lacks onlink
    }
    reqs.add(nl.routes().deleteRequest(Route.via(subnet(99), subnet(99).address(), vx.index())));

    List<Result> results = nl.batch(reqs);

    assertThat(results).hasSize(11);
    assertThat(results.get(4).ok()).isFalse();
    assertThat(results.get(4).exception())
        .hasMessageStartingWith("RTM_NEWROUTE 10.100.4.0/24 via 10.100.4.0 dev flannel.1 failed");
    assertThat(results.get(10).errno()).isEqualTo(Errno.ESRCH);
    for (int i : new int[] {0, 1, 2, 3, 5, 6, 7, 8, 9}) {
      assertThat(results.get(i).ok()).as("result %d", i).isTrue();
    }
    assertThat(nl.routes().listByLink(Rt.AF_INET, vx.index())).hasSize(9);
  }
}
