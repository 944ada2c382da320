package io.jflannel.backend.vxlan;

import com.fasterxml.jackson.databind.JsonNode;
import io.jflannel.backend.common.DeviceRepairs;
import io.jflannel.backend.common.DeviceWatch;
import io.jflannel.backend.common.Kernel;
import io.jflannel.backend.common.KernelTypes;
import io.jflannel.backend.common.PeerObjects;
import io.jflannel.backend.common.RouteNetwork;
import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.metrics.MetricSink;
import io.jflannel.netlink.FdbEntry;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.MacAddress;
import io.jflannel.netlink.Neighbour;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Nexthop;
import io.jflannel.netlink.Route;
import io.jflannel.netlink.wire.Rt;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps, for every peer lease and family, one permanent neighbour, one FDB entry and one onlink
 * route on that family's device ({@code flannel.<VNI>}, {@code flannel-v6.<VNI>}), or, with
 * DirectRouting and the peer on this node's link, one direct route via its public IP, on the {@link
 * RouteNetwork} core: exactly upstream's objects.
 *
 * <p>It owns the devices' permanent neighbours of their own family, their FDB entries with a
 * destination, the unicast routes through them into the flannel networks (IPv4: all of the IPv4
 * device's; IPv6: not the kernel's own route to the device's {@code /128}), and with DirectRouting
 * the gatewayed routes into the networks on the external link. A peer whose lease lacks a family
 * this node runs (no subnet, public IP or VtepMAC of it) is skipped for that family only, with one
 * warning; its other family and the other peers are unaffected.
 *
 * <p>{@link #mtu} is the smaller of the two devices' MTUs in dual-stack (the IPv6 device's), so a
 * pod's full-size packet fits either tunnel; upstream writes the IPv4 device's.
 *
 * <p>Threading: as {@link RouteNetwork}.
 */
public final class VxlanNetwork extends RouteNetwork {
  private static final Logger log = LoggerFactory.getLogger(VxlanNetwork.class);

  /** Makes one family's device right again, exactly as the backend made it. */
  @FunctionalInterface
  interface DeviceRepair {
    /** Returns the device as the kernel has it afterwards. */
    Link repair() throws BackendException;
  }

  private Link device; // guarded by this; null: IPv4 off
  private Link device6; // guarded by this; null: IPv6 off
  private final ExternalInterface iface;
  private final NetworkConfig config;
  private final VxlanOptions options;
  private final DeviceRepair repair; // null: not repaired (IPv4 off, or diagnose's read-only view)
  private final DeviceRepair repair6;
  private final DeviceRepairs repairs = new DeviceRepairs();

  VxlanNetwork(
      Kernel kernel,
      Link device,
      Link device6,
      ExternalInterface iface,
      NetworkConfig config,
      VxlanOptions options,
      Lease own) {
    this(kernel, device, device6, iface, config, options, own, null, null);
  }

  /** A network that also re-creates its devices when someone deletes or changes them. */
  VxlanNetwork(
      Kernel kernel,
      Link device,
      Link device6,
      ExternalInterface iface,
      NetworkConfig config,
      VxlanOptions options,
      Lease own,
      DeviceRepair repair,
      DeviceRepair repair6) {
    super(VxlanFactory.TYPE, kernel, config, own, options.nexthopRoutes());
    this.device = device;
    this.device6 = device6;
    this.iface = iface;
    this.config = config;
    this.options = options;
    this.repair = device == null ? null : repair;
    this.repair6 = device6 == null ? null : repair6;
  }

  /**
   * Watches the devices ({@link DeviceWatch}) until closed: one deleted, set down or changed under
   * flanneld is made again at once, and every peer programmed again ({@link #devicesChanged}).
   */
  @Override
  public void run() throws InterruptedException {
    Set<String> names = repairedNames();
    if (names.isEmpty()) {
      super.run();
      return;
    }
    try (DeviceWatch watch = DeviceWatch.start(kernel, names, n -> devicesChanged())) {
      super.run();
    } catch (NetlinkException e) {
      log.warn(
          "vxlan: cannot watch {} ({}): a device deleted by someone is re-created by the next"
              + " reconcile only",
          names,
          e.getMessage());
      super.run();
    }
  }

  private synchronized Set<String> repairedNames() {
    Set<String> names = new HashSet<>();
    if (repair != null) {
      names.add(device.name());
    }
    if (repair6 != null) {
      names.add(device6.name());
    }
    return names;
  }

  /**
   * The devices are checked first, so a missed notification is caught within one period; a device
   * that cannot be made right fails the pass.
   */
  @Override
  public synchronized void reconcile(List<Lease> current) throws BackendException {
    repairDevices();
    super.reconcile(current);
  }

  /**
   * Checks each device against what the backend made; one deleted, down or changed is made right
   * (re-created with the same MAC and address, set up, or replaced), counted and logged once, and
   * then every known peer is programmed again. For the device watch: a failure is logged, and the
   * next notification or reconcile tries again.
   */
  synchronized void devicesChanged() {
    try {
      repairDevices();
    } catch (BackendException e) {
      log.warn("{}; trying again at the next change or reconcile", e.getMessage());
    }
  }

  private void repairDevices() throws BackendException {
    long t0 = System.nanoTime();
    List<String> fixed = new ArrayList<>(2);
    try {
      Link d4 = device == null ? null : repaired(device, repair, fixed);
      Link d6 = device6 == null ? null : repaired(device6, repair6, fixed);
      if (fixed.isEmpty()) {
        return;
      }
      device = d4;
      device6 = d6;
    } catch (NetlinkException e) {
      throw new BackendException("vxlan: cannot read the devices: " + e.getMessage(), e);
    }
    int peers = reprogram();
    log.warn(
        "{}: made right again and {} peer(s) programmed again in {} ms",
        String.join("; ", fixed),
        peers,
        (System.nanoTime() - t0) / 1_000_000);
  }

  /**
   * {@code was} as it is now, made right first if someone broke it (then noted in {@code fixed}).
   */
  private Link repaired(Link was, DeviceRepair how, List<String> fixed)
      throws BackendException, NetlinkException {
    if (how == null) {
      return was;
    }
    Optional<Link> now = kernel.findLink(was.name());
    DeviceRepairs.Reason reason = VxlanDevice.fault(was, now);
    if (reason == null) {
      return now.get();
    }
    Link made = how.repair();
    repairs.count(reason);
    fixed.add(
        was.name()
            + " was "
            + (reason == DeviceRepairs.Reason.DOWN ? "set down" : reason.label())
            + " (mac "
            + made.mac()
            + ", mtu "
            + made.mtu()
            + ")");
    return made;
  }

  /** {@code flannel_device_repairs_total{reason}}. */
  @Override
  public void declareMetrics(MetricSink sink) {
    repairs.declare(sink);
  }

  /** The repairs so far, for tests. */
  DeviceRepairs repairs() {
    return repairs;
  }

  @Override
  public synchronized int mtu() {
    if (device == null) {
      return device6.mtu();
    }
    return device6 == null ? device.mtu() : Math.min(device.mtu(), device6.mtu());
  }

  @Override
  protected synchronized Set<Integer> entryLinks() {
    Set<Integer> links = new HashSet<>(2);
    if (device != null) {
      links.add(device.index());
    }
    if (device6 != null) {
      links.add(device6.index());
    }
    return links;
  }

  @Override
  protected synchronized boolean ownsNeighbour(Neighbour n) {
    boolean v4 = KernelTypes.isIpv4(n.ip());
    return v4
        ? device != null && n.linkIndex() == device.index()
        : device6 != null && n.linkIndex() == device6.index();
  }

  /** DirectRouting depends on the kernel's routes, so its peers are looked at every pass. */
  @Override
  protected boolean reusable(Lease was, Lease now) {
    return !options.directRouting() && super.reusable(was, now);
  }

  @Override
  protected synchronized boolean ownsRoute(Route r) {
    boolean v4 = KernelTypes.isIpv4(r.dst().address());
    if (v4 && device != null && r.linkIndex() == device.index()) {
      return r.type() == Rt.RTN_UNICAST;
    }
    if (!v4 && device6 != null && r.linkIndex() == device6.index()) {
      // not the kernel's own: the /128 of the device's address, fe80::/64
      return r.type() == Rt.RTN_UNICAST && r.protocol() != Rt.RTPROT_KERNEL && peerSubnet(r.dst());
    }
    return options.directRouting()
        && r.linkIndex() == iface.index()
        && r.gateway() != null
        && r.type() == Rt.RTN_UNICAST
        && peerSubnet(r.dst());
  }

  /** Whether {@code dst} lies in an enabled flannel network and is not this node's subnet. */
  private boolean peerSubnet(IpPrefix dst) {
    if (KernelTypes.isIpv4(dst.address())) {
      var net = KernelTypes.ip4Net(dst);
      return device != null && config.network().contains(net) && !net.equals(own.subnet());
    }
    var net = KernelTypes.ip6Net(dst);
    return device6 != null && config.ipv6Network().contains(net) && !net.equals(own.ipv6Subnet());
  }

  /** What a peer lease wants, per family this node runs; null when it wants nothing usable. */
  @Override
  protected synchronized PeerObjects objectsOf(Lease l) {
    if (!VxlanFactory.TYPE.equals(l.attrs().backendType())) {
      warnings.skipPeer(l.subnets(), "backend type " + l.attrs().backendType() + " is not vxlan");
      return null;
    }
    Parts parts = new Parts();
    if (device != null) {
      family(l, parts, device, false);
    }
    if (device6 != null) {
      family(l, parts, device6, true);
    }
    return parts.routes.isEmpty() ? null : parts.objects();
  }

  /**
   * Adds one family's objects for lease {@code l} to {@code parts} ({@code v6}: IPv6 through {@code
   * dev}, from PublicIPv6 and BackendV6Data), or warns what it lacks.
   */
  private void family(Lease l, Parts parts, Link dev, boolean v6) {
    IpPrefix subnet = v6 ? prefixOf(l.ipv6Subnet()) : prefixOf(l.subnet());
    InetAddress publicIp = v6 ? addressOf(l.attrs().publicIpv6()) : addressOf(l.attrs().publicIp());
    JsonNode data = v6 ? l.attrs().backendV6Data() : l.attrs().backendData();
    String fam = v6 ? "IPv6" : "IPv4";
    String ipField = v6 ? "PublicIPv6" : "PublicIP";
    String dataField = v6 ? "BackendV6Data" : "BackendData";
    MacAddress mac;
    try {
      mac = VxlanBackend.vtepMac(data);
    } catch (IllegalArgumentException e) {
      mac = null;
    }
    String missing =
        subnet == null
            ? "no " + fam + " subnet"
            : publicIp == null
                ? "no " + ipField
                : mac == null ? "no valid VtepMAC in " + dataField : null;
    if (missing != null) {
      warnings.skipPeer(l.subnets(), missing + ": its " + fam + " traffic is not routed");
      return;
    }
    if (options.directRouting() && onLink(publicIp)) {
      parts.routes.add(Route.via(subnet, publicIp, iface.index()));
      return;
    }
    parts.neighbours.add(Neighbour.permanent(dev.index(), subnet.address(), mac));
    parts.fdbs.add(FdbEntry.permanent(dev.index(), mac, publicIp));
    parts.routes.add(Route.via(subnet, subnet.address(), dev.index()).onlink());
  }

  private static IpPrefix prefixOf(Ip4Net n) {
    return n == null ? null : KernelTypes.prefix(n);
  }

  private static IpPrefix prefixOf(Ip6Net n) {
    return n == null ? null : KernelTypes.prefix(n);
  }

  private static InetAddress addressOf(Ip4 ip) {
    return ip == null ? null : KernelTypes.address(ip);
  }

  private static InetAddress addressOf(Ip6 ip) {
    return ip == null ? null : KernelTypes.address(ip);
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

  /** A peer's objects as they are collected, family by family. */
  private static final class Parts {
    final List<Neighbour> neighbours = new ArrayList<>(2);
    final List<FdbEntry> fdbs = new ArrayList<>(2);
    final List<Route> routes = new ArrayList<>(2);

    PeerObjects objects() {
      List<Nexthop> none = List.of();
      return new PeerObjects(List.copyOf(neighbours), List.copyOf(fdbs), none, List.copyOf(routes));
    }
  }
}
