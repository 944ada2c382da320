package io.jflannel.daemon.traffic;

import io.jflannel.backend.common.Change;
import io.jflannel.backend.common.Kernel;
import io.jflannel.backend.common.KernelTypes;
import io.jflannel.backend.common.Outcome;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.lease.Lease;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Route;
import io.jflannel.netlink.wire.Rt;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --ip-blackhole-route}: a blackhole route for this node's own pod subnet(s), as upstream
 * keeps for CNI setups without a bridge (Canal), so traffic to a pod address that has no pod here
 * is dropped on this node instead of following the default route out of it.
 *
 * <p>The route is {@code blackhole <subnet> metric 1024}, per family the lease has: a metric above
 * the bridge's own route for the subnet ({@code <subnet> dev cni0}, metric 0 for IPv4, 256 for
 * IPv6), so both can exist and the blackhole only catches what the bridge does not; upstream's
 * metric-0 route cannot be added next to a bridge route ("File exists"). Level-triggered: {@link
 * #ensure} reads the main table, adds the route when no blackhole route for the subnet exists (an
 * upstream one, whatever its metric, counts), and removes blackhole routes inside the flannel
 * networks that are not this node's (a pod CIDR that changed, upstream leaves those behind).
 *
 * <p>Not thread-safe: called at start, then from one periodic thread.
 */
public final class BlackholeRoutes {
  private static final Logger log = LoggerFactory.getLogger(BlackholeRoutes.class);

  /** The metric of our blackhole routes. */
  public static final int METRIC = 1024;

  private final Kernel kernel;
  private final NetworkConfig config;
  private final List<Route> wanted = new ArrayList<>(2);

  public BlackholeRoutes(Kernel kernel, NetworkConfig config, Lease own) {
    this.kernel = kernel;
    this.config = config;
    if (config.enableIPv4() && own.subnet() != null) {
      wanted.add(route(KernelTypes.prefix(own.subnet())));
    }
    if (config.enableIPv6() && own.ipv6Subnet() != null) {
      wanted.add(route(KernelTypes.prefix(own.ipv6Subnet())));
    }
  }

  /** {@code blackhole <dst> metric 1024} in the main table. */
  static Route route(IpPrefix dst) {
    return Route.blackhole(dst).withPriority(METRIC);
  }

  /**
   * Makes the main table hold a blackhole route for each own subnet and none for other subnets of
   * the flannel networks.
   *
   * @return the kernel writes it took (0 when all was right)
   * @throws NetlinkException if the routes cannot be read or a write is refused
   */
  public int ensure() throws NetlinkException {
    List<Change> changes = new ArrayList<>();
    List<Route> present = new ArrayList<>();
    for (Route r : kernel.routes(Rt.AF_UNSPEC)) {
      if (r.type() != Rt.RTN_BLACKHOLE || !inNetworks(r.dst())) {
        continue;
      }
      if (wanted.stream().anyMatch(w -> w.dst().equals(r.dst()))) {
        present.add(r);
      } else {
        log.info("removing the blackhole route {}: not this node's subnet", r.dst());
        changes.add(Change.delete(r));
      }
    }
    for (Route w : wanted) {
      if (present.stream().noneMatch(p -> p.dst().equals(w.dst()))) {
        log.info("adding a blackhole route for this node's subnet {}", w.dst());
        changes.add(Change.replace(w));
      }
    }
    for (Outcome o : kernel.apply(changes)) {
      if (!o.ok()) {
        throw new NetlinkException(o.change().toString(), o.errno());
      }
    }
    return changes.size();
  }

  private boolean inNetworks(IpPrefix dst) {
    if (KernelTypes.isIpv4(dst.address())) {
      return config.network() != null && config.network().contains(KernelTypes.ip4Net(dst));
    }
    return config.ipv6Network() != null && config.ipv6Network().contains(KernelTypes.ip6Net(dst));
  }
}
