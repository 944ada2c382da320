package io.jflannel.daemon.traffic;

import io.jflannel.subnet.SubnetEnv;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * flannel's rules with nftables ({@code "EnableNFTables": true}), as upstream (v0.25+) lays them
 * out: table {@code ip flannel-ipv4} (and {@code ip6 flannel-ipv6} when the network has IPv6)
 * holding the masquerade chain {@code postrtg} (when subnet.env says {@code FLANNEL_IPMASQ=true})
 * and the forward chain {@code forward} (with {@code --iptables-forward-rules}); see {@link
 * NftTable} for the chains and rules.
 *
 * <p>Mechanism: {@link #setup} records the wanted tables and reconciles; {@link #resync}, every
 * {@code --iptables-resync} seconds, reconciles again. Reconciling lists flannel's tables ({@code
 * nft list tables}, then {@code nft list table <family> <name>} for each wanted one), compares each
 * with the wanted table line by line ({@link NftListing}: missing, duplicated, foreign or
 * misordered rules, a missing or foreign chain, a changed declaration) and, only if one differs,
 * replaces every table that differs in a single {@code nft -f -} transaction (create, delete,
 * declare anew), so packets never see a table half-written. A table that is right is not touched: a
 * restart writes nothing. Upstream writes the chains once at start and does not check them again.
 *
 * <p>Should nft print our rules in another notation than the one written (another nft version), the
 * listing read right after the write becomes the reference for the later checks, so the table is
 * rewritten once at start, not at every resync.
 *
 * <p>{@link #setup} deletes a table of ours that is no longer wanted (masquerading turned off and
 * forward rules off, or IPv6 dropped), then removes the chains of iptables mode ({@link
 * IptablesRules#removeLeftovers}). Unlike upstream, tables are not deleted on exit (zero-downtime
 * restarts, as in iptables mode). {@code fully-random} is used unless {@code
 * --ip-masq-fully-random-disable}, when the kernel accepts it ({@code nft -c} of such a rule, as
 * upstream checks); upstream's comments are added when nft and the kernel accept object comments.
 *
 * <p>Thread-safety: all methods are synchronized, so a resync never interleaves with a setup.
 */
public final class NftablesRules implements TrafficRules {
  private static final Logger log = LoggerFactory.getLogger(NftablesRules.class);
  private static final String PROBE_TABLE = "ip flannel-probe";

  private final CommandRunner runner;
  private final Commands nft;
  private final boolean forwardRules;
  private final boolean randomFullyDisabled;
  private final Map<NftTable, NftListing> printedAs = new HashMap<>();
  private Boolean comments;
  private Boolean fullyRandom;
  private Map<IpFamily, NftTable> desired = Map.of();

  /**
   * @param runner runs {@code nft} (and, to remove iptables mode's chains, the iptables binaries)
   * @param forwardRules {@code --iptables-forward-rules}: keep the {@code forward} chain
   * @param randomFullyDisabled {@code --ip-masq-fully-random-disable}
   */
  public NftablesRules(CommandRunner runner, boolean forwardRules, boolean randomFullyDisabled) {
    this.runner = runner;
    this.nft = new Commands(runner);
    this.forwardRules = forwardRules;
    this.randomFullyDisabled = randomFullyDisabled;
  }

  @Override
  public synchronized List<Drift> setup(SubnetEnv current, SubnetEnv previous)
      throws TrafficRulesException {
    Map<IpFamily, NftTable> want = new EnumMap<>(IpFamily.class);
    for (IpFamily f : IpFamily.values()) {
      String network = f.network(current);
      if (network == null) {
        continue;
      }
      List<NftTable.Chain> chains = new ArrayList<>();
      if (current.ipMasq()) {
        chains.add(NftTable.masquerade(f, network, f.subnet(current), fullyRandom()));
      }
      if (forwardRules) {
        chains.add(NftTable.forward(f, network));
      }
      if (!chains.isEmpty()) {
        want.put(f, new NftTable(f, comments(), chains));
      }
      logChange(f, previous, current);
    }
    desired = want;
    // with no table wanted, nft need not even be installed
    List<Drift> changed =
        want.isEmpty() ? new ArrayList<>(removeTables(runner, "not wanted")) : reconcile(true);
    for (Drift d : changed) {
      log.info("nftables: {}", d);
    }
    log.info("nftables rules in place: {}", summary());
    changed.addAll(IptablesRules.removeLeftovers(runner));
    return changed;
  }

  @Override
  public synchronized List<Drift> resync() throws TrafficRulesException {
    if (desired.isEmpty()) {
      return List.of();
    }
    List<Drift> changed = reconcile(false);
    for (Drift d : changed) {
      log.warn("nftables drift repaired: {}", d);
    }
    return changed;
  }

  /**
   * Deletes upstream's tables {@code ip flannel-ipv4} and {@code ip6 flannel-ipv6} if present: what
   * iptables mode finds when the node ran in nftables mode before. Skipped silently when {@code
   * nft} is not installed or cannot list tables (no nf_tables in the kernel); a failed delete is
   * logged.
   *
   * @return what was removed
   */
  static List<Drift> removeLeftovers(CommandRunner runner) {
    return removeTables(runner, "left by nftables mode");
  }

  private static List<Drift> removeTables(CommandRunner runner, String why) {
    Commands nft = new Commands(runner);
    Set<String> present;
    try {
      present = tables(nft);
    } catch (TrafficRulesException e) {
      log.debug("nftables leftovers not checked: {}", e.getMessage());
      return List.of();
    }
    StringBuilder script = new StringBuilder();
    List<Drift> removed = new ArrayList<>();
    for (IpFamily f : IpFamily.values()) {
      if (present.contains(NftTable.ref(f))) {
        script.append(NftTable.deleteScript(f));
        removed.add(new Drift(f, f.nftTable(), null, "table removed: " + why));
      }
    }
    if (removed.isEmpty()) {
      return removed;
    }
    try {
      apply(nft, script.toString());
    } catch (TrafficRulesException e) {
      log.warn("cannot remove flannel's nftables tables ({}): {}", why, e.getMessage());
      return List.of();
    }
    removed.forEach(d -> log.info("nftables: {}", d));
    return removed;
  }

  /**
   * Compares every wanted table with the kernel's and replaces those that differ in one
   * transaction; with {@code retire}, also deletes the tables of ours no longer wanted.
   */
  private List<Drift> reconcile(boolean retire) throws TrafficRulesException {
    Set<String> present = tables(nft);
    StringBuilder script = new StringBuilder();
    List<NftTable> written = new ArrayList<>();
    List<Drift> drift = new ArrayList<>();
    for (IpFamily f : IpFamily.values()) {
      NftTable want = desired.get(f);
      boolean exists = present.contains(NftTable.ref(f));
      if (want == null) {
        if (retire && exists) {
          script.append(NftTable.deleteScript(f));
          drift.add(new Drift(f, f.nftTable(), null, "table no longer wanted"));
        }
        continue;
      }
      List<NftListing.Difference> diff =
          exists
              ? expected(want).differences(NftListing.parse(list(want)))
              : List.of(new NftListing.Difference(null, "table missing"));
      if (!diff.isEmpty()) {
        diff.forEach(d -> drift.add(new Drift(f, want.name(), d.chain(), d.detail())));
        script.append(want.replaceScript());
        written.add(want);
      }
    }
    if (!script.isEmpty()) {
      apply(nft, script.toString());
      for (NftTable t : written) {
        learnPrinting(t);
      }
    }
    return drift;
  }

  /** What the kernel's listing of {@code want} must be: as written, or as nft printed it back. */
  private NftListing expected(NftTable want) {
    NftListing printed = printedAs.get(want);
    return printed != null ? printed : NftListing.parse(want.text());
  }

  /**
   * Reads back the table just written; if nft prints it in another notation than ours (same chains,
   * same number of rules), that listing is what later checks compare with.
   */
  private void learnPrinting(NftTable t) throws TrafficRulesException {
    NftListing written = NftListing.parse(t.text());
    NftListing printed = NftListing.parse(list(t));
    if (printed.equals(written)) {
      printedAs.remove(t);
    } else if (printed.sameShape(written)) {
      log.debug("nft prints table {} as {}; checking against that", t.ref(), printed);
      printedAs.put(t, printed);
    } else {
      log.warn("table {} changed right after it was written: {}", t.ref(), printed);
    }
  }

  /** The tables of the ruleset, as {@code "ip flannel-ipv4"}. */
  private static Set<String> tables(Commands nft) throws TrafficRulesException {
    Set<String> out = new HashSet<>();
    for (String line : nft.output(List.of("nft", "list", "tables"), "").split("\n")) {
      String l = line.strip();
      if (l.startsWith("table ")) {
        out.add(l.substring("table ".length()).strip());
      }
    }
    return out;
  }

  private String list(NftTable t) throws TrafficRulesException {
    List<String> cmd = new ArrayList<>(List.of("nft", "list", "table"));
    cmd.addAll(List.of(t.ref().split(" ")));
    return nft.output(cmd, "");
  }

  private static void apply(Commands nft, String script) throws TrafficRulesException {
    log.trace("nft -f - <<\n{}", script);
    nft.output(List.of("nft", "-f", "-"), script);
  }

  /** Whether {@code masquerade fully-random} is to be used: not disabled, and the kernel has it. */
  private boolean fullyRandom() throws TrafficRulesException {
    if (randomFullyDisabled) {
      return false;
    }
    if (fullyRandom == null) {
      fullyRandom =
          accepts(
              "add table "
                  + PROBE_TABLE
                  + "\nadd chain "
                  + PROBE_TABLE
                  + " postrtg { type nat hook postrouting priority srcnat; policy accept; }\n"
                  + "add rule "
                  + PROBE_TABLE
                  + " postrtg ip saddr != 127.0.0.1 masquerade fully-random\n");
      if (!fullyRandom) {
        log.warn("nftables: masquerade fully-random unsupported; masquerading without it");
      }
    }
    return fullyRandom;
  }

  /** Whether nft and the kernel accept comments on tables and chains. */
  private boolean comments() throws TrafficRulesException {
    if (comments == null) {
      comments = accepts("add table " + PROBE_TABLE + " { comment \"probe\"; }\n");
      log.debug("nftables: object comments {}", comments ? "supported" : "unsupported");
    }
    return comments;
  }

  /** Whether {@code nft -c} (check only: nothing is changed) accepts {@code script}. */
  private boolean accepts(String script) throws TrafficRulesException {
    CommandRunner.Result r = nft.run(List.of("nft", "-c", "-f", "-"), script);
    if (!r.ok()) {
      log.debug("nft -c rejects {}: {}", script.strip(), r.stderr().strip());
    }
    return r.ok();
  }

  private static void logChange(IpFamily f, SubnetEnv previous, SubnetEnv current) {
    if (previous == null || f.network(previous) == null) {
      return;
    }
    String before = f.network(previous) + " " + f.subnet(previous);
    String now = f.network(current) + " " + f.subnet(current);
    if (!before.equals(now)) {
      log.info(
          "{} network or subnet changed from {} to {}: replacing its nftables rules",
          f,
          before,
          now);
    }
  }

  private String summary() {
    List<String> parts = new ArrayList<>();
    desired.forEach(
        (f, t) -> t.chains().forEach(c -> parts.add("table " + t.ref() + " chain " + c.name())));
    return parts.isEmpty() ? "none wanted" : String.join(", ", parts);
  }
}
