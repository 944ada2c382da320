package io.jflannel.backend.udp;

import io.jflannel.backend.common.Change;
import io.jflannel.backend.common.DeviceAddress;
import io.jflannel.backend.common.Kernel;
import io.jflannel.backend.common.KernelTypes;
import io.jflannel.backend.common.Outcome;
import io.jflannel.core.backend.Finding;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.netlink.Errno;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.LinkNotFoundException;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Route;
import io.jflannel.netlink.wire.Rt;
import java.util.List;

/**
 * The kernel state of the udp backend's TUN device, kept right level-triggered: the device is up
 * with the TUN MTU, holds this node's {@code <lease subnet IP>/32} and no other address inside the
 * Network, and the main table routes the whole Network through it.
 *
 * <p>{@link #ensure} reads the state and writes only what differs, so a pass over a correct device
 * writes nothing. As iproute2: {@code ip addr replace 10.244.1.0/32 dev flannel0; ip link set
 * flannel0 mtu 1472 up; ip route replace 10.244.0.0/16 dev flannel0 scope global} (upstream's route
 * has universe scope, not the link scope {@code ip route} would give it).
 *
 * <p>Not thread-safe: used at start-up, then under the {@link UdpNetwork}'s lock (reconciles, and
 * re-creation after the device was deleted).
 */
final class TunDevice {
  private final Kernel kernel;
  private final String name;
  private final Ip4Net network;
  private final IpPrefix address;
  private final int mtu;
  private int index; // of the device as last seen; a re-created device has a new one

  TunDevice(Kernel kernel, String name, Ip4Net network, Ip4Net lease, int mtu)
      throws NetlinkException {
    this.kernel = kernel;
    this.name = name;
    this.network = network;
    this.address = KernelTypes.host(lease.ip());
    this.mtu = mtu;
    this.index = link().index();
  }

  private Link link() throws NetlinkException {
    return kernel
        .findLink(name)
        .orElseThrow(() -> new LinkNotFoundException("RTM_GETLINK " + name, Errno.ENODEV));
  }

  /** The route of the whole Network through the device: {@code <Network> dev <name>}. */
  private Route route() {
    return new Route(
        KernelTypes.prefix(network),
        null,
        index,
        0,
        Rt.RT_SCOPE_UNIVERSE,
        Rt.RT_TABLE_MAIN,
        Rt.RTPROT_BOOT,
        Rt.RTN_UNICAST,
        0,
        0,
        null);
  }

  /**
   * Whether the main table routes {@code network} through {@code link} as the device needs, for
   * {@code flanneld diagnose}.
   */
  static Finding routeFinding(Kernel kernel, Link link, Ip4Net network) throws NetlinkException {
    IpPrefix dst = KernelTypes.prefix(network);
    boolean routed =
        kernel.routes(Rt.AF_INET).stream()
            .anyMatch(
                r ->
                    r.linkIndex() == link.index()
                        && r.dst().equals(dst)
                        && r.gateway() == null
                        && r.type() == Rt.RTN_UNICAST);
    return routed
        ? Finding.ok("route", link.name(), network + " dev " + link.name())
        : Finding.problem(
            "route",
            link.name(),
            "missing: " + network + " dev " + link.name(),
            "flanneld restores it within --resync-period while it runs: see its log if this stays");
  }

  String name() {
    return name;
  }

  int index() {
    return index;
  }

  /**
   * Makes the device's address, MTU, state and route right.
   *
   * @return the number of kernel writes it took (0 when all was right)
   * @throws LinkNotFoundException if the device is gone (deleted by hand)
   */
  int ensure() throws NetlinkException {
    Link link = link(); // by name: a re-created device has another index
    index = link.index();
    int writes = 0;
    if (link.mtu() != mtu) {
      kernel.setMtu(index, mtu);
      writes++;
    }
    writes +=
        DeviceAddress.ensure(
            kernel, link, address, p -> network.contains(KernelTypes.ip4(p.address())));
    Route route = route();
    boolean routed =
        kernel.routes(Rt.AF_INET).stream()
            .anyMatch(
                r ->
                    r.linkIndex() == index
                        && r.dst().equals(route.dst())
                        && r.gateway() == null
                        && r.type() == Rt.RTN_UNICAST
                        && r.priority() == 0);
    if (!routed) {
      Outcome o = kernel.apply(List.of(Change.replace(route))).get(0);
      if (!o.ok()) {
        throw new NetlinkException(o.change().toString(), o.errno());
      }
      writes++;
    }
    return writes;
  }
}
