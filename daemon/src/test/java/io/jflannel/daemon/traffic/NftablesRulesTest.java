package io.jflannel.daemon.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.subnet.SubnetEnv;
import java.util.List;
import org.junit.jupiter.api.Test;

class NftablesRulesTest {
  static final String V4 = "ip flannel-ipv4";
  static final String V6 = "ip6 flannel-ipv6";

  /** Upstream's names, hooks and priorities; the rules of FLANNEL-POSTRTG / FLANNEL-FWD. */
  static final String TABLE =
      """
      table ip flannel-ipv4 {
      \tcomment "rules for flannel-ipv4"
      \tchain postrtg {
      \t\tcomment "chain to manage traffic masquerading by flannel"
      \t\ttype nat hook postrouting priority srcnat; policy accept;
      \t\tmeta mark & 0x00004000 == 0x00004000 return
      \t\tip saddr 10.244.1.0/24 ip daddr 10.244.0.0/16 return
      \t\tip saddr 10.244.0.0/16 ip daddr 10.244.1.0/24 return
      \t\tip saddr != 10.244.0.0/16 ip daddr 10.244.1.0/24 return
      \t\tip saddr 10.244.0.0/16 ip daddr != 224.0.0.0/4 masquerade fully-random
      \t\tip saddr != 10.244.0.0/16 ip daddr 10.244.0.0/16 masquerade fully-random
      \t}

      \tchain forward {
      \t\tcomment "chain to accept flannel traffic"
      \t\ttype filter hook forward priority filter; policy accept;
      \t\tip saddr 10.244.0.0/16 accept
      \t\tip daddr 10.244.0.0/16 accept
      \t}
      }
      """;

  private final FakeNft nft = new FakeNft();

  private NftablesRules rules(boolean forwardRules, boolean randomFullyDisabled) {
    return new NftablesRules(nft, forwardRules, randomFullyDisabled);
  }

  private static SubnetEnv env(boolean ipMasq) {
    return IptablesRulesTest.env("10.244.0.0/16", "10.244.1.0/24", ipMasq);
  }

  private static SubnetEnv dualStack() {
    return new SubnetEnv(
        Ip4Net.parse("10.244.0.0/16"),
        Ip4Net.parse("10.244.1.0/24"),
        Ip6Net.parse("fd00:10::/56"),
        Ip6Net.parse("fd00:10:0:1::/64"),
        1450,
        true);
  }

  @Test
  void aFreshHostGetsUpstreamsTableInOneTransactionThenIptablesLeftoversAreLookedFor()
      throws Exception {
    List<Drift> drift = rules(true, false).setup(env(true), null);

    assertThat(nft.scripts)
        .containsExactly("add table ip flannel-ipv4\ndelete table ip flannel-ipv4\n" + TABLE);
    assertThat(nft.commands)
        .containsExactly(
            "nft -c -f -",
            "nft -c -f -",
            "nft list tables",
            "nft -f -",
            "nft list table ip flannel-ipv4",
            "iptables-save -t nat",
            "iptables-save -t filter",
            "ip6tables-save -t nat",
            "ip6tables-save -t filter");
    assertThat(drift)
        .containsExactly(new Drift(IpFamily.IPV4, "flannel-ipv4", null, "table missing"));
    assertThat(nft.iptables.restored).isEmpty();
  }

  @Test
  void aSecondSetupAndAQuietResyncWriteNothing() throws Exception {
    rules(true, false).setup(env(true), null);
    NftablesRules restarted = rules(true, false);

    assertThat(restarted.setup(env(true), env(true))).isEmpty();
    assertThat(restarted.resync()).isEmpty();
    assertThat(nft.scripts).hasSize(1);
  }

  @Test
  void resyncPutsBackADeletedRuleByReplacingTheTable() throws Exception {
    NftablesRules r = rules(true, false);
    r.setup(env(true), null);
    nft.edit(V4, "\t\tip saddr 10.244.0.0/16 ip daddr 10.244.1.0/24 return\n", "");

    assertThat(r.resync())
        .containsExactly(
            new Drift(
                IpFamily.IPV4,
                "flannel-ipv4",
                "postrtg",
                "postrtg: missing [ip saddr 10.244.0.0/16 ip daddr 10.244.1.0/24 return]"));
    assertThat(nft.scripts).hasSize(2);
    assertThat(nft.scripts.get(1)).isEqualTo(nft.scripts.get(0));
    assertThat(nft.tables.get(V4)).isEqualTo(TABLE);
    assertThat(r.resync()).isEmpty();
  }

  @Test
  void resyncRemovesADuplicatedRule() throws Exception {
    NftablesRules r = rules(true, false);
    r.setup(env(true), null);
    nft.edit(
        V4,
        "\t\tip daddr 10.244.0.0/16 accept\n",
        "\t\tip daddr 10.244.0.0/16 accept\n\t\tip saddr 10.244.0.0/16 accept\n");

    assertThat(r.resync())
        .extracting(Drift::detail)
        .containsExactly("forward: duplicated [ip saddr 10.244.0.0/16 accept]");
    assertThat(nft.tables.get(V4)).isEqualTo(TABLE);
  }

  @Test
  void resyncRestoresTheOrderAndRemovesForeignRulesAndChains() throws Exception {
    NftablesRules r = rules(true, false);
    r.setup(env(true), null);
    nft.edit(
        V4,
        "\t\tip saddr 10.244.0.0/16 accept\n\t\tip daddr 10.244.0.0/16 accept\n",
        "\t\tip daddr 10.244.0.0/16 accept\n\t\tip saddr 10.244.0.0/16 accept\n");
    nft.edit(V4, "\t\tmeta mark", "\t\ttcp dport 22 drop\n\t\tmeta mark");
    nft.edit(V4, "\tchain forward {", "\tchain extra {\n\t}\n\n\tchain forward {");

    assertThat(r.resync())
        .extracting(Drift::detail)
        .containsExactly(
            "postrtg: unexpected [tcp dport 22 drop]",
            "forward: rules out of order",
            "unexpected chain extra");
    assertThat(nft.tables.get(V4)).isEqualTo(TABLE);
  }

  @Test
  void resyncRecreatesADeletedTableAndAChangedDeclaration() throws Exception {
    NftablesRules r = rules(true, false);
    r.setup(env(true), null);
    nft.edit(V4, "priority filter; policy accept;", "priority filter; policy drop;");
    assertThat(r.resync())
        .extracting(Drift::detail)
        .containsExactly(
            "forward: declared [comment \"chain to accept flannel traffic\", type filter hook"
                + " forward priority filter; policy drop;], want [comment \"chain to accept"
                + " flannel traffic\", type filter hook forward priority filter; policy accept;]");

    nft.tables.clear();
    assertThat(r.resync()).extracting(Drift::detail).containsExactly("table missing");
    assertThat(nft.tables.get(V4)).isEqualTo(TABLE);
  }

  @Test
  void randomFullyDisabledMasqueradesPlainlyWithoutProbing() throws Exception {
    rules(false, true).setup(env(true), null);
    assertThat(nft.tables.get(V4))
        .doesNotContain("fully-random")
        .contains("ip saddr 10.244.0.0/16 ip daddr != 224.0.0.0/4 masquerade\n")
        .doesNotContain("chain forward");
    assertThat(nft.commands.stream().filter(c -> c.equals("nft -c -f -"))).hasSize(1);
  }

  @Test
  void aKernelWithoutFullyRandomMasqueradesPlainly() throws Exception {
    nft.fullyRandom = false;
    rules(true, false).setup(env(true), null);
    assertThat(nft.tables.get(V4))
        .doesNotContain("fully-random")
        .contains("ip saddr != 10.244.0.0/16 ip daddr 10.244.0.0/16 masquerade\n");
  }

  @Test
  void withoutObjectCommentsTheTableCarriesNone() throws Exception {
    nft.comments = false;
    rules(true, false).setup(env(true), null);
    assertThat(nft.tables.get(V4))
        .isEqualTo(
            TABLE
                .lines()
                .filter(l -> !l.strip().startsWith("comment"))
                .map(l -> l + "\n")
                .reduce("", String::concat));
  }

  @Test
  void dualStackWritesBothTablesInOneTransaction() throws Exception {
    rules(true, false).setup(dualStack(), null);
    assertThat(nft.scripts).hasSize(1);
    assertThat(nft.scripts.get(0))
        .contains("delete table ip flannel-ipv4\n", "delete table ip6 flannel-ipv6\n");
    assertThat(nft.tables.get(V4)).isEqualTo(TABLE);
    assertThat(nft.tables.get(V6))
        .startsWith("table ip6 flannel-ipv6 {\n\tcomment \"rules for flannel-ipv6\"\n")
        .contains(
            "\t\tip6 saddr fd00:10:0:1::/64 ip6 daddr fd00:10::/56 return\n",
            "\t\tip6 saddr fd00:10::/56 ip6 daddr != ff00::/8 masquerade fully-random\n",
            "\t\tip6 daddr fd00:10::/56 accept\n");
  }

  @Test
  void tablesNoLongerWantedAreDeleted() throws Exception {
    rules(true, false).setup(dualStack(), null);

    List<Drift> drift = rules(true, false).setup(env(false), dualStack());

    assertThat(drift)
        .extracting(Drift::toString)
        .containsExactly(
            "IPv4 flannel-ipv4: unexpected chain postrtg",
            "IPv6 flannel-ipv6: table no longer wanted");
    assertThat(nft.tables).containsOnlyKeys(V4);
    assertThat(nft.tables.get(V4)).doesNotContain("postrtg").contains("chain forward");

    assertThat(rules(false, false).setup(env(false), env(false)))
        .extracting(Drift::detail)
        .containsExactly("table removed: not wanted");
    assertThat(nft.tables).isEmpty();
  }

  @Test
  void nothingWantedNeedsNoNft() throws Exception {
    nft.installed = false;
    NftablesRules r = rules(false, false);
    assertThat(r.setup(env(false), null)).isEmpty();
    assertThat(r.resync()).isEmpty();
  }

  @Test
  void aMissingNftIsAnErrorNamingIt() {
    nft.installed = false;
    assertThatThrownBy(() -> rules(true, false).setup(env(true), null))
        .isInstanceOf(TrafficRulesException.class)
        .hasMessage(
            "cannot run nft: Cannot run program \"nft\": error=2, No such file or directory (is"
                + " nftables installed?)");
  }

  @Test
  void aFailedTransactionIsAnErrorCarryingNftsOutput() {
    nft.applyResult =
        new CommandRunner.Result(1, "", "/dev/stdin:5:3-40: Error: Could not process rule\n");
    assertThatThrownBy(() -> rules(true, false).setup(env(true), null))
        .isInstanceOf(TrafficRulesException.class)
        .hasMessage("nft -f - failed (exit 1): /dev/stdin:5:3-40: Error: Could not process rule");
  }

  @Test
  void anotherNotationOfOurRulesIsLearnedNotRewrittenAtEveryResync() throws Exception {
    nft.printer = t -> t.replace("meta mark & 0x00004000 == 0x00004000", "mark & 0x4000 == 0x4000");
    NftablesRules r = rules(true, false);
    r.setup(env(true), null);

    assertThat(r.resync()).isEmpty();
    assertThat(nft.scripts).hasSize(1);

    nft.edit(V4, "\t\tip daddr 10.244.0.0/16 accept\n", "");
    assertThat(r.resync())
        .extracting(Drift::detail)
        .containsExactly("forward: missing [ip daddr 10.244.0.0/16 accept]");
    assertThat(r.resync()).isEmpty();
  }

  @Test
  void theChainsOfIptablesModeAreRemoved() throws Exception {
    nft.iptables.table(
        "iptables-save",
        "nat",
        FakeIptables.table(
            "nat",
            List.of("FLANNEL-POSTRTG"),
            IptablesRulesTest.lines(IptablesRulesTest.MASQ_JUMP + "\n" + IptablesRulesTest.MASQ)));
    nft.iptables.table(
        "iptables-save",
        "filter",
        FakeIptables.table(
            "filter",
            List.of("FLANNEL-FWD"),
            IptablesRulesTest.lines(IptablesRulesTest.FWD_JUMP + "\n" + IptablesRulesTest.FWD)));

    List<Drift> drift = rules(true, false).setup(env(true), null);

    assertThat(nft.iptables.restored)
        .containsExactly(
            "*nat\n:FLANNEL-POSTRTG - [0:0]\n-D"
                + IptablesRulesTest.MASQ_JUMP.substring(2)
                + "\n-X FLANNEL-POSTRTG\nCOMMIT\n*filter\n:FLANNEL-FWD - [0:0]\n-D"
                + IptablesRulesTest.FWD_JUMP.substring(2)
                + "\n-X FLANNEL-FWD\nCOMMIT\n");
    assertThat(drift)
        .extracting(Drift::detail)
        .contains("FLANNEL-POSTRTG no longer wanted", "FLANNEL-FWD no longer wanted");
  }

  @Test
  void withoutIptablesTheLeftoverCheckIsSkippedSilently() throws Exception {
    nft.iptablesInstalled = false;
    assertThat(rules(true, false).setup(env(true), null))
        .extracting(Drift::detail)
        .containsExactly("table missing");
  }

  @Test
  void iptablesModeDeletesTheTablesOfNftablesMode() throws Exception {
    rules(true, false).setup(dualStack(), null);
    nft.scripts.clear();

    List<Drift> drift = new IptablesRules(nft, true, false).setup(dualStack(), null);

    assertThat(nft.scripts)
        .containsExactly(
            "add table ip flannel-ipv4\ndelete table ip flannel-ipv4\n"
                + "add table ip6 flannel-ipv6\ndelete table ip6 flannel-ipv6\n");
    assertThat(nft.tables).isEmpty();
    assertThat(drift)
        .extracting(Drift::toString)
        .contains(
            "IPv4 flannel-ipv4: table removed: left by nftables mode",
            "IPv6 flannel-ipv6: table removed: left by nftables mode");
    assertThat(nft.iptables.restored).hasSize(2);
  }

  @Test
  void theFactoryPicksTheModeFromEnableNfTables() {
    assertThat(TrafficRules.create(true, nft, true, false)).isInstanceOf(NftablesRules.class);
    assertThat(TrafficRules.create(false, nft, true, false)).isInstanceOf(IptablesRules.class);
  }
}
