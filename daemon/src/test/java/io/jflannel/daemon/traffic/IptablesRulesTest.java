package io.jflannel.daemon.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.subnet.SubnetEnv;
import java.util.List;
import org.junit.jupiter.api.Test;

class IptablesRulesTest {
  static final String MASQ =
      """
      -A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment "flanneld masq" -j RETURN
      -A FLANNEL-POSTRTG -s 10.244.1.0/24 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN
      -A FLANNEL-POSTRTG -s 10.244.0.0/16 -d 10.244.1.0/24 -m comment --comment "flanneld masq" -j RETURN
      -A FLANNEL-POSTRTG ! -s 10.244.0.0/16 -d 10.244.1.0/24 -m comment --comment "flanneld masq" -j RETURN
      -A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
      -A FLANNEL-POSTRTG ! -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
      """;
  static final String MASQ_JUMP =
      "-A POSTROUTING -m comment --comment \"flanneld masq\" -j FLANNEL-POSTRTG";
  static final String FWD =
      """
      -A FLANNEL-FWD -s 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
      -A FLANNEL-FWD -d 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
      """;
  static final String FWD_JUMP =
      "-A FORWARD -m comment --comment \"flanneld forward\" -j FLANNEL-FWD";

  private final FakeIptables iptables = new FakeIptables();

  static SubnetEnv env(String network, String subnet, boolean ipMasq) {
    return new SubnetEnv(Ip4Net.parse(network), Ip4Net.parse(subnet), null, null, 1450, ipMasq);
  }

  static SubnetEnv current() {
    return env("10.244.0.0/16", "10.244.1.0/24", true);
  }

  private void rulesAlreadyRight() {
    iptables.table(
        "iptables-save",
        "nat",
        FakeIptables.table("nat", List.of("FLANNEL-POSTRTG"), lines(MASQ_JUMP + "\n" + MASQ)));
    iptables.table(
        "iptables-save",
        "filter",
        FakeIptables.table("filter", List.of("FLANNEL-FWD"), lines(FWD_JUMP + "\n" + FWD)));
  }

  static List<String> lines(String s) {
    return s.lines().toList();
  }

  @Test
  void setupOnAFreshHostWritesUpstreamsRulesInOneRestore() throws Exception {
    List<Drift> drift = new IptablesRules(iptables, true, false).setup(current(), null);

    assertThat(iptables.restored)
        .containsExactly(
            "*nat\n:FLANNEL-POSTRTG - [0:0]\n"
                + MASQ
                + MASQ_JUMP
                + "\nCOMMIT\n*filter\n:FLANNEL-FWD - [0:0]\n"
                + FWD
                + FWD_JUMP
                + "\nCOMMIT\n");
    assertThat(iptables.commandLines())
        .containsExactly(
            "iptables-restore --version",
            "iptables-save -t nat",
            "iptables-save -t filter",
            "iptables-restore --noflush --wait",
            "nft list tables");
    assertThat(drift)
        .extracting(Drift::detail)
        .containsExactly(
            "FLANNEL-POSTRTG missing",
            "jump from POSTROUTING to FLANNEL-POSTRTG missing",
            "FLANNEL-FWD missing",
            "jump from FORWARD to FLANNEL-FWD missing");
  }

  @Test
  void setupWithTheRulesAlreadyRightWritesNothing() throws Exception {
    rulesAlreadyRight();
    assertThat(new IptablesRules(iptables, true, false).setup(current(), current())).isEmpty();
    assertThat(iptables.restored).isEmpty();
  }

  @Test
  void randomFullyIsLeftOutWhenDisabled() throws Exception {
    new IptablesRules(iptables, false, true).setup(current(), null);
    assertThat(iptables.restored.get(0))
        .doesNotContain("--random-fully")
        .contains(
            "-A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment \"flanneld"
                + " masq\" -j MASQUERADE\n");
  }

  @Test
  void iptablesOlderThan162GetsNeitherRandomFullyNorWait() throws Exception {
    iptables.version = "iptables-restore v1.6.1";
    new IptablesRules(iptables, false, false).setup(current(), null);
    assertThat(iptables.restored.get(0)).doesNotContain("--random-fully");
    assertThat(iptables.commandLines()).contains("iptables-restore --noflush");
  }

  @Test
  void forwardRulesOffAndMasqueradeOffRunNoIptablesOnlyLookForNftablesLeftovers() throws Exception {
    IptablesRules rules = new IptablesRules(iptables, false, false);
    assertThat(rules.setup(env("10.244.0.0/16", "10.244.1.0/24", false), null)).isEmpty();
    assertThat(rules.resync()).isEmpty();
    assertThat(iptables.commandLines()).containsExactly("nft list tables");
  }

  @Test
  void ipv6UsesIp6tablesAndTheIpv6MulticastRange() throws Exception {
    SubnetEnv v6 =
        new SubnetEnv(
            null, null, Ip6Net.parse("fd00:10::/56"), Ip6Net.parse("fd00:10:0:1::/64"), 1450, true);
    new IptablesRules(iptables, true, false).setup(v6, null);
    assertThat(iptables.commandLines())
        .containsExactly(
            "ip6tables-restore --version",
            "ip6tables-save -t nat",
            "ip6tables-save -t filter",
            "ip6tables-restore --noflush --wait",
            "nft list tables");
    assertThat(iptables.restored.get(0))
        .contains(
            "-A FLANNEL-POSTRTG -s fd00:10::/56 ! -d ff00::/8 -m comment --comment \"flanneld"
                + " masq\" -j MASQUERADE --random-fully\n")
        .contains("-A FLANNEL-FWD -d fd00:10::/56 -m comment");
  }

  @Test
  void resyncBeforeSetupDoesNothing() throws Exception {
    assertThat(new IptablesRules(iptables, true, false).resync()).isEmpty();
    assertThat(iptables.commands).isEmpty();
  }

  @Test
  void resyncRewritesAReorderedChainAndLeavesTheRightOneAlone() throws Exception {
    rulesAlreadyRight();
    IptablesRules rules = new IptablesRules(iptables, true, false);
    rules.setup(current(), current());
    List<String> fwd = lines(FWD);
    iptables.table(
        "iptables-save",
        "filter",
        FakeIptables.table(
            "filter", List.of("FLANNEL-FWD"), List.of(FWD_JUMP, fwd.get(1), fwd.get(0))));

    List<Drift> drift = rules.resync();

    assertThat(drift).extracting(Drift::detail).containsExactly("FLANNEL-FWD: rules out of order");
    assertThat(iptables.restored)
        .containsExactly("*filter\n:FLANNEL-FWD - [0:0]\n" + FWD + "COMMIT\n");
  }

  @Test
  void resyncDeletesADuplicatedJumpDownToOne() throws Exception {
    iptables.table(
        "iptables-save",
        "filter",
        FakeIptables.table(
            "filter", List.of("FLANNEL-FWD"), lines(FWD_JUMP + "\n" + FWD_JUMP + "\n" + FWD)));
    List<Drift> drift = new IptablesRules(iptables, true, false).setup(current(), null);
    assertThat(drift)
        .extracting(Drift::detail)
        .contains("jump from FORWARD to FLANNEL-FWD present 2 times");
    assertThat(iptables.restored.get(0))
        .endsWith(
            "*filter\n-D FORWARD -m comment --comment \"flanneld forward\" -j FLANNEL-FWD\n"
                + "COMMIT\n");
  }

  @Test
  void staleRulesOfOursInPostroutingAreDeleted() throws Exception {
    String old =
        "-A POSTROUTING -s 10.1.0.0/16 -d 10.1.0.0/16 -m comment --comment \"flanneld masq\" -j"
            + " RETURN";
    iptables.table(
        "iptables-save",
        "nat",
        FakeIptables.table(
            "nat", List.of("FLANNEL-POSTRTG"), lines(old + "\n" + MASQ_JUMP + "\n" + MASQ)));
    new IptablesRules(iptables, false, false).setup(current(), null);
    assertThat(iptables.restored)
        .containsExactly(
            "*nat\n-D POSTROUTING -s 10.1.0.0/16 -d 10.1.0.0/16 -m comment --comment \"flanneld"
                + " masq\" -j RETURN\nCOMMIT\n");
  }

  @Test
  void aChangedSubnetRewritesTheMasqueradeChain() throws Exception {
    rulesAlreadyRight();
    SubnetEnv moved = env("10.244.0.0/16", "10.244.7.0/24", true);
    List<Drift> drift = new IptablesRules(iptables, true, false).setup(moved, current());
    assertThat(drift).hasSize(1);
    assertThat(drift.get(0).detail())
        .startsWith("FLANNEL-POSTRTG: missing [-s 10.244.7.0/24 -d 10.244.0.0/16");
    assertThat(iptables.restored.get(0))
        .startsWith("*nat\n:FLANNEL-POSTRTG - [0:0]\n")
        .contains("-s 10.244.7.0/24")
        .doesNotContain("10.244.1.0/24")
        .doesNotContain("*filter");
  }

  @Test
  void masqueradeIsRemovedWhenThePreviousRunHadItAndThisOneDoesNot() throws Exception {
    rulesAlreadyRight();
    new IptablesRules(iptables, true, false)
        .setup(env("10.244.0.0/16", "10.244.1.0/24", false), current());
    assertThat(iptables.restored)
        .containsExactly(
            "*nat\n:FLANNEL-POSTRTG - [0:0]\n-D"
                + MASQ_JUMP.substring(2)
                + "\n-X FLANNEL-POSTRTG\nCOMMIT\n");
  }

  @Test
  void aFailedRestoreIsAnErrorCarryingIptablesOutput() {
    iptables.restoreResult =
        new CommandRunner.Result(
            2, "", "iptables-restore: line 3 failed\nBad rule (does a matching rule exist?)\n");
    assertThatThrownBy(() -> new IptablesRules(iptables, true, false).setup(current(), null))
        .isInstanceOf(TrafficRulesException.class)
        .hasMessage(
            "iptables-restore --noflush --wait failed (exit 2): iptables-restore: line 3 failed"
                + " Bad rule (does a matching rule exist?)");
  }

  @Test
  void aMissingBinaryIsAnErrorNamingIt() {
    CommandRunner missing =
        (cmd, in) -> {
          throw new java.io.IOException("Cannot run program \"" + cmd.get(0) + "\"");
        };
    assertThatThrownBy(() -> new IptablesRules(missing, true, false).setup(current(), null))
        .isInstanceOf(TrafficRulesException.class)
        .hasMessage(
            "cannot run iptables-restore: Cannot run program \"iptables-restore\" (is iptables"
                + " installed?)");
  }

  @Test
  void versionsFrom162OnAreModern() {
    assertThat(IptablesRules.atLeast162("iptables-restore v1.8.9 (nf_tables)")).isTrue();
    assertThat(IptablesRules.atLeast162("iptables-restore v1.6.2")).isTrue();
    assertThat(IptablesRules.atLeast162("iptables-restore v1.6.1")).isFalse();
    assertThat(IptablesRules.atLeast162("iptables-restore v1.4.21")).isFalse();
    assertThat(IptablesRules.atLeast162("garbage")).isFalse();
  }
}
