package io.jflannel.backend.common;

import io.jflannel.netlink.Address;
import io.jflannel.netlink.FdbEntry;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.LinkEvents;
import io.jflannel.netlink.MacAddress;
import io.jflannel.netlink.Neighbour;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Nexthop;
import io.jflannel.netlink.Route;
import io.jflannel.netlink.VxlanSpec;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The part of the kernel a backend talks to, and nothing more: the per-peer objects (routes,
 * neighbours, FDB entries, nexthop objects) read whole and written in batches, and the few device
 * operations the backends' own devices need. {@link NetlinkKernel} implements it over our rtnetlink
 * binding; the test-jar's {@code FakeKernel} keeps the objects in memory, records every request and
 * can refuse chosen ones, so the backends' invariants are tested without root.
 *
 * <p>Objects are the netlink module's value types; failures are {@link NetlinkException}s with the
 * kernel's errno ({@link io.jflannel.netlink.LinkNotFoundException} for a missing link). One
 * instance belongs to one network namespace and one owner at a time; calls are serialized by the
 * implementation.
 */
public interface Kernel extends AutoCloseable {

  /**
   * The unicast routes of {@code family} ({@code AF_INET}, {@code AF_INET6}, {@code AF_UNSPEC}) in
   * the main table.
   */
  List<Route> routes(int family) throws NetlinkException;

  /** Every IPv4 and IPv6 neighbour entry. */
  List<Neighbour> neighbours() throws NetlinkException;

  /** Every bridge forwarding-database entry ({@code bridge fdb show}). */
  List<FdbEntry> fdb() throws NetlinkException;

  /**
   * Every nexthop object.
   *
   * @throws NetlinkException if the kernel has none (before 5.3)
   */
  List<Nexthop> nexthops() throws NetlinkException;

  /** Whether the kernel has nexthop objects (5.3+). */
  default boolean hasNexthops() {
    try {
      nexthops();
      return true;
    } catch (NetlinkException e) {
      return false;
    }
  }

  /** The route the kernel would use to reach {@code dst} ({@code ip route get}). */
  Route routeTo(InetAddress dst) throws NetlinkException;

  /**
   * Carries out {@code changes} in order, many per system call; a failed change does not stop the
   * others.
   *
   * @return one outcome per change, in order
   * @throws NetlinkException only when the kernel cannot be talked to at all
   */
  List<Outcome> apply(List<Change> changes) throws NetlinkException;

  /** The link called {@code name}, or empty. */
  Optional<Link> findLink(String name) throws NetlinkException;

  /**
   * The link with index {@code index}.
   *
   * @throws io.jflannel.netlink.LinkNotFoundException if there is none
   */
  Link link(int index) throws NetlinkException;

  /**
   * Creates a vxlan device; {@code EEXIST} if the name is taken. Returns it as the kernel made it.
   */
  Link createVxlan(VxlanSpec spec) throws NetlinkException;

  /**
   * Creates a WireGuard device ({@code ip link add <name> mtu <mtu> type wireguard}); {@code
   * EEXIST} if the name is taken, {@code EOPNOTSUPP} if the kernel has no WireGuard.
   */
  Link createWireguard(String name, int mtu) throws NetlinkException;

  /** Deletes a link. */
  void deleteLink(int index) throws NetlinkException;

  /** Sets a link's MAC address. */
  void setMac(int index, MacAddress mac) throws NetlinkException;

  /** Sets a link's MTU. */
  void setMtu(int index, int mtu) throws NetlinkException;

  /** Sets a link up. */
  void setUp(int index) throws NetlinkException;

  /** The IPv4 and IPv6 addresses of one link. */
  List<Address> addresses(int linkIndex) throws NetlinkException;

  /** Adds or replaces an address ({@code ip addr replace}). */
  void replaceAddress(Address a) throws NetlinkException;

  /** Deletes an address. */
  void deleteAddress(Address a) throws NetlinkException;

  /**
   * Subscribes to this kernel's link notifications ({@link LinkEvents}), each read waiting at most
   * {@code wait}; by default in the calling thread's network namespace.
   */
  default LinkEvents linkEvents(Duration wait) throws NetlinkException {
    return LinkEvents.open(wait);
  }

  /** Releases the kernel handle. Idempotent; never throws. */
  @Override
  void close();
}
