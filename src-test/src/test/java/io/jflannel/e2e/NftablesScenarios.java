package io.jflannel.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jflannel.netlink.testing.RootOnly;
import io.jflannel.netlink.testing.Sh;
import io.jflannel.netlink.testing.TestNetns;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * nftables mode ({@code "EnableNFTables": true}, {@code --ip-masq}), vxlan, run once per control
 * plane by the subclasses: two hosts share one cluster for the class. Pods reach each other, each
 * host holds upstream's table {@code ip flannel-ipv4} and no iptables chain of flannel's, traffic
 * leaving the overlay reaches a stranger on the underlay from the node's address while pod-to-pod
 * traffic keeps the pod's, a hand-deleted rule is back within one {@code --iptables-resync} period,
 * and a host switched to iptables mode and back keeps only the current mode's rules. The daemons
 * also run with {@code --ip-blackhole-route}, re-asserted on the same period: each host has the
 * blackhole route of its subnet beside the {@code cni0} route (pods still reach each other), and
 * one deleted by hand comes back.
 */
@ExtendWith(RootOnly.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class NftablesScenarios {
  static final String NFT_NET_CONF = netConf(true);

  /** The resync period of the rules in these scenarios (seconds). */
  static final int RULES_RESYNC = 1;

  private Cluster cluster;

  /** {@code {"Network":...,"EnableNFTables":<nftables>,"Backend":{"Type":"vxlan"}}}. */
  static String netConf(boolean nftables) {
    return "{\"Network\":\""
        + Backend.NETWORK
        + "\",\"EnableNFTables\":"
        + nftables
        + ",\"Backend\":{\"Type\":\"vxlan\"}}";
  }

  /**
   * Starts the cluster with {@code netConf} and {@code flags} added to the daemons' flags, which
   * must include {@code --ip-masq}.
   */
  abstract Cluster start(String netConf, List<String> flags);

  @BeforeAll
  void startCluster() {
    assumeTrue(
        Files.isExecutable(Path.of("/usr/sbin/nft")) || Files.isExecutable(Path.of("/sbin/nft")),
        "skipped: nft is missing (apt-get install nftables)");
    cluster =
        start(
            NFT_NET_CONF,
            List.of("--iptables-resync", Integer.toString(RULES_RESYNC), "--ip-blackhole-route"));
  }

  @AfterAll
  void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void fromAConvergedCluster() {
    cluster.awaitConverged();
  }

  @Test
  @Order(1)
  void podsReachEachOtherAndEachHostHoldsUpstreamsTableAndNoIptablesChain() {
    cluster.assertPodsReachEachOther();
    SoftAssertions s = new SoftAssertions();
    for (Host h : cluster.hosts()) {
      s.assertThat(h.kernel().nftTable("ip", "flannel-ipv4"))
          .as("%s: nft list table ip flannel-ipv4", h.name())
          .containsExactlyElementsOf(UpstreamShapes.nftTable(h.lease().lease()));
      s.assertThat(h.kernel().iptablesFlannelLines())
          .as("%s: iptables-save lines naming a FLANNEL- chain", h.name())
          .isEmpty();
      s.assertThat(h.lease().vars()).containsEntry("FLANNEL_IPMASQ", "true");
    }
    s.assertAll();
  }

  @Test
  @Order(2)
  void trafficLeavingTheOverlayIsMasqueradedAndPodToPodTrafficIsNot() throws IOException {
    Host h1 = cluster.host(1);
    Host h2 = cluster.host(2);
    TestNetns stranger = cluster.addOutsider(1);
    String strangerIp = "192.168.100.201";

    try (DatagramChannel outside = Datagrams.open(stranger, null);
        DatagramChannel pod2 = Datagrams.open(h2.podNs(), null)) {
      assertThat(sourceSeenBy(outside, h1, strangerIp))
          .as("source of a datagram from %s's pod to a stranger on the underlay", h1.name())
          .isEqualTo(h1.publicIp());
      assertThat(sourceSeenBy(pod2, h1, h2.podIp()))
          .as("source of a datagram from %s's pod to %s's pod", h1.name(), h2.name())
          .isEqualTo(h1.podIp());
    }
  }

  /** Sends a datagram from {@code from}'s pod to {@code listener} at {@code ip}: its source. */
  private static String sourceSeenBy(DatagramChannel listener, Host from, String ip)
      throws IOException {
    int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
    byte[] tag = UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII);
    Datagrams.send(from.podNs(), ip, port, tag);
    ByteBuffer buf = ByteBuffer.allocate(256);
    InetSocketAddress[] source = new InetSocketAddress[1];
    await("a datagram at " + ip + ":" + port)
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              buf.clear();
              source[0] = (InetSocketAddress) listener.receive(buf);
              return source[0] != null;
            });
    return source[0].getAddress().getHostAddress();
  }

  @Test
  @Order(3)
  void aHandDeletedRuleIsBackWithinOneResyncPeriod() {
    Host h = cluster.host(2);
    List<String> want = UpstreamShapes.nftTable(h.lease().lease());
    String rule =
        "ip saddr " + Backend.NETWORK + " ip daddr != 224.0.0.0/4 masquerade fully-random";
    String handle =
        h.ns()
            .exec("nft", "-a", "list", "chain", "ip", "flannel-ipv4", "postrtg")
            .stdout()
            .lines()
            .map(String::strip)
            .filter(l -> l.startsWith(rule + " # handle "))
            .map(l -> l.substring(l.lastIndexOf(' ') + 1))
            .findFirst()
            .orElseThrow(() -> new AssertionError(h.name() + " has no rule " + rule));
    Sh.Out o =
        h.ns().exec("nft", "delete", "rule", "ip", "flannel-ipv4", "postrtg", "handle", handle);
    assertThat(o.exit()).as(o.stderr()).isZero();
    assertThat(h.kernel().nftTable("ip", "flannel-ipv4")).doesNotContain(rule);

    await(h.name() + " puts the rule back")
        .atMost(Duration.ofSeconds(RULES_RESYNC).plusMillis(1500))
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(
            () ->
                assertThat(h.kernel().nftTable("ip", "flannel-ipv4"))
                    .containsExactlyElementsOf(want));
    h.awaitWarningNaming("nftables drift repaired");
  }

  @Test
  @Order(4)
  void aHostSwitchedToIptablesModeAndBackKeepsOnlyTheCurrentModesRules() {
    Host h = cluster.host(1);
    String lease = h.lease().lease();
    try {
      restartWith(h, netConf(false));
      assertThat(h.kernel().nftTable("ip", "flannel-ipv4"))
          .as("%s in iptables mode: table ip flannel-ipv4", h.name())
          .isEmpty();
      assertThat(h.kernel().iptablesRules("nat", "FLANNEL-POSTRTG"))
          .containsExactlyElementsOf(UpstreamShapes.masqRules(lease));
      assertThat(h.kernel().iptablesRules("filter", "FLANNEL-FWD"))
          .containsExactlyElementsOf(UpstreamShapes.forwardRules());
      cluster.assertPodsReachEachOther();
    } finally {
      restartWith(h, NFT_NET_CONF);
    }
    assertThat(h.kernel().iptablesFlannelLines())
        .as("%s back in nftables mode", h.name())
        .isEmpty();
    assertThat(h.kernel().nftTable("ip", "flannel-ipv4"))
        .containsExactlyElementsOf(UpstreamShapes.nftTable(lease));
    cluster.assertPodsReachEachOther();
  }

  private void restartWith(Host h, String netConf) {
    cluster.controlPlane().writeNetworkConfig(netConf);
    assertThat(h.daemon().terminate())
        .as("%s exit status after SIGTERM\n%s", h.name(), h.daemon().logTail(20))
        .isZero();
    cluster.start(h);
    cluster.awaitConverged();
  }

  @Test
  @Order(5)
  void theBlackholeRouteOfTheOwnSubnetSitsBesideTheBridgeAndComesBackWhenDeleted() {
    for (Host h : cluster.hosts()) {
      assertThat(blackholes(h))
          .as("%s: ip route show type blackhole", h.name())
          .containsExactly("blackhole " + h.lease().lease() + " metric 1024");
    }
    Host h = cluster.host(1);
    Sh.Out o = h.ns().exec("ip", "route", "del", "blackhole", h.lease().lease(), "metric", "1024");
    assertThat(o.exit()).as(o.stderr()).isZero();
    assertThat(blackholes(h)).isEmpty();
    await(h.name() + " puts the blackhole route back")
        .atMost(Duration.ofSeconds(RULES_RESYNC).plusMillis(1500))
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(
            () ->
                assertThat(blackholes(h))
                    .containsExactly("blackhole " + h.lease().lease() + " metric 1024"));
    cluster.assertPodsReachEachOther();
  }

  private static List<String> blackholes(Host h) {
    return h.ns()
        .exec("ip", "route", "show", "type", "blackhole")
        .stdout()
        .lines()
        .map(String::strip)
        .filter(l -> !l.isEmpty())
        .toList();
  }
}
