package io.jflannel.daemon.traffic;

import io.jflannel.subnet.SubnetEnv;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * flannel's rules with iptables: the masquerade chain {@code FLANNEL-POSTRTG} (nat, when subnet.env
 * says {@code FLANNEL_IPMASQ=true}) and the forward chain {@code FLANNEL-FWD} (filter, with {@code
 * --iptables-forward-rules}), for each address family the node runs, with upstream's rule shapes
 * (see {@link FlannelChain}).
 *
 * <p>Mechanism: {@link #setup} records the desired chains and reconciles; {@link #resync}, which
 * the daemon calls every {@code --iptables-resync} seconds, reconciles again. Reconciling reads
 * each table with {@code iptables-save -t <table>}, works out the difference ({@link ChainPlan}:
 * missing, duplicated, foreign or misordered rules, stale rules of ours in the built-in chains)
 * and, only if there is one, writes all fixes of a family in a single {@code iptables-restore
 * --noflush --wait} call, so the chain is never seen half-written. Upstream re-checks only that
 * each rule exists (issue #1337); this also repairs order and duplicates, and leaves correct rules
 * untouched (a restart rewrites nothing).
 *
 * <p>Stale rules: the rules of a previous network or subnet live in our own chains and are replaced
 * when the chain is rewritten; rules carrying our comment elsewhere in {@code POSTROUTING} or
 * {@code FORWARD} (older flannel versions put them there) are deleted. Beyond upstream, which never
 * removes rules, the masquerade chain is removed when the previous subnet.env had {@code
 * FLANNEL_IPMASQ=true} and this run does not masquerade, and both chains of an address family the
 * network no longer has are removed. {@link #setup} also deletes the nftables tables of nftables
 * mode ({@link NftablesRules#removeLeftovers}) when {@code nft} is installed. Rules are never
 * removed on exit (zero-downtime restarts).
 *
 * <p>{@code --random-fully} and {@code --wait} are used when {@code iptables-restore --version} is
 * 1.6.2 or later, as upstream decides; {@code --ip-masq-fully-random-disable} turns the former off.
 * {@code iptables-restore}, {@code ip6tables-restore} and their {@code -save} twins run through a
 * {@link CommandRunner}.
 *
 * <p>Thread-safety: all methods are synchronized, so a resync never interleaves with a setup (one
 * iptables transaction at a time, as upstream's mutex ensures).
 */
public final class IptablesRules implements TrafficRules {
  private static final Logger log = LoggerFactory.getLogger(IptablesRules.class);
  private static final Pattern VERSION = Pattern.compile("v(\\d+)\\.(\\d+)\\.(\\d+)");

  private final CommandRunner runner;
  private final Commands commands;
  private final boolean forwardRules;
  private final boolean randomFullyDisabled;
  private final Map<IpFamily, Boolean> modernIptables = new EnumMap<>(IpFamily.class);
  private Map<IpFamily, List<FlannelChain>> desired = Map.of();
  private Map<IpFamily, List<FlannelChain>> retired = Map.of();

  /**
   * @param runner runs the iptables binaries
   * @param forwardRules {@code --iptables-forward-rules}: keep {@code FLANNEL-FWD}
   * @param randomFullyDisabled {@code --ip-masq-fully-random-disable}
   */
  public IptablesRules(CommandRunner runner, boolean forwardRules, boolean randomFullyDisabled) {
    this.runner = runner;
    this.commands = new Commands(runner);
    this.forwardRules = forwardRules;
    this.randomFullyDisabled = randomFullyDisabled;
  }

  @Override
  public synchronized List<Drift> setup(SubnetEnv current, SubnetEnv previous)
      throws TrafficRulesException {
    Map<IpFamily, List<FlannelChain>> want = new EnumMap<>(IpFamily.class);
    Map<IpFamily, List<FlannelChain>> drop = new EnumMap<>(IpFamily.class);
    for (IpFamily f : IpFamily.values()) {
      String network = f.network(current);
      List<FlannelChain> chains = new ArrayList<>();
      if (network != null && current.ipMasq()) {
        chains.add(FlannelChain.masquerade(network, f.subnet(current), f, randomFully(f)));
      }
      if (network != null && forwardRules) {
        chains.add(FlannelChain.forward(network));
      }
      want.put(f, chains);
      drop.put(f, retiredChains(current, previous, f));
      if (previous != null && network != null && f.network(previous) != null) {
        logChange(f, previous, current);
      }
    }
    desired = want;
    retired = drop;
    List<Drift> changed = reconcileAll();
    retired = Map.of();
    for (Drift d : changed) {
      log.info("iptables: {}", d);
    }
    log.info("iptables rules in place: {}", summary());
    changed.addAll(NftablesRules.removeLeftovers(runner));
    return changed;
  }

  @Override
  public synchronized List<Drift> resync() throws TrafficRulesException {
    List<Drift> changed = reconcileAll();
    for (Drift d : changed) {
      log.warn("iptables drift repaired: {}", d);
    }
    return changed;
  }

  /**
   * Removes every chain of iptables mode ({@code FLANNEL-POSTRTG}, {@code FLANNEL-FWD}, both
   * families) with the rules of ours in {@code POSTROUTING} and {@code FORWARD}: what nftables mode
   * finds when the node ran in iptables mode before. A family whose iptables binaries are not
   * installed is skipped silently; any other failure is logged and leaves that family as it was.
   *
   * @return what was removed
   */
  static List<Drift> removeLeftovers(CommandRunner runner) {
    IptablesRules rules = new IptablesRules(runner, false, true);
    List<Drift> removed = new ArrayList<>();
    for (IpFamily f : IpFamily.values()) {
      try {
        removed.addAll(rules.reconcile(f, List.of(), FlannelChain.anyRules()));
      } catch (TrafficRulesException e) {
        if (e.cannotRun()) {
          log.debug("{} iptables leftovers not checked: {}", f, e.getMessage());
        } else {
          log.warn("cannot remove the {} iptables rules of iptables mode: {}", f, e.getMessage());
        }
      }
    }
    for (Drift d : removed) {
      log.info("removed iptables leftovers of iptables mode: {}", d);
    }
    return removed;
  }

  private List<Drift> reconcileAll() throws TrafficRulesException {
    List<Drift> out = new ArrayList<>();
    for (IpFamily f : IpFamily.values()) {
      List<FlannelChain> want = desired.getOrDefault(f, List.of());
      List<FlannelChain> drop = retired.getOrDefault(f, List.of());
      if (!want.isEmpty() || !drop.isEmpty()) {
        out.addAll(reconcile(f, want, drop));
      }
    }
    return out;
  }

  /** Reads the tables concerned, and writes every fix of family {@code f} in one transaction. */
  private List<Drift> reconcile(IpFamily f, List<FlannelChain> want, List<FlannelChain> drop)
      throws TrafficRulesException {
    Set<String> tables = new LinkedHashSet<>();
    want.forEach(c -> tables.add(c.table()));
    drop.forEach(c -> tables.add(c.table()));
    StringBuilder payload = new StringBuilder();
    List<Drift> drift = new ArrayList<>();
    for (String table : tables) {
      SavedTable saved = SavedTable.parse(save(f, table), table);
      List<ChainPlan> plans = new ArrayList<>();
      for (FlannelChain c : drop) {
        if (c.table().equals(table)) {
          plans.add(noted(ChainPlan.retire(saved, c), f, c, drift));
        }
      }
      for (FlannelChain c : want) {
        if (c.table().equals(table)) {
          plans.add(noted(ChainPlan.ensure(saved, c), f, c, drift));
        }
      }
      payload.append(block(table, plans));
    }
    if (!payload.isEmpty()) {
      restore(f, payload.toString());
    }
    return drift;
  }

  /** Adds the drift {@code plan} found to {@code drift}, and returns the plan. */
  private static ChainPlan noted(ChainPlan plan, IpFamily f, FlannelChain c, List<Drift> drift) {
    plan.drift().forEach(d -> drift.add(new Drift(f, c.table(), c.chain(), d)));
    return plan;
  }

  /** The {@code *table ... COMMIT} block of {@code plans}, or "" if none has anything to do. */
  static String block(String table, List<ChainPlan> plans) {
    if (plans.stream().allMatch(ChainPlan::isEmpty)) {
      return "";
    }
    StringBuilder sb = new StringBuilder("*").append(table).append('\n');
    plans.forEach(p -> p.declare().forEach(l -> sb.append(l).append('\n')));
    plans.forEach(p -> p.delete().forEach(l -> sb.append(l).append('\n')));
    plans.forEach(p -> p.append().forEach(l -> sb.append(l).append('\n')));
    return sb.append("COMMIT\n").toString();
  }

  private List<FlannelChain> retiredChains(SubnetEnv current, SubnetEnv previous, IpFamily f) {
    List<FlannelChain> out = new ArrayList<>();
    String old = previous == null ? null : f.network(previous);
    if (old == null) {
      return out;
    }
    boolean stays = f.network(current) != null;
    if (previous.ipMasq() && !(stays && current.ipMasq())) {
      out.add(FlannelChain.masquerade(old, f.subnet(previous), f, false));
    }
    if (!stays) {
      out.add(FlannelChain.forward(old));
    }
    return out;
  }

  private static void logChange(IpFamily f, SubnetEnv previous, SubnetEnv current) {
    String before = f.network(previous) + " " + f.subnet(previous);
    String now = f.network(current) + " " + f.subnet(current);
    if (!before.equals(now)) {
      log.info(
          "{} network or subnet changed from {} to {}: replacing its iptables rules",
          f,
          before,
          now);
    }
  }

  private String summary() {
    List<String> parts = new ArrayList<>();
    desired.forEach(
        (f, chains) -> chains.forEach(c -> parts.add(f + " " + c.table() + "/" + c.chain())));
    return parts.isEmpty() ? "none wanted" : String.join(", ", parts);
  }

  private boolean randomFully(IpFamily f) throws TrafficRulesException {
    return !randomFullyDisabled && modern(f);
  }

  /**
   * Whether the family's iptables-restore is 1.6.2 or later ({@code --wait}, {@code
   * --random-fully}).
   */
  private boolean modern(IpFamily f) throws TrafficRulesException {
    Boolean known = modernIptables.get(f);
    if (known != null) {
      return known;
    }
    CommandRunner.Result r = commands.run(List.of(f.restoreBinary(), "--version"), "");
    if (!r.ok()) {
      throw Commands.failure(f.restoreBinary() + " --version", r);
    }
    boolean modern = atLeast162(r.stdout() + r.stderr());
    log.debug(
        "{} reports {}: --wait and --random-fully {}",
        f.restoreBinary(),
        r.stdout().strip(),
        modern ? "supported" : "unsupported");
    modernIptables.put(f, modern);
    return modern;
  }

  /** Whether an iptables version line ({@code iptables-restore v1.8.9 (nf_tables)}) is ≥ 1.6.2. */
  static boolean atLeast162(String versionOutput) {
    Matcher m = VERSION.matcher(versionOutput);
    if (!m.find()) {
      return false;
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    int patch = Integer.parseInt(m.group(3));
    return major > 1 || (major == 1 && (minor > 6 || (minor == 6 && patch >= 2)));
  }

  private String save(IpFamily f, String table) throws TrafficRulesException {
    return commands.output(List.of(f.saveBinary(), "-t", table), "");
  }

  private void restore(IpFamily f, String payload) throws TrafficRulesException {
    List<String> cmd = new ArrayList<>(List.of(f.restoreBinary(), "--noflush"));
    if (modern(f)) {
      cmd.add("--wait");
    }
    log.trace("{} --noflush <<\n{}", f.restoreBinary(), payload);
    commands.output(cmd, payload);
  }
}
