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
 * A {@link Kernel} that reads through another and refuses every write with an {@link
 * IllegalStateException}: what {@code flanneld diagnose} hands the backends, so that it cannot
 * change anything even by mistake. Owns the kernel it wraps.
 */
public final class ReadOnlyKernel implements Kernel {
  private final Kernel kernel;

  public ReadOnlyKernel(Kernel kernel) {
    this.kernel = kernel;
  }

  private static IllegalStateException refused(String what) {
    return new IllegalStateException("read-only kernel: " + what + " refused");
  }

  @Override
  public List<Route> routes(int family) throws NetlinkException {
    return kernel.routes(family);
  }

  @Override
  public List<Neighbour> neighbours() throws NetlinkException {
    return kernel.neighbours();
  }

  @Override
  public List<FdbEntry> fdb() throws NetlinkException {
    return kernel.fdb();
  }

  @Override
  public List<Nexthop> nexthops() throws NetlinkException {
    return kernel.nexthops();
  }

  @Override
  public boolean hasNexthops() {
    return kernel.hasNexthops();
  }

  @Override
  public Route routeTo(InetAddress dst) throws NetlinkException {
    return kernel.routeTo(dst);
  }

  @Override
  public Optional<Link> findLink(String name) throws NetlinkException {
    return kernel.findLink(name);
  }

  @Override
  public Link link(int index) throws NetlinkException {
    return kernel.link(index);
  }

  @Override
  public List<Address> addresses(int linkIndex) throws NetlinkException {
    return kernel.addresses(linkIndex);
  }

  @Override
  public LinkEvents linkEvents(Duration wait) throws NetlinkException {
    return kernel.linkEvents(wait);
  }

  @Override
  public List<Outcome> apply(List<Change> changes) {
    throw refused(changes.size() + " change(s)");
  }

  @Override
  public Link createVxlan(VxlanSpec spec) {
    throw refused("creating " + spec.name());
  }

  @Override
  public Link createWireguard(String name, int mtu) {
    throw refused("creating " + name);
  }

  @Override
  public void deleteLink(int index) {
    throw refused("deleting link " + index);
  }

  @Override
  public void setMac(int index, MacAddress mac) {
    throw refused("setting a MAC");
  }

  @Override
  public void setMtu(int index, int mtu) {
    throw refused("setting an MTU");
  }

  @Override
  public void setUp(int index) {
    throw refused("setting a link up");
  }

  @Override
  public void replaceAddress(Address a) {
    throw refused("adding an address");
  }

  @Override
  public void deleteAddress(Address a) {
    throw refused("deleting an address");
  }

  @Override
  public void close() {
    kernel.close();
  }
}
