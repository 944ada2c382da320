package io.jflannel.core.backend;

import java.util.Map;

/**
 * Counters a {@link Network} may keep, for the daemon's metrics; a network that keeps none does not
 * implement it.
 *
 * <p>{@link #writes} is read on the daemon's event thread right after each {@code handle} or {@code
 * reconcile}, so it may share the network's lock. (Kernel refusals are counted for the whole
 * process by the netlink module's {@code NetlinkStats}.) {@link #packetCounters} is read at scrape
 * time from another thread, so it must not block.
 */
public interface NetworkStats {

  /**
   * Kernel write requests sent so far (vxlan: ARP, FDB, route and nexthop replaces and deletes;
   * host-gw: routes and nexthops; udp: device repairs).
   */
  long writes();

  /**
   * Data-plane counters of a network that moves packets itself (udp), by name in a fixed order:
   * {@code sent|received}{@code Packets|Bytes}, {@code dropped<Reason>}, {@code <op>Errors}, or any
   * other name. The same names on every call; empty (the default) for kernel data planes.
   */
  default Map<String, Long> packetCounters() {
    return Map.of();
  }
}
