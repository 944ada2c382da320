package io.jflannel.daemon.bench;

import io.jflannel.backend.common.NexthopIds;
import io.jflannel.netlink.FdbEntry;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.Neighbour;
import io.jflannel.netlink.Netlink;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Route;
import io.jflannel.netlink.wire.Rt;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Counts, in one network namespace, the kernel objects flanneld keeps per peer: routes into the
 * benchmark's Network 10.0.0.0/8, permanent ARP and FDB entries on {@code flannel.1}, flannel's
 * nexthop objects; and looks one route up cheaply.
 *
 * <p>A count is a full netlink dump (about 1 µs of kernel time per object); {@link #hasRoute} is
 * one {@code RTM_GETROUTE} lookup (tens of µs), cheap enough to poll every few hundred µs. Owns one
 * netlink socket opened inside the namespace; close it. Not thread-safe.
 */
final class KernelView implements AutoCloseable {
  private final Netlink nl;

  private KernelView(Netlink nl) {
    this.nl = nl;
  }

  static KernelView open(String netns) throws NetlinkException {
    return new KernelView(Netlink.openInNamespace(netns));
  }

  /** Main-table IPv4 /24 routes inside 10.0.0.0/8 (peers' routes: via, onlink or nhid). */
  int peerRoutes() throws NetlinkException {
    int n = 0;
    for (Route r : nl.routes().list(Rt.AF_INET, Rt.RT_TABLE_MAIN)) {
      byte[] a = r.dst().address().getAddress();
      if (r.dst().length() == 24 && a[0] == 10 && r.type() == Rt.RTN_UNICAST) {
        n++;
      }
    }
    return n;
  }

  /** Main-table IPv6 /64 routes inside fd10::/16 (dual-stack peers' routes). */
  int peerRoutes6() throws NetlinkException {
    int n = 0;
    for (Route r : nl.routes().list(Rt.AF_INET6, Rt.RT_TABLE_MAIN)) {
      byte[] a = r.dst().address().getAddress();
      if (r.dst().length() == 64
          && (a[0] & 0xff) == 0xfd
          && a[1] == 0x10
          && r.type() == Rt.RTN_UNICAST) {
        n++;
      }
    }
    return n;
  }

  /** Permanent IPv6 neighbours on {@code dev}; 0 if there is no such device. */
  int permanentNeighbours6(String dev) throws NetlinkException {
    Optional<Link> link = nl.links().find(dev);
    if (link.isEmpty()) {
      return 0;
    }
    int n = 0;
    for (Neighbour x : nl.neighbours().list(link.get().index())) {
      if (!(x.ip() instanceof Inet4Address) && x.state() == Rt.NUD_PERMANENT) {
        n++;
      }
    }
    return n;
  }

  /** Permanent IPv4 neighbours on {@code dev}; 0 if there is no such device. */
  int permanentNeighbours(String dev) throws NetlinkException {
    Optional<Link> link = nl.links().find(dev);
    if (link.isEmpty()) {
      return 0;
    }
    int n = 0;
    for (Neighbour x : nl.neighbours().list(link.get().index())) {
      if (x.ip() instanceof Inet4Address && x.state() == Rt.NUD_PERMANENT) {
        n++;
      }
    }
    return n;
  }

  /** FDB entries with a remote destination on {@code dev}; 0 if there is no such device. */
  int remoteFdb(String dev) throws NetlinkException {
    Optional<Link> link = nl.links().find(dev);
    if (link.isEmpty()) {
      return 0;
    }
    int n = 0;
    for (FdbEntry f : nl.fdb().list(link.get().index())) {
      if (f.dst() != null) {
        n++;
      }
    }
    return n;
  }

  /** Nexthop objects in flannel's id range. */
  int flannelNexthops() throws NetlinkException {
    return (int) nl.nexthops().list().stream().filter(h -> NexthopIds.owned(h.id())).count();
  }

  /** Whether a route to {@code ip} exists (the benchmark's hosts have no default route). */
  boolean hasRoute(String ip) {
    try {
      nl.routes().get(InetAddress.getByName(ip));
      return true;
    } catch (NetlinkException e) {
      return false;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(ip, e);
    }
  }

  /** Link {@code dev}'s MTU, or -1 if it does not exist. */
  int mtu(String dev) throws NetlinkException {
    return nl.links().find(dev).map(Link::mtu).orElse(-1);
  }

  @Override
  public void close() {
    nl.close();
  }
}
