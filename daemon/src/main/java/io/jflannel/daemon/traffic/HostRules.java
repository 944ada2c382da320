package io.jflannel.daemon.traffic;

import io.jflannel.netlink.NetlinkException;
import io.jflannel.subnet.SubnetEnv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's rules outside the backend, set up once at start and re-asserted every {@code
 * --iptables-resync} seconds, as upstream does: the masquerade and forward rules ({@link
 * TrafficRules}, iptables or nftables) and, with {@code --ip-blackhole-route}, the blackhole route
 * of this node's subnet ({@link BlackholeRoutes}).
 *
 * <p>Not thread-safe: {@link #setup} on the start-up thread, then {@link #resync} from one periodic
 * thread.
 */
public final class HostRules {
  private static final Logger log = LoggerFactory.getLogger(HostRules.class);

  private final TrafficRules traffic;
  private final BlackholeRoutes blackholes; // null: --ip-blackhole-route off

  public HostRules(TrafficRules traffic, BlackholeRoutes blackholes) {
    this.traffic = traffic;
    this.blackholes = blackholes;
  }

  /**
   * Installs the traffic rules for {@code current} (cleaning up after {@code previous}) and the
   * blackhole route. A blackhole route the kernel refuses is a warning, retried by {@link #resync}.
   *
   * @throws TrafficRulesException if the traffic rules cannot be installed
   */
  public void setup(SubnetEnv current, SubnetEnv previous) throws TrafficRulesException {
    traffic.setup(current, previous);
    blackholes();
  }

  /** Repairs both; failures are logged and tried again next period. Never throws. */
  public void resync() {
    try {
      traffic.resync();
    } catch (TrafficRulesException e) {
      log.warn("traffic rules resync failed, retrying next period: {}", e.getMessage());
    }
    blackholes();
  }

  private void blackholes() {
    if (blackholes == null) {
      return;
    }
    try {
      blackholes.ensure();
    } catch (NetlinkException e) {
      log.warn("cannot set the blackhole route, retrying next period: {}", e.getMessage());
    }
  }
}
