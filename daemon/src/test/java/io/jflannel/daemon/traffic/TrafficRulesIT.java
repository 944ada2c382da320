package io.jflannel.daemon.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
 * The real iptables binaries acting on a throw-away network namespace: every command {@link
 * IptablesRules} runs is prefixed with {@code ip netns exec <ns>}, so the host's own rules are
 * never read or touched.
 */
class TrafficRulesIT extends NamespacedTest {
  private static final String MASQ_JUMP =
      "-A POSTROUTING -m comment --comment \"flanneld masq\" -j FLANNEL-POSTRTG";
  private static final String FWD_JUMP =
      "-A FORWARD -m comment --comment \"flanneld forward\" -j FLANNEL-FWD";

  private IptablesRules rules;

  @BeforeEach
  void inNamespace() {
    assumeTrue(
        Files.isExecutable(Path.of("/usr/sbin/iptables-restore"))
            || Files.isExecutable(Path.of("/sbin/iptables-restore")),
        "skipped: iptables is missing (apt-get install iptables)");
    rules = new IptablesRules(inNs(), true, false);
  }

  /** Runs the iptables binaries inside this test's namespace. */
  private CommandRunner inNs() {
    ProcessRunner real = new ProcessRunner();
    return (cmd, stdin) -> {
      List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns.name()));
      full.addAll(cmd);
      return real.run(full, stdin);
    };
  }

  private List<String> saved(String binary, String table) {
    Sh.Out o = ns.exec(binary, "-t", table);
    assertThat(o.exit()).as(o.stderr()).isZero();
    return o.stdout().lines().filter(l -> l.startsWith("-A ")).toList();
  }

  private void iptables(String... args) {
    List<String> cmd = new ArrayList<>(List.of("iptables"));
    cmd.addAll(List.of(args));
    Sh.Out o = ns.exec(cmd.toArray(String[]::new));
    assertThat(o.exit()).as(o.stderr()).isZero();
  }

  private static List<String> masqRules(String network, String subnet) {
    String c = " -m comment --comment \"flanneld masq\"";
    return List.of(
        "-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000" + c + " -j RETURN",
        "-A FLANNEL-POSTRTG -s " + subnet + " -d " + network + c + " -j RETURN",
        "-A FLANNEL-POSTRTG -s " + network + " -d " + subnet + c + " -j RETURN",
        "-A FLANNEL-POSTRTG ! -s " + network + " -d " + subnet + c + " -j RETURN",
        "-A FLANNEL-POSTRTG -s "
            + network
            + " ! -d 224.0.0.0/4"
            + c
            + " -j MASQUERADE --random-fully",
        "-A FLANNEL-POSTRTG ! -s "
            + network
            + " -d "
            + network
            + c
            + " -j MASQUERADE --random-fully");
  }

  private static List<String> natWith(List<String> chainRules) {
    List<String> all = new ArrayList<>(List.of(MASQ_JUMP));
    all.addAll(chainRules);
    return all;
  }

  private static final List<String> FILTER =
      List.of(
          FWD_JUMP,
          "-A FLANNEL-FWD -s 10.244.0.0/16 -m comment --comment \"flanneld forward\" -j ACCEPT",
          "-A FLANNEL-FWD -d 10.244.0.0/16 -m comment --comment \"flanneld forward\" -j ACCEPT");

  @Test
  void setupInstallsUpstreamsRulesInOrderAndASecondSetupChangesNothing() throws Exception {
    SubnetEnv env = IptablesRulesTest.current();
    assertThat(rules.setup(env, null)).isNotEmpty();

    assertThat(saved("iptables-save", "nat"))
        .containsExactlyElementsOf(natWith(masqRules("10.244.0.0/16", "10.244.1.0/24")));
    assertThat(saved("iptables-save", "filter")).containsExactlyElementsOf(FILTER);

    assertThat(new IptablesRules(inNs(), true, false).setup(env, env)).isEmpty();
    assertThat(rules.resync()).isEmpty();
  }

  @Test
  void resyncPutsBackADeletedRule() throws Exception {
    rules.setup(IptablesRulesTest.current(), null);
    iptables("-t", "nat", "-D", "FLANNEL-POSTRTG", "3");
    iptables("-t", "filter", "-D", "FORWARD", "1");

    assertThat(rules.resync()).hasSize(2);

    assertThat(saved("iptables-save", "nat"))
        .containsExactlyElementsOf(natWith(masqRules("10.244.0.0/16", "10.244.1.0/24")));
    assertThat(saved("iptables-save", "filter")).containsExactlyElementsOf(FILTER);
    assertThat(rules.resync()).isEmpty();
  }

  @Test
  void resyncRemovesDuplicatedRulesAndJumps() throws Exception {
    rules.setup(IptablesRulesTest.current(), null);
    iptables(
        "-t",
        "nat",
        "-A",
        "POSTROUTING",
        "-m",
        "comment",
        "--comment",
        "flanneld masq",
        "-j",
        "FLANNEL-POSTRTG");
    iptables(
        "-t",
        "filter",
        "-A",
        "FLANNEL-FWD",
        "-s",
        "10.244.0.0/16",
        "-m",
        "comment",
        "--comment",
        "flanneld forward",
        "-j",
        "ACCEPT");

    assertThat(rules.resync())
        .extracting(Drift::detail)
        .containsExactly(
            "jump from POSTROUTING to FLANNEL-POSTRTG present 2 times",
            "FLANNEL-FWD: duplicated [-s 10.244.0.0/16 -m comment --comment \"flanneld forward\" -j"
                + " ACCEPT]");

    assertThat(saved("iptables-save", "nat"))
        .containsExactlyElementsOf(natWith(masqRules("10.244.0.0/16", "10.244.1.0/24")));
    assertThat(saved("iptables-save", "filter")).containsExactlyElementsOf(FILTER);
  }

  @Test
  void resyncRestoresTheOrderOfReorderedRules() throws Exception {
    rules.setup(IptablesRulesTest.current(), null);
    // move the masquerade rule for outgoing traffic to the top of the chain
    iptables("-t", "nat", "-D", "FLANNEL-POSTRTG", "5");
    iptables(
        "-t",
        "nat",
        "-I",
        "FLANNEL-POSTRTG",
        "1",
        "-s",
        "10.244.0.0/16",
        "!",
        "-d",
        "224.0.0.0/4",
        "-m",
        "comment",
        "--comment",
        "flanneld masq",
        "-j",
        "MASQUERADE",
        "--random-fully");

    assertThat(rules.resync())
        .extracting(Drift::detail)
        .containsExactly("FLANNEL-POSTRTG: rules out of order");
    assertThat(saved("iptables-save", "nat"))
        .containsExactlyElementsOf(natWith(masqRules("10.244.0.0/16", "10.244.1.0/24")));
  }

  @Test
  void rulesOfAPreviousSubnetAndOfOldFlannelVersionsAreRemoved() throws Exception {
    SubnetEnv before = IptablesRulesTest.env("10.244.0.0/16", "10.244.1.0/24", true);
    rules.setup(before, null);
    // an older flannel put its masquerade rules straight into POSTROUTING
    iptables(
        "-t",
        "nat",
        "-A",
        "POSTROUTING",
        "-s",
        "10.1.0.0/16",
        "-d",
        "10.1.0.0/16",
        "-m",
        "comment",
        "--comment",
        "flanneld masq",
        "-j",
        "RETURN");

    SubnetEnv now = IptablesRulesTest.env("10.244.0.0/16", "10.244.9.0/24", true);
    new IptablesRules(inNs(), true, false).setup(now, before);

    assertThat(saved("iptables-save", "nat"))
        .containsExactlyElementsOf(natWith(masqRules("10.244.0.0/16", "10.244.9.0/24")));
  }

  @Test
  void masqueradeIsRemovedWhenTurnedOffSinceThePreviousRun() throws Exception {
    SubnetEnv on = IptablesRulesTest.env("10.244.0.0/16", "10.244.1.0/24", true);
    rules.setup(on, null);

    new IptablesRules(inNs(), true, false)
        .setup(IptablesRulesTest.env("10.244.0.0/16", "10.244.1.0/24", false), on);

    assertThat(saved("iptables-save", "nat")).isEmpty();
    assertThat(ns.exec("iptables-save", "-t", "nat").stdout()).doesNotContain("FLANNEL-POSTRTG");
    assertThat(saved("iptables-save", "filter")).containsExactlyElementsOf(FILTER);
  }

  @Test
  void ipv6RulesGoToIp6tables() throws Exception {
    SubnetEnv v6 =
        new SubnetEnv(
            null, null, Ip6Net.parse("fd00:10::/56"), Ip6Net.parse("fd00:10:0:1::/64"), 1450, true);
    rules.setup(v6, null);
    assertThat(saved("ip6tables-save", "nat"))
        .contains(
            "-A FLANNEL-POSTRTG -s fd00:10::/56 ! -d ff00::/8 -m comment --comment \"flanneld masq\""
                + " -j MASQUERADE --random-fully")
        .hasSize(7);
    assertThat(saved("ip6tables-save", "filter")).hasSize(3);
    assertThat(saved("iptables-save", "nat")).isEmpty();
    assertThat(rules.resync()).isEmpty();
  }
}
