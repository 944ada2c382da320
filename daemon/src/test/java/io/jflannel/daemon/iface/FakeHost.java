package io.jflannel.daemon.iface;

import io.jflannel.netlink.Address;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Ips;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Route;
import io.jflannel.netlink.wire.Rt;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A {@link HostNetwork} made of lists: links, addresses, routes and canned route lookups. */
final class FakeHost implements HostNetwork {
  final List<Link> links = new ArrayList<>();
  final List<Address> addresses = new ArrayList<>();
  final List<Route> routes = new ArrayList<>();
  final Map<InetAddress, Route> lookups = new HashMap<>();

  /** Adds an up link with MTU 1500 and returns its index. */
  int link(String name) {
    return link(name, 1500);
  }

  int link(String name, int mtu) {
    int index = links.size() + 1;
    links.add(new Link(index, name, "", 0x1, mtu, null, 0, null));
    return index;
  }

  FakeHost addr(int link, String cidr) {
    return addr(link, cidr, 0);
  }

  FakeHost addr(int link, String cidr, int flags) {
    IpPrefix p = IpPrefix.parse(cidr);
    int scope = p.address().isLinkLocalAddress() ? Rt.RT_SCOPE_LINK : 0;
    if (p.address().isLoopbackAddress()) {
      scope = Rt.RT_SCOPE_HOST;
    }
    addresses.add(new Address(link, p, scope, flags));
    return this;
  }

  FakeHost defaultRoute(String gateway, int link, int metric) {
    IpPrefix dst = IpPrefix.parse(gateway.contains(":") ? "::/0" : "0.0.0.0/0");
    Route r = Route.via(dst, Ips.parse(gateway), link);
    routes.add(
        new Route(
            r.dst(),
            r.gateway(),
            link,
            0,
            0,
            Rt.RT_TABLE_MAIN,
            3,
            Rt.RTN_UNICAST,
            0,
            metric,
            null));
    return this;
  }

  FakeHost lookup(String dst, int link, String src) {
    lookups.put(
        Ips.parse(dst),
        new Route(
            IpPrefix.host(Ips.parse(dst)),
            null,
            link,
            0,
            0,
            Rt.RT_TABLE_MAIN,
            3,
            Rt.RTN_UNICAST,
            0,
            0,
            src == null ? null : Ips.parse(src)));
    return this;
  }

  @Override
  public List<Link> links() {
    return links;
  }

  @Override
  public List<Address> addresses() {
    return addresses;
  }

  @Override
  public List<Route> mainRoutes(int family) {
    return routes.stream().filter(r -> r.family() == family).toList();
  }

  @Override
  public Route routeTo(InetAddress dst) throws NetlinkException {
    Route r = lookups.get(dst);
    if (r == null) {
      throw new NetlinkException("RTM_GETROUTE " + Ips.format(dst), 101);
    }
    return r;
  }
}
