package io.jflannel.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The etcd-mode scenarios with {@code "Backend":{"Type":"wireguard"}} on the userspace path (this
 * kernel has no WireGuard: flanneld starts wireguard-go), and the wireguard backend's own: the
 * underlay carries the pods' traffic only inside UDP to port 51820; a crash adopts the running
 * wireguard-go and writes no peer change, a clean restart keeps the key; a lease written as
 * upstream writes it becomes exactly upstream's peer, a rotated key replaces it, a malformed key is
 * skipped with a warning naming the node.
 */
class WireguardEtcdIT extends EtcdModeScenarios {
  private static final Logger log = LoggerFactory.getLogger(WireguardEtcdIT.class);

  /** A key pair made with wg genkey | wg pubkey, fixed for the upstream-format lease. */
  private static final String FIXED_PUBLIC = "xBgA/ZZP47xke9iG/4VFWtlCf1zcCa+nDEcPvKvNtC8=";

  private static final Pattern COUNTER =
      Pattern.compile("packets (\\d+) bytes \\d+ comment \"(\\w+)\"");

  @Override
  Backend backend() {
    return Backend.WIREGUARD;
  }

  /**
   * With counters on h1's eth0 (nftables, in h1's namespace), every pod pings every other: no
   * packet with a pod address crosses eth0 in either direction, and WireGuard's UDP to and from
   * port 51820 does.
   */
  @Test
  @Order(7)
  void underlayCarriesPodTrafficOnlyInsideUdpToTheListenPort() {
    Host h = cluster().host(1);
    String net = Backend.NETWORK;
    String rules =
        "table inet jfltest {\n"
            + " chain out { type filter hook postrouting priority 0;\n"
            + "  oifname \"eth0\" ip saddr "
            + net
            + " counter comment \"outPodSrc\"\n"
            + "  oifname \"eth0\" ip daddr "
            + net
            + " counter comment \"outPodDst\"\n"
            + "  oifname \"eth0\" udp dport 51820 counter comment \"outWg\"\n }\n"
            + " chain in { type filter hook prerouting priority 0;\n"
            + "  iifname \"eth0\" ip saddr "
            + net
            + " counter comment \"inPodSrc\"\n"
            + "  iifname \"eth0\" ip daddr "
            + net
            + " counter comment \"inPodDst\"\n"
            + "  iifname \"eth0\" udp sport 51820 counter comment \"inWg\"\n }\n"
            + "}\n";
    io.jflannel.netlink.testing.Sh.run(
        "ip", "netns", "exec", h.ns().name(), "sh", "-c", "nft -f - <<'EOF'\n" + rules + "EOF");
    try {
      cluster().assertPodsReachEachOther();
      String listing = h.ns().exec("nft", "list", "table", "inet", "jfltest").stdout();
      Map<String, Long> counts = new java.util.TreeMap<>();
      Matcher m = COUNTER.matcher(listing.replace("\n", " "));
      while (m.find()) {
        counts.put(m.group(2), Long.parseLong(m.group(1)));
      }
      log.info("wireguard: packets on {}'s eth0 during the ping matrix: {}", h.name(), counts);
      SoftAssertions s = new SoftAssertions();
      for (String c : List.of("outPodSrc", "outPodDst", "inPodSrc", "inPodDst")) {
        s.assertThat(counts.get(c))
            .as("%s: packets with a pod address on eth0\n%s", c, listing)
            .isEqualTo(0L);
      }
      s.assertThat(counts.get("outWg")).as("WireGuard datagrams sent on eth0").isPositive();
      s.assertThat(counts.get("inWg")).as("WireGuard datagrams received on eth0").isPositive();
      s.assertAll();
    } finally {
      h.ns().exec("nft", "delete", "table", "inet", "jfltest");
    }
  }

  /**
   * kill -9: wireguard-go keeps running and forwarding; the next flanneld adopts it, finds its key,
   * port and peers right and writes no peer, and, not having started it, leaves it running on
   * SIGTERM. wireguard-go killed under a running flanneld is started again at once, with the same
   * key and every peer; this one flanneld did start, so SIGTERM stops it, and the next flanneld
   * starts a new one with the key from the key file: the lease never changes.
   */
  @Test
  @Order(8)
  void crashAdoptsWireguardGoAndWritesNothingAndADeadOneIsRestarted() {
    Cluster cluster = cluster();
    Host h = cluster.host(1);
    String key = Wireguard.publicKey(h);
    List<String> peers = Wireguard.peers(h);
    List<Long> pids = Wireguard.wireguardGoPids(h);
    Map<String, String> leases = cluster.etcd().getPrefix(EtcdServer.SUBNETS);
    assertThat(pids).hasSize(1);

    h.daemon().kill();
    cluster.start(h);
    cluster.awaitConverged();
    SoftAssertions s = new SoftAssertions();
    s.assertThat(Wireguard.wireguardGoPids(h)).as("the same wireguard-go, adopted").isEqualTo(pids);
    s.assertThat(Wireguard.publicKey(h)).as("public key after kill -9").isEqualTo(key);
    s.assertThat(Wireguard.peers(h)).as("peers after kill -9").isEqualTo(peers);
    s.assertThat(cluster.etcd().getPrefix(EtcdServer.SUBNETS)).as("leases").isEqualTo(leases);
    s.assertThat(h.daemon().output())
        .as("log of the restarted flanneld")
        .contains("using the wireguard-go already serving")
        .doesNotContain("added peer", "updated peer", "removed peer", "wrote ", "repaired");
    s.assertAll();
    assertThat(h.daemon().terminate()).as("exit status after SIGTERM").isZero();
    assertThat(Wireguard.wireguardGoPids(h)).as("an adopted wireguard-go stays").isEqualTo(pids);
    cluster.start(h);

    Wireguard.killWireguardGo(h);
    await(h.name() + " starts wireguard-go again")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> h.metric("flannel_wireguard_device_restarts_total", "") >= 1);
    cluster.awaitConverged();
    List<Long> restarted = Wireguard.wireguardGoPids(h);
    assertThat(restarted).hasSize(1).doesNotContainAnyElementsOf(pids);
    assertThat(Wireguard.publicKey(h)).as("public key after wireguard-go died").isEqualTo(key);
    cluster.assertPodsReachEachOther();

    assertThat(h.daemon().terminate()).as("exit status after SIGTERM").isZero();
    assertThat(Wireguard.wireguardGoPids(h))
        .as("the wireguard-go flanneld started stops")
        .isEmpty();
    cluster.start(h);
    cluster.awaitConverged();
    assertThat(Wireguard.publicKey(h)).as("public key after a clean restart").isEqualTo(key);
    assertThat(cluster.etcd().getPrefix(EtcdServer.SUBNETS)).isEqualTo(leases);
    cluster.assertPodsReachEachOther();
  }

  /**
   * A lease written as upstream's code writes it (Go's encoding of LeaseAttrs with {@code
   * {"PublicKey":...}}, a fixed key pair) becomes on every host exactly the peer upstream
   * configures: that key, {@code <PublicIP>:51820}, the subnet, no PSK, no keepalive. A new key in
   * the same lease replaces the peer. A lease whose key is not a key is skipped with a warning
   * naming the node, and everything else keeps working.
   */
  @Test
  @Order(9)
  void upstreamLeaseRotatedKeyAndMalformedKey() {
    Cluster cluster = cluster();
    String key = EtcdServer.keyOfSubnet("10.244.250.0/24");
    String bad = EtcdServer.keyOfSubnet("10.244.251.0/24");
    String value =
        "{\"PublicIP\":\"192.168.100.99\",\"PublicIPv6\":null,\"BackendType\":\"wireguard\","
            + "\"BackendData\":{\"PublicKey\":\""
            + FIXED_PUBLIC
            + "\"}}";
    try {
      cluster.etcd().put(key, value);
      String line = FIXED_PUBLIC + "\t(none)\t192.168.100.99:51820\t10.244.250.0/24\t0\t0\t0\toff";
      for (Host h : cluster.hosts()) {
        await(h.name() + " configures upstream's peer")
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(100))
            .untilAsserted(() -> assertThat(Wireguard.dump(h)).contains(line));
      }
      String rotated = Wireguard.keyPair()[1];
      cluster.etcd().put(key, value.replace(FIXED_PUBLIC, rotated));
      cluster.awaitConverged(); // the new key, and the old one gone, on every host
      for (Host h : cluster.hosts()) {
        assertThat(String.join("\n", Wireguard.dump(h))).doesNotContain(FIXED_PUBLIC);
      }

      cluster.etcd().put(bad, value.replace(FIXED_PUBLIC, "not-a-key").replace(".99", ".98"));
      for (Host h : cluster.hosts()) {
        h.awaitWarningNaming("192.168.100.98");
      }
      cluster.awaitConverged();
      cluster.assertPodsReachEachOther();
    } finally {
      cluster.etcd().delete(key);
      cluster.etcd().delete(bad);
    }
    cluster.awaitConverged();
  }

  /**
   * The warning for a malformed key: one WARN line per host, naming the node (its subnet and public
   * IP) and the field.
   */
  @Test
  @Order(10)
  void malformedKeyWarningIsOneLineNamingTheNode() {
    List<String> lines = new ArrayList<>();
    for (Host h : cluster().hosts()) {
      h.daemon()
          .output()
          .lines()
          .filter(l -> l.contains(" WARN ") && l.contains("192.168.100.98"))
          .forEach(lines::add);
    }
    assertThat(lines)
        .hasSize(cluster().hosts().size())
        .allMatch(
            l ->
                l.contains("skipping peer lease 10.244.251.0/24 (node 192.168.100.98)")
                    && l.contains("BackendData.PublicKey \"not-a-key\" is not a WireGuard key"));
  }
}
