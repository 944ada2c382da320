package io.jflannel.core.backend;

/**
 * The kernel-write counter a {@link Network} may keep, for the daemon's reconcile metrics ({@code
 * flannel_netlink_writes_total}, {@code flannel_reconcile_repairs_total}); a network that keeps
 * none does not implement it. Other metrics of a network it declares itself ({@link
 * io.jflannel.core.metrics.MetricSource}).
 *
 * <p>{@link #writes} is read on the daemon's event thread right after each {@code handle} or {@code
 * reconcile}, so it may share the network's lock. (Kernel refusals are counted for the whole
 * process by the netlink module's {@code NetlinkStats}.)
 */
public interface NetworkStats {

  /**
   * Kernel write requests sent so far (vxlan: ARP, FDB, route and nexthop replaces and deletes;
   * host-gw: routes and nexthops; udp: device repairs).
   */
  long writes();
}
