package io.jflannel.backend.hostgw;

import io.jflannel.backend.common.Kernel;
import io.jflannel.backend.common.KernelTypes;
import io.jflannel.backend.common.Outcome;
import io.jflannel.backend.common.PeerObjects;
import io.jflannel.backend.common.RouteNetwork;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.lease.Lease;
import io.jflannel.netlink.Errno;
import io.jflannel.netlink.Route;
import io.jflannel.netlink.wire.Rt;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps one route per peer and family, {@code <peer subnet> via <peer public IP> dev <external
 * link>}, in the main table, on the {@link RouteNetwork} core.
 *
 * <p>It owns the routes on the external link that have a gateway and a destination inside the
 * flannel Network (or IPv6Network) other than this node's subnet; reconcile makes that set exactly
 * the peers' routes, so routes of nodes that left while the daemon was down go (upstream issue
 * #2554) and deleted ones come back. A peer the kernel refuses (its public IP is not on this link)
 * is logged once, with the fix, and retried on every reconcile; the other peers are unaffected.
 *
 * <p>Threading: as {@link RouteNetwork}.
 */
public final class HostGwNetwork extends RouteNetwork {
  private final ExternalInterface iface;
  private final NetworkConfig config;

  HostGwNetwork(
      Kernel kernel, ExternalInterface iface, NetworkConfig config, Lease own, boolean nexthops) {
    super(HostGwFactory.TYPE, kernel, config, own, nexthops);
    this.iface = iface;
    this.config = config;
  }

  @Override
  public int mtu() {
    return iface.mtu();
  }

  /** The routes a peer lease wants: one per enabled family it has a subnet and public IP for. */
  @Override
  protected PeerObjects objectsOf(Lease l) {
    if (!HostGwFactory.TYPE.equals(l.attrs().backendType())) {
      warnings.skipPeer(l.subnets(), "backend type " + l.attrs().backendType() + " is not host-gw");
      return null;
    }
    List<Route> out = new ArrayList<>(2);
    if (config.enableIPv4() && l.subnet() != null && l.attrs().publicIp() != null) {
      out.add(
          Route.via(
              KernelTypes.prefix(l.subnet()),
              KernelTypes.address(l.attrs().publicIp()),
              iface.index()));
    }
    if (config.enableIPv6() && l.ipv6Subnet() != null && l.attrs().publicIpv6() != null) {
      out.add(
          Route.via(
              KernelTypes.prefix(l.ipv6Subnet()),
              KernelTypes.address(l.attrs().publicIpv6()),
              iface.index()));
    }
    return PeerObjects.routes(out);
  }

  @Override
  protected boolean ownsRoute(Route r) {
    if (r.linkIndex() != iface.index() || r.gateway() == null || r.type() != Rt.RTN_UNICAST) {
      return false;
    }
    if (KernelTypes.isIpv4(r.dst().address())) {
      var dst = KernelTypes.ip4Net(r.dst());
      return config.network() != null
          && config.network().contains(dst)
          && !dst.equals(own.subnet());
    }
    var dst = KernelTypes.ip6Net(r.dst());
    return config.ipv6Network() != null
        && config.ipv6Network().contains(dst)
        && !dst.equals(own.ipv6Subnet());
  }

  @Override
  protected String advice(Outcome refused) {
    return refused.errno() == Errno.ENETUNREACH
        ? "; the peer's public IP is not on the link of "
            + iface.name()
            + ": host-gw needs every node on one L2 segment (use the vxlan backend, or vxlan with"
            + " DirectRouting)"
        : "";
  }
}
