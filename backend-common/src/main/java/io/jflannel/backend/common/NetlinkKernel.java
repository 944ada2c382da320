package io.jflannel.backend.common;

import io.jflannel.netlink.Address;
import io.jflannel.netlink.FdbEntry;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.LinkEvents;
import io.jflannel.netlink.MacAddress;
import io.jflannel.netlink.Neighbour;
import io.jflannel.netlink.NetNs;
import io.jflannel.netlink.Netlink;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Nexthop;
import io.jflannel.netlink.Request;
import io.jflannel.netlink.Result;
import io.jflannel.netlink.Route;
import io.jflannel.netlink.VxlanSpec;
import io.jflannel.netlink.wire.Rt;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@link Kernel} of a network namespace, through our rtnetlink binding: each call is one
 * netlink request or dump on the handle it owns, and {@link #apply} sends its changes in batches of
 * {@value #CHUNK} requests per round of system calls (so 50,000 peers are never encoded at once).
 *
 * <p>Thread-safety: the handle serializes calls. Owns the {@link Netlink} handle; {@link #close}
 * closes it.
 */
public final class NetlinkKernel implements Kernel {
  /** Requests encoded and sent at a time. */
  static final int CHUNK = 4096;

  private final Netlink nl;
  private final String namespace; // null: the namespace of the thread that opened it

  /** A kernel over {@code nl}, which it then owns. */
  public NetlinkKernel(Netlink nl) {
    this(nl, null);
  }

  private NetlinkKernel(Netlink nl, String namespace) {
    this.nl = nl;
    this.namespace = namespace;
  }

  /** The kernel of the calling thread's network namespace. */
  public static NetlinkKernel open() throws NetlinkException {
    return new NetlinkKernel(Netlink.open());
  }

  /** The kernel of the named namespace {@code /var/run/netns/<name>} (tests, benchmarks). */
  public static NetlinkKernel openInNamespace(String name) throws NetlinkException {
    return new NetlinkKernel(Netlink.openInNamespace(name), name);
  }

  @Override
  public List<Route> routes(int family) throws NetlinkException {
    return nl.routes().list(family, Rt.RT_TABLE_MAIN);
  }

  @Override
  public List<Neighbour> neighbours() throws NetlinkException {
    return nl.neighbours().list();
  }

  @Override
  public List<FdbEntry> fdb() throws NetlinkException {
    return nl.fdb().list();
  }

  @Override
  public List<Nexthop> nexthops() throws NetlinkException {
    return nl.nexthops().list();
  }

  @Override
  public Route routeTo(InetAddress dst) throws NetlinkException {
    return nl.routes().get(dst);
  }

  @Override
  public List<Outcome> apply(List<Change> changes) throws NetlinkException {
    List<Outcome> out = new ArrayList<>(changes.size());
    for (int from = 0; from < changes.size(); from += CHUNK) {
      int to = Math.min(changes.size(), from + CHUNK);
      List<Request> requests = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        requests.add(request(changes.get(i)));
      }
      List<Result> results = nl.batch(requests);
      for (int i = 0; i < results.size(); i++) {
        Result r = results.get(i);
        out.add(
            new Outcome(
                changes.get(from + i), r.errno(), r.ok() ? null : r.exception().getMessage()));
      }
    }
    return out;
  }

  private Request request(Change c) {
    Object o = c.object();
    if (o instanceof Route r) {
      return c.delete() ? nl.routes().deleteRequest(r) : nl.routes().replaceRequest(r);
    }
    if (o instanceof Neighbour n) {
      return c.delete() ? nl.neighbours().deleteRequest(n) : nl.neighbours().replaceRequest(n);
    }
    if (o instanceof FdbEntry f) {
      return c.delete() ? nl.fdb().deleteRequest(f) : nl.fdb().replaceRequest(f);
    }
    Nexthop h = (Nexthop) o;
    return c.delete() ? nl.nexthops().deleteRequest(h.id()) : nl.nexthops().replaceRequest(h);
  }

  @Override
  public Optional<Link> findLink(String name) throws NetlinkException {
    return nl.links().find(name);
  }

  @Override
  public Link link(int index) throws NetlinkException {
    return nl.links().get(index);
  }

  @Override
  public Link createWireguard(String name, int mtu) throws NetlinkException {
    return nl.links().createWireguard(name, mtu);
  }

  @Override
  public Link createVxlan(VxlanSpec spec) throws NetlinkException {
    return nl.links().createVxlan(spec);
  }

  @Override
  public void deleteLink(int index) throws NetlinkException {
    nl.links().delete(index);
  }

  @Override
  public void setMac(int index, MacAddress mac) throws NetlinkException {
    nl.links().setMac(index, mac);
  }

  @Override
  public void setMtu(int index, int mtu) throws NetlinkException {
    nl.links().setMtu(index, mtu);
  }

  @Override
  public void setUp(int index) throws NetlinkException {
    nl.links().setUp(index);
  }

  @Override
  public List<Address> addresses(int linkIndex) throws NetlinkException {
    return nl.addresses().list(linkIndex);
  }

  @Override
  public void replaceAddress(Address a) throws NetlinkException {
    nl.addresses().replace(a);
  }

  @Override
  public void deleteAddress(Address a) throws NetlinkException {
    nl.addresses().delete(a);
  }

  /** Link notifications of this kernel's namespace (a named one's when it was opened so). */
  @Override
  public LinkEvents linkEvents(Duration wait) throws NetlinkException {
    return namespace == null
        ? LinkEvents.open(wait)
        : NetNs.call(namespace, () -> LinkEvents.open(wait));
  }

  @Override
  public void close() {
    nl.close();
  }
}
