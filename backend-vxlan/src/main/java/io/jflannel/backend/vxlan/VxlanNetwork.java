package io.jflannel.backend.vxlan;

import com.fasterxml.jackson.databind.JsonNode;
import io.jflannel.backend.common.Kernel;
import io.jflannel.backend.common.KernelTypes;
import io.jflannel.backend.common.PeerObjects;
import io.jflannel.backend.common.RouteNetwork;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.netlink.FdbEntry;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.MacAddress;
import io.jflannel.netlink.Neighbour;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Route;
import io.jflannel.netlink.wire.Rt;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;

/**
 * Keeps, for every peer lease, one permanent ARP entry, one FDB entry and one onlink route on
 * {@code flannel.<VNI>} (or, with DirectRouting and the peer on this node's link, one direct route
 * via its public IP), on the {@link RouteNetwork} core: exactly upstream's objects.
 *
 * <p>It owns the device's permanent IPv4 neighbours, its FDB entries with a destination, the IPv4
 * unicast routes through it, and with DirectRouting the gatewayed routes into the Network on the
 * external link. A peer whose backend data is unusable is skipped with one warning; the others are
 * unaffected.
 *
 * <p>Threading: as {@link RouteNetwork}.
 */
public final class VxlanNetwork extends RouteNetwork {
  private final Link device;
  private final ExternalInterface iface;
  private final NetworkConfig config;
  private final VxlanOptions options;

  VxlanNetwork(
      Kernel kernel,
      Link device,
      ExternalInterface iface,
      NetworkConfig config,
      VxlanOptions options,
      Lease own) {
    super(VxlanFactory.TYPE, kernel, config, own, options.nexthopRoutes());
    this.device = device;
    this.iface = iface;
    this.config = config;
    this.options = options;
  }

  @Override
  public int mtu() {
    return device.mtu();
  }

  @Override
  protected Set<Integer> entryLinks() {
    return Set.of(device.index());
  }

  @Override
  protected boolean ownsNeighbour(Neighbour n) {
    return KernelTypes.isIpv4(n.ip());
  }

  /** DirectRouting depends on the kernel's routes, so its peers are looked at every pass. */
  @Override
  protected boolean reusable(Lease was, Lease now) {
    return !options.directRouting() && super.reusable(was, now);
  }

  @Override
  protected boolean ownsRoute(Route r) {
    if (!KernelTypes.isIpv4(r.dst().address())) {
      return false;
    }
    if (r.linkIndex() == device.index()) {
      return r.type() == Rt.RTN_UNICAST;
    }
    if (!options.directRouting()
        || r.linkIndex() != iface.index()
        || r.gateway() == null
        || config.network() == null) {
      return false;
    }
    Ip4Net dst = KernelTypes.ip4Net(r.dst());
    return config.network().contains(dst) && !dst.equals(own.subnet());
  }

  /** What a peer lease wants in the kernel, or null (with one warning) when it is unusable. */
  @Override
  protected PeerObjects objectsOf(Lease l) {
    if (!VxlanFactory.TYPE.equals(l.attrs().backendType())) {
      warnings.skipPeer(l.subnets(), "backend type " + l.attrs().backendType() + " is not vxlan");
      return null;
    }
    if (l.subnet() == null || l.attrs().publicIp() == null) {
      warnings.skipPeer(l.subnets(), "no IPv4 subnet or public IP");
      return null;
    }
    JsonNode data = l.attrs().backendData();
    MacAddress mac;
    try {
      mac = VxlanBackend.vtepMac(data);
    } catch (IllegalArgumentException e) {
      mac = null;
    }
    if (mac == null) {
      warnings.skipPeer(l.subnets(), "backend data " + data + " has no valid VtepMAC");
      return null;
    }
    IpPrefix subnet = KernelTypes.prefix(l.subnet());
    InetAddress publicIp = KernelTypes.address(l.attrs().publicIp());
    if (options.directRouting() && onLink(publicIp)) {
      return PeerObjects.routes(List.of(Route.via(subnet, publicIp, iface.index())));
    }
    return new PeerObjects(
        List.of(Neighbour.permanent(device.index(), subnet.address(), mac)),
        List.of(FdbEntry.permanent(device.index(), mac, publicIp)),
        List.of(),
        List.of(Route.via(subnet, subnet.address(), device.index()).onlink()));
  }

  /** DirectRouting: the kernel reaches {@code ip} without a gateway on the external link. */
  private boolean onLink(InetAddress ip) {
    try {
      Route r = kernel.routeTo(ip);
      return r.gateway() == null && r.linkIndex() == iface.index();
    } catch (NetlinkException e) {
      return false;
    }
  }
}
