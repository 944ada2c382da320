package io.jflannel.backend.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PeerTableTest {
  private static PeerTable.Route route(String subnet, String ip) {
    return new PeerTable.Route(Ip4Net.parse(subnet), Ip4.parse(ip));
  }

  private static int ip(String s) {
    return Ip4.parseInt(s);
  }

  @Test
  void findsThePeerWhoseSubnetHoldsTheDestination() {
    PeerTable t =
        PeerTable.of(
            List.of(route("10.244.1.0/24", "192.168.1.1"), route("10.244.2.0/24", "192.168.1.2")));

    assertThat(t.nextHop(ip("10.244.1.0"))).isEqualTo(ip("192.168.1.1"));
    assertThat(t.nextHop(ip("10.244.2.255"))).isEqualTo(ip("192.168.1.2"));
    assertThat(t.nextHop(ip("10.244.3.1"))).isZero();
    assertThat(t.nextHop(ip("10.245.1.1"))).isZero();
    assertThat(t.size()).isEqualTo(2);
  }

  @Test
  void theLongestMatchingPrefixWins() {
    PeerTable t =
        PeerTable.of(
            List.of(
                route("10.244.0.0/16", "192.168.1.16"),
                route("10.244.2.128/25", "192.168.1.25"),
                route("10.244.2.0/24", "192.168.1.24"),
                route("10.244.2.7/32", "192.168.1.32")));

    assertThat(t.nextHop(ip("10.244.2.7"))).isEqualTo(ip("192.168.1.32"));
    assertThat(t.nextHop(ip("10.244.2.8"))).isEqualTo(ip("192.168.1.24"));
    assertThat(t.nextHop(ip("10.244.2.200"))).isEqualTo(ip("192.168.1.25"));
    assertThat(t.nextHop(ip("10.244.9.9"))).isEqualTo(ip("192.168.1.16"));
  }

  @Test
  void aDefaultRouteCatchesEverything() {
    PeerTable t =
        PeerTable.of(
            List.of(route("0.0.0.0/0", "192.168.1.1"), route("10.0.0.0/8", "192.168.1.8")));
    assertThat(t.nextHop(ip("203.0.113.1"))).isEqualTo(ip("192.168.1.1"));
    assertThat(t.nextHop(ip("10.9.9.9"))).isEqualTo(ip("192.168.1.8"));
  }

  @Test
  void theLaterOfTwoRoutesForOneSubnetWinsAndUnspecifiedHopsAreLeftOut() {
    PeerTable t =
        PeerTable.of(
            List.of(
                route("10.244.1.0/24", "192.168.1.1"),
                route("10.244.1.0/24", "192.168.1.9"),
                route("10.244.2.0/24", "0.0.0.0")));
    assertThat(t.nextHop(ip("10.244.1.1"))).isEqualTo(ip("192.168.1.9"));
    assertThat(t.nextHop(ip("10.244.2.1"))).isZero();
    assertThat(t.isPeer(ip("192.168.1.1"))).isFalse();
    assertThat(t.isPeer(ip("192.168.1.9"))).isTrue();
    assertThat(t.isPeer(0)).isFalse();
    assertThat(t.size()).isEqualTo(1);
  }

  @Test
  void knowsThePublicIpsOfPeersAndNothingElse() {
    PeerTable t =
        PeerTable.of(
            List.of(route("10.244.1.0/24", "192.168.1.1"), route("10.244.2.0/24", "172.16.0.1")));
    assertThat(t.isPeer(ip("192.168.1.1"))).isTrue();
    assertThat(t.isPeer(ip("172.16.0.1"))).isTrue();
    assertThat(t.isPeer(ip("192.168.1.2"))).isFalse();
    assertThat(t.isPeer(ip("10.244.1.1"))).isFalse();
    assertThat(PeerTable.EMPTY.isPeer(ip("192.168.1.1"))).isFalse();
    assertThat(PeerTable.EMPTY.nextHop(ip("10.244.1.1"))).isZero();
  }

  @Test
  void agreesWithALinearScanOverFiveThousandPeersOfMixedLengths() {
    Random random = new Random(7);
    List<PeerTable.Route> routes = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      int len = 16 + random.nextInt(17);
      routes.add(
          new PeerTable.Route(
              Ip4Net.of(0x0a000000 | random.nextInt(1 << 20), len), new Ip4(0xc0a80000 | (i + 1))));
    }
    PeerTable t = PeerTable.of(routes);
    for (int i = 0; i < 200_000; i++) {
      int dst = 0x0a000000 | random.nextInt(1 << 20);
      assertThat(t.nextHop(dst)).isEqualTo(linear(routes, dst));
    }
  }

  /** Longest match by brute force; the later of equal subnets wins, as in {@link PeerTable#of}. */
  private static int linear(List<PeerTable.Route> routes, int dst) {
    int best = -1;
    int hop = 0;
    for (PeerTable.Route r : routes) {
      if (r.subnet().contains(new Ip4(dst)) && r.subnet().prefixLength() >= best) {
        best = r.subnet().prefixLength();
        hop = r.publicIp().value();
      }
    }
    return hop;
  }
}
