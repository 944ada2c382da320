package io.jflannel.daemon.iface;

import io.jflannel.netlink.Address;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.Netlink;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Route;
import io.jflannel.netlink.wire.Rt;
import java.net.InetAddress;
import java.util.Comparator;
import java.util.List;

/**
 * {@link HostNetwork} read from the kernel through a {@link Netlink} handle the caller owns (and
 * closes): the namespace is the one the handle was opened in. As thread-safe as the handle.
 */
final class NetlinkHostNetwork implements HostNetwork {
  private final Netlink nl;

  NetlinkHostNetwork(Netlink nl) {
    this.nl = nl;
  }

  @Override
  public List<Link> links() throws NetlinkException {
    return nl.links().list().stream().sorted(Comparator.comparingInt(Link::index)).toList();
  }

  @Override
  public List<Address> addresses() throws NetlinkException {
    return nl.addresses().list();
  }

  @Override
  public List<Route> mainRoutes(int family) throws NetlinkException {
    return nl.routes().list(family, Rt.RT_TABLE_MAIN);
  }

  @Override
  public Route routeTo(InetAddress dst) throws NetlinkException {
    return nl.routes().get(dst);
  }
}
