package io.jflannel.daemon.traffic;

import io.jflannel.subnet.SubnetEnv;
import java.util.List;

/**
 * Keeps flannel's masquerade and forward rules in place, for each address family the node runs:
 * with iptables ({@link IptablesRules}: chains {@code FLANNEL-POSTRTG} and {@code FLANNEL-FWD}) or,
 * when net-conf.json has {@code "EnableNFTables": true}, with nftables ({@link NftablesRules}:
 * tables {@code flannel-ipv4} and {@code flannel-ipv6}, chains {@code postrtg} and {@code
 * forward}).
 *
 * <p>The daemon calls {@link #setup} once at start and {@link #resync} every {@code
 * --iptables-resync} seconds. {@link #setup} also removes what the other mode left on the node, so
 * a node switched between the modes keeps only the current mode's rules. Rules are never removed on
 * exit: a restarted daemon takes over without touching traffic.
 *
 * <p>Implementations are thread-safe: a resync never interleaves with a setup.
 */
public interface TrafficRules {

  /**
   * Installs the rules for this run, removes those of the previous run (and of the other mode) that
   * are no longer wanted, and returns what had to change (empty when everything already was right).
   *
   * @param current what this run writes to subnet.env: the networks, this node's subnets, and
   *     whether to masquerade ({@code ipMasq})
   * @param previous the subnet.env of the previous run, or null if there was none
   * @throws TrafficRulesException if the rules cannot be read or written
   */
  List<Drift> setup(SubnetEnv current, SubnetEnv previous) throws TrafficRulesException;

  /**
   * Re-reads the rules and repairs any drift since the last call (missing, duplicated, foreign or
   * misordered rules); a no-op before {@link #setup}. Returns the drift found, each logged as a
   * warning.
   *
   * @throws TrafficRulesException if the rules cannot be read or written
   */
  List<Drift> resync() throws TrafficRulesException;

  /**
   * The rules of this host's network namespace, through the binaries on {@code PATH}: nftables
   * ({@code nft}) when {@code nftables} (net-conf.json's {@code EnableNFTables}), else iptables.
   *
   * @param forwardRules {@code --iptables-forward-rules}
   * @param randomFullyDisabled {@code --ip-masq-fully-random-disable}
   */
  static TrafficRules onHost(boolean nftables, boolean forwardRules, boolean randomFullyDisabled) {
    return create(nftables, new ProcessRunner(), forwardRules, randomFullyDisabled);
  }

  /**
   * What {@link #setup} would change on this host for {@code current}, found by the same code
   * without changing anything (only the commands that read are run; {@link ReadOnlyRunner}): the
   * drift {@code flanneld diagnose} reports. Empty when the rules are in place.
   *
   * @throws TrafficRulesException if the rules cannot be read (the binaries are missing)
   */
  static List<Drift> check(
      boolean nftables,
      boolean forwardRules,
      boolean randomFullyDisabled,
      SubnetEnv current,
      CommandRunner runner)
      throws TrafficRulesException {
    return create(nftables, new ReadOnlyRunner(runner), forwardRules, randomFullyDisabled)
        .setup(current, null);
  }

  /** As {@link #onHost}, running the binaries through {@code runner}. */
  static TrafficRules create(
      boolean nftables, CommandRunner runner, boolean forwardRules, boolean randomFullyDisabled) {
    return nftables
        ? new NftablesRules(runner, forwardRules, randomFullyDisabled)
        : new IptablesRules(runner, forwardRules, randomFullyDisabled);
  }
}
