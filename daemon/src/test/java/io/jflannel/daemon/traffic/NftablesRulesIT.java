package io.jflannel.daemon.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.netlink.testing.NamespacedTest;
import io.jflannel.netlink.testing.Sh;
import io.jflannel.subnet.SubnetEnv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real {@code nft} (Debian's nftables package) acting on a throw-away network namespace: every
 * command the rule managers run is prefixed with {@code ip netns exec <ns>}, so the host's own
 * ruleset is never read or touched.
 */
class NftablesRulesIT extends NamespacedTest {
  private static final SubnetEnv DUAL =
      new SubnetEnv(
          Ip4Net.parse("10.244.0.0/16"),
          Ip4Net.parse("10.244.1.0/24"),
          Ip6Net.parse("fd00:10::/56"),
          Ip6Net.parse("fd00:10:0:1::/64"),
          1450,
          true);

  /** {@code nft list table ip flannel-ipv4} after setup, lines stripped: upstream's layout. */
  private static final List<String> V4 =
      List.of(
          "table ip flannel-ipv4 {",
          "comment \"rules for flannel-ipv4\"",
          "chain postrtg {",
          "comment \"chain to manage traffic masquerading by flannel\"",
          "type nat hook postrouting priority srcnat; policy accept;",
          "meta mark & 0x00004000 == 0x00004000 return",
          "ip saddr 10.244.1.0/24 ip daddr 10.244.0.0/16 return",
          "ip saddr 10.244.0.0/16 ip daddr 10.244.1.0/24 return",
          "ip saddr != 10.244.0.0/16 ip daddr 10.244.1.0/24 return",
          "ip saddr 10.244.0.0/16 ip daddr != 224.0.0.0/4 masquerade fully-random",
          "ip saddr != 10.244.0.0/16 ip daddr 10.244.0.0/16 masquerade fully-random",
          "}",
          "chain forward {",
          "comment \"chain to accept flannel traffic\"",
          "type filter hook forward priority filter; policy accept;",
          "ip saddr 10.244.0.0/16 accept",
          "ip daddr 10.244.0.0/16 accept",
          "}",
          "}");

  /** In iptables-save of nat and filter: 2 chain declarations, 2 jumps, 6 + 2 rules. */
  private static final int FLANNEL_LINES = 12;

  @BeforeEach
  void needsNft() {
    assumeTrue(
        Files.isExecutable(Path.of("/usr/sbin/nft")) || Files.isExecutable(Path.of("/sbin/nft")),
        "skipped: nft is missing (apt-get install nftables)");
  }

  /** Runs the binaries inside this test's namespace. */
  private CommandRunner inNs() {
    ProcessRunner real = new ProcessRunner();
    return (cmd, stdin) -> {
      List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns.name()));
      full.addAll(cmd);
      return real.run(full, stdin);
    };
  }

  private TrafficRules nftables() {
    return TrafficRules.create(true, inNs(), true, false);
  }

  private List<String> listed(String family, String table) {
    Sh.Out o = ns.exec("nft", "list", "table", family, table);
    assertThat(o.exit()).as(o.stderr()).isZero();
    return o.stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }

  /** flannel's tables in the ruleset (iptables-nft keeps its own tables there too). */
  private List<String> tables() {
    return ns.exec("nft", "list", "tables")
        .stdout()
        .lines()
        .filter(l -> l.contains(" flannel-"))
        .toList();
  }

  private void nft(String... args) {
    List<String> cmd = new ArrayList<>(List.of("nft"));
    cmd.addAll(List.of(args));
    Sh.Out o = ns.exec(cmd.toArray(String[]::new));
    assertThat(o.exit()).as(o.stderr()).isZero();
  }

  /** The handle nft gave the rule of {@code chain} reading {@code rule}. */
  private String handleOf(String chain, String rule) {
    return ns.exec("nft", "-a", "list", "chain", "ip", "flannel-ipv4", chain)
        .stdout()
        .lines()
        .map(String::strip)
        .filter(l -> l.startsWith(rule + " # handle "))
        .map(l -> l.substring(l.lastIndexOf(' ') + 1))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no rule " + rule + " in " + chain));
  }

  private List<String> iptablesFlannelLines(String binary) {
    List<String> out = new ArrayList<>();
    for (String table : List.of("nat", "filter")) {
      ns.exec(binary, "-t", table)
          .stdout()
          .lines()
          .filter(l -> l.contains("FLANNEL-"))
          .forEach(out::add);
    }
    return out;
  }

  @Test
  void setupProgramsUpstreamsTablesAndASecondSetupChangesNothing() throws Exception {
    TrafficRules rules = nftables();
    assertThat(rules.setup(DUAL, null))
        .extracting(Drift::toString)
        .containsExactly("IPv4 flannel-ipv4: table missing", "IPv6 flannel-ipv6: table missing");

    assertThat(listed("ip", "flannel-ipv4")).containsExactlyElementsOf(V4);
    assertThat(listed("ip6", "flannel-ipv6"))
        .contains(
            "table ip6 flannel-ipv6 {",
            "type nat hook postrouting priority srcnat; policy accept;",
            "ip6 saddr fd00:10:0:1::/64 ip6 daddr fd00:10::/56 return",
            "ip6 saddr fd00:10::/56 ip6 daddr != ff00::/8 masquerade fully-random",
            "type filter hook forward priority filter; policy accept;",
            "ip6 daddr fd00:10::/56 accept")
        .hasSize(V4.size());

    assertThat(nftables().setup(DUAL, DUAL)).isEmpty();
    assertThat(rules.resync()).isEmpty();
  }

  @Test
  void oneResyncPutsBackADeletedRuleAndRemovesADuplicatedOne() throws Exception {
    TrafficRules rules = nftables();
    rules.setup(DUAL, null);
    String deleted = "ip saddr 10.244.0.0/16 ip daddr 10.244.1.0/24 return";
    nft("delete", "rule", "ip", "flannel-ipv4", "postrtg", "handle", handleOf("postrtg", deleted));
    nft("add", "rule", "ip", "flannel-ipv4", "forward", "ip", "saddr", "10.244.0.0/16", "accept");
    assertThat(listed("ip", "flannel-ipv4")).doesNotContain(deleted);

    assertThat(rules.resync())
        .extracting(Drift::detail)
        .containsExactly(
            "postrtg: missing [" + deleted + "]",
            "forward: duplicated [ip saddr 10.244.0.0/16 accept]");

    assertThat(listed("ip", "flannel-ipv4")).containsExactlyElementsOf(V4);
    assertThat(rules.resync()).isEmpty();
  }

  @Test
  void resyncRecreatesADeletedTableAndRestoresReorderedRules() throws Exception {
    TrafficRules rules = nftables();
    rules.setup(DUAL, null);
    nft("delete", "table", "ip", "flannel-ipv4");
    String first = "meta mark & 0x00004000 == 0x00004000 return";
    nft("delete", "rule", "ip6", "flannel-ipv6", "postrtg", "handle", handle6(first));
    nft(
        "add",
        "rule",
        "ip6",
        "flannel-ipv6",
        "postrtg",
        "meta",
        "mark",
        "&",
        "0x4000",
        "==",
        "0x4000",
        "return");

    assertThat(rules.resync())
        .extracting(Drift::toString)
        .containsExactly(
            "IPv4 flannel-ipv4: table missing", "IPv6 flannel-ipv6: postrtg: rules out of order");
    assertThat(listed("ip", "flannel-ipv4")).containsExactlyElementsOf(V4);
    assertThat(listed("ip6", "flannel-ipv6").get(5)).isEqualTo(first);
    assertThat(rules.resync()).isEmpty();
  }

  private String handle6(String rule) {
    return ns.exec("nft", "-a", "list", "chain", "ip6", "flannel-ipv6", "postrtg")
        .stdout()
        .lines()
        .map(String::strip)
        .filter(l -> l.startsWith(rule + " # handle "))
        .map(l -> l.substring(l.lastIndexOf(' ') + 1))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void masqueradeOffKeepsOnlyTheForwardChainAndNothingWantedDeletesTheTables() throws Exception {
    nftables().setup(DUAL, null);
    SubnetEnv noMasq = IptablesRulesTest.env("10.244.0.0/16", "10.244.1.0/24", false);

    nftables().setup(noMasq, DUAL);
    assertThat(listed("ip", "flannel-ipv4"))
        .doesNotContain("chain postrtg {")
        .contains("chain forward {", "ip saddr 10.244.0.0/16 accept");
    assertThat(tables()).containsExactly("table ip flannel-ipv4");

    TrafficRules.create(true, inNs(), false, false).setup(noMasq, noMasq);
    assertThat(tables()).isEmpty();
  }

  @Test
  void switchingIptablesToNftablesAndBackLeavesOnlyTheCurrentModesRules() throws Exception {
    assumeTrue(
        Files.isExecutable(Path.of("/usr/sbin/iptables-restore")),
        "skipped: iptables is missing (apt-get install iptables)");
    TrafficRules.create(false, inNs(), true, false).setup(DUAL, null);
    assertThat(iptablesFlannelLines("iptables-save")).hasSize(FLANNEL_LINES);
    assertThat(iptablesFlannelLines("ip6tables-save")).hasSize(FLANNEL_LINES);
    assertThat(tables()).isEmpty();

    List<Drift> toNft = nftables().setup(DUAL, DUAL);
    assertThat(toNft).extracting(Drift::detail).contains("FLANNEL-POSTRTG no longer wanted");
    assertThat(iptablesFlannelLines("iptables-save")).isEmpty();
    assertThat(iptablesFlannelLines("ip6tables-save")).isEmpty();
    assertThat(tables()).containsExactly("table ip flannel-ipv4", "table ip6 flannel-ipv6");
    assertThat(listed("ip", "flannel-ipv4")).containsExactlyElementsOf(V4);

    List<Drift> back = TrafficRules.create(false, inNs(), true, false).setup(DUAL, DUAL);
    assertThat(back).extracting(Drift::detail).contains("table removed: left by nftables mode");
    assertThat(tables()).isEmpty();
    assertThat(iptablesFlannelLines("iptables-save")).hasSize(FLANNEL_LINES);
    assertThat(iptablesFlannelLines("ip6tables-save")).hasSize(FLANNEL_LINES);
  }
}
