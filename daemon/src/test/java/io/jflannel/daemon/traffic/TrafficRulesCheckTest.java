package io.jflannel.daemon.traffic;

import static io.jflannel.daemon.traffic.IptablesRulesTest.FWD;
import static io.jflannel.daemon.traffic.IptablesRulesTest.FWD_JUMP;
import static io.jflannel.daemon.traffic.IptablesRulesTest.MASQ;
import static io.jflannel.daemon.traffic.IptablesRulesTest.MASQ_JUMP;
import static io.jflannel.daemon.traffic.IptablesRulesTest.current;
import static io.jflannel.daemon.traffic.IptablesRulesTest.lines;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link TrafficRules#check}: the daemon's drift, found without writing (flanneld diagnose). */
class TrafficRulesCheckTest {
  private final FakeIptables iptables = new FakeIptables();

  @Test
  void rulesInPlaceAreNoDriftAndNothingIsRestored() throws Exception {
    iptables.table(
        "iptables-save",
        "nat",
        FakeIptables.table("nat", List.of("FLANNEL-POSTRTG"), lines(MASQ_JUMP + "\n" + MASQ)));
    iptables.table(
        "iptables-save",
        "filter",
        FakeIptables.table("filter", List.of("FLANNEL-FWD"), lines(FWD_JUMP + "\n" + FWD)));
    assertThat(TrafficRules.check(false, true, false, current(), iptables)).isEmpty();
    assertThat(iptables.restored).isEmpty();
  }

  @Test
  void aDeletedMasqueradeRuleIsDriftNamingItAndIsNotRepaired() throws Exception {
    String masqWithoutTheLast =
        MASQ.lines().limit(MASQ.lines().count() - 1).reduce("", (a, b) -> a + b + "\n");
    iptables.table(
        "iptables-save",
        "nat",
        FakeIptables.table(
            "nat", List.of("FLANNEL-POSTRTG"), lines(MASQ_JUMP + "\n" + masqWithoutTheLast)));
    iptables.table(
        "iptables-save",
        "filter",
        FakeIptables.table("filter", List.of("FLANNEL-FWD"), lines(FWD_JUMP + "\n" + FWD)));

    List<Drift> drift = TrafficRules.check(false, true, false, current(), iptables);

    assertThat(drift)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.chain()).isEqualTo("FLANNEL-POSTRTG");
              assertThat(d.detail()).contains("MASQUERADE");
            });
    assertThat(iptables.restored).as("nothing restored").isEmpty();
    assertThat(iptables.commandLines())
        .allSatisfy(c -> assertThat(ReadOnlyRunner.reads(List.of(c.split(" ")))).isTrue());
  }

  @Test
  void onlyCommandsThatReadAreRun() {
    assertThat(ReadOnlyRunner.reads(List.of("iptables-save", "-t", "nat"))).isTrue();
    assertThat(ReadOnlyRunner.reads(List.of("ip6tables-restore", "--version"))).isTrue();
    assertThat(ReadOnlyRunner.reads(List.of("iptables-restore", "--noflush", "--wait"))).isFalse();
    assertThat(ReadOnlyRunner.reads(List.of("nft", "list", "tables"))).isTrue();
    assertThat(ReadOnlyRunner.reads(List.of("nft", "-c", "-f", "-"))).isTrue();
    assertThat(ReadOnlyRunner.reads(List.of("nft", "-f", "-"))).isFalse();
  }
}
