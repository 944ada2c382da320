package io.jflannel.daemon.iface;

import io.jflannel.netlink.Address;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Route;
import java.net.InetAddress;
import java.util.List;

/**
 * What interface selection needs to know about the host's network: its links, addresses, main-table
 * routes and the kernel's route lookup. {@link NetlinkHostNetwork} answers from the kernel; tests
 * answer from lists.
 */
interface HostNetwork {
  /** Every link, in ifindex order ({@code ip link show}). */
  List<Link> links() throws NetlinkException;

  /** Every IPv4 and IPv6 address, primary addresses first ({@code ip addr show}). */
  List<Address> addresses() throws NetlinkException;

  /** The routes of {@code family} in the main table ({@code ip [-6] route show}). */
  List<Route> mainRoutes(int family) throws NetlinkException;

  /** The route the kernel would use to reach {@code dst} ({@code ip route get <dst>}). */
  Route routeTo(InetAddress dst) throws NetlinkException;
}
