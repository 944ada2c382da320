package io.jflannel.daemon.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChainPlanTest {
  private static final FlannelChain FWD = FlannelChain.forward("10.244.0.0/16");
  private static final String JUMP =
      "-A FORWARD -m comment --comment \"flanneld forward\" -j FLANNEL-FWD";
  private static final String ACCEPT_FROM =
      "-A FLANNEL-FWD -s 10.244.0.0/16 -m comment --comment \"flanneld forward\" -j ACCEPT";
  private static final String ACCEPT_TO =
      "-A FLANNEL-FWD -d 10.244.0.0/16 -m comment --comment \"flanneld forward\" -j ACCEPT";

  private static SavedTable filter(boolean chain, String... rules) {
    return SavedTable.parse(
        FakeIptables.table("filter", chain ? List.of("FLANNEL-FWD") : List.of(), List.of(rules)),
        "filter");
  }

  @Test
  void aChainThatIsRightNeedsNothing() {
    ChainPlan p = ChainPlan.ensure(filter(true, JUMP, ACCEPT_FROM, ACCEPT_TO), FWD);
    assertThat(p.isEmpty()).isTrue();
    assertThat(p.drift()).isEmpty();
  }

  @Test
  void aMissingChainIsCreatedWithAllRulesAndTheJump() {
    ChainPlan p = ChainPlan.ensure(filter(false), FWD);
    assertThat(p.declare()).containsExactly(":FLANNEL-FWD - [0:0]");
    assertThat(p.delete()).isEmpty();
    assertThat(p.append()).containsExactly(ACCEPT_FROM, ACCEPT_TO, JUMP);
  }

  @Test
  void aMissingRuleRewritesTheChainButKeepsTheJump() {
    ChainPlan p = ChainPlan.ensure(filter(true, JUMP, ACCEPT_TO), FWD);
    assertThat(p.declare()).containsExactly(":FLANNEL-FWD - [0:0]");
    assertThat(p.append()).containsExactly(ACCEPT_FROM, ACCEPT_TO);
    assertThat(p.drift())
        .containsExactly(
            "FLANNEL-FWD: missing [-s 10.244.0.0/16 -m comment --comment \"flanneld forward\" -j"
                + " ACCEPT]");
  }

  @Test
  void aDuplicatedRuleRewritesTheChain() {
    ChainPlan p = ChainPlan.ensure(filter(true, JUMP, ACCEPT_FROM, ACCEPT_FROM, ACCEPT_TO), FWD);
    assertThat(p.append()).containsExactly(ACCEPT_FROM, ACCEPT_TO);
    assertThat(p.drift().get(0)).startsWith("FLANNEL-FWD: duplicated [-s 10.244.0.0/16");
  }

  @Test
  void aForeignRuleInOurChainIsDropped() {
    ChainPlan p =
        ChainPlan.ensure(filter(true, JUMP, ACCEPT_FROM, "-A FLANNEL-FWD -j DROP", ACCEPT_TO), FWD);
    assertThat(p.append()).containsExactly(ACCEPT_FROM, ACCEPT_TO);
    assertThat(p.drift()).containsExactly("FLANNEL-FWD: unexpected [-j DROP]");
  }

  @Test
  void rulesOutOfOrderRewriteTheChain() {
    ChainPlan p = ChainPlan.ensure(filter(true, JUMP, ACCEPT_TO, ACCEPT_FROM), FWD);
    assertThat(p.append()).containsExactly(ACCEPT_FROM, ACCEPT_TO);
    assertThat(p.drift()).containsExactly("FLANNEL-FWD: rules out of order");
  }

  @Test
  void extraJumpsAndStaleRulesOfOursInTheParentAreDeleted() {
    String stale = "-A FORWARD -s 10.1.0.0/16 -m comment --comment \"flanneld forward\" -j ACCEPT";
    String foreign = "-A FORWARD -j KUBE-FORWARD";
    List<String> rules = new ArrayList<>(List.of(foreign, JUMP, stale, JUMP, JUMP));
    rules.addAll(List.of(ACCEPT_FROM, ACCEPT_TO));
    ChainPlan p = ChainPlan.ensure(filter(true, rules.toArray(String[]::new)), FWD);
    String deleteJump = "-D" + JUMP.substring(2);
    assertThat(p.delete()).containsExactly("-D" + stale.substring(2), deleteJump, deleteJump);
    assertThat(p.declare()).isEmpty();
    assertThat(p.append()).isEmpty();
  }

  @Test
  void aJumpWithOtherMatchesIsStaleAndReplaced() {
    String odd = "-A FORWARD -i eth0 -j FLANNEL-FWD";
    ChainPlan p = ChainPlan.ensure(filter(true, odd, ACCEPT_FROM, ACCEPT_TO), FWD);
    assertThat(p.delete()).containsExactly("-D FORWARD -i eth0 -j FLANNEL-FWD");
    assertThat(p.append()).containsExactly(JUMP);
  }

  @Test
  void retiringDeletesOurParentRulesFlushesAndRemovesTheChain() {
    ChainPlan p =
        ChainPlan.retire(filter(true, "-A FORWARD -j KUBE-FORWARD", JUMP, ACCEPT_FROM), FWD);
    assertThat(p.declare()).containsExactly(":FLANNEL-FWD - [0:0]");
    assertThat(p.delete()).containsExactly("-D" + JUMP.substring(2));
    assertThat(p.append()).containsExactly("-X FLANNEL-FWD");
  }

  @Test
  void retiringWhatIsNotThereNeedsNothing() {
    assertThat(ChainPlan.retire(filter(false, "-A FORWARD -j KUBE-FORWARD"), FWD).isEmpty())
        .isTrue();
  }
}
