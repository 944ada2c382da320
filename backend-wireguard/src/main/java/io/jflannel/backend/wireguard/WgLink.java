package io.jflannel.backend.wireguard;

import io.jflannel.backend.common.Change;
import io.jflannel.backend.common.DeviceAddress;
import io.jflannel.backend.common.Kernel;
import io.jflannel.backend.common.Outcome;
import io.jflannel.netlink.Errno;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.LinkNotFoundException;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Route;
import io.jflannel.netlink.wire.Rt;
import java.util.List;

/**
 * One WireGuard device of this node and its local state, kept right level-triggered as upstream
 * sets it up: the device exists with this node's private key and the listen port, MTU = MTU − 80,
 * holds the lease's first address of each family it carries ({@code 10.244.3.0/32}, {@code
 * fd00:…/128}) and no other address inside the Network, is up, and the main table routes each whole
 * Network through it ({@code ip route replace 10.244.0.0/16 dev flannel-wg scope link}).
 *
 * <p>{@link #ensure} reads first and writes only what differs, so a restart over a correct device
 * writes nothing. Not thread-safe: used under the network's lock.
 *
 * @param device the WireGuard device
 * @param privateKey this node's private key
 * @param port the listen port
 * @param mtu the device MTU
 * @param addresses the device's addresses (one per family it carries)
 * @param networks the Networks routed through it, one per address, same order
 */
record WgLink(
    WgDevice device,
    WgKey privateKey,
    int port,
    int mtu,
    List<IpPrefix> addresses,
    List<IpPrefix> networks) {

  /** The metric the kernel gives an IPv6 route written without one ({@code IP6_RT_PRIO_USER}). */
  private static final int IPV6_METRIC = 1024;

  String name() {
    return device.name();
  }

  /**
   * Makes the device, its settings, MTU, addresses, up state and routes right.
   *
   * @return the number of writes it took (0 when all was right)
   */
  int ensure(Kernel kernel) throws WgException, NetlinkException {
    return ensure(kernel, null);
  }

  /**
   * As {@link #ensure(Kernel)}, with the device as just read ({@code state}; null to read it here),
   * so that a reconcile reads the device once for its settings and its peers.
   */
  int ensure(Kernel kernel, WgState state) throws WgException, NetlinkException {
    int writes = device.ensure() ? 1 : 0;
    if (writes > 0 || state == null) {
      state = device.read();
    }
    WgKey key = privateKey.equals(state.privateKey()) ? null : privateKey;
    int listen = state.listenPort() == port ? 0 : port;
    WgUpdate settings = new WgUpdate(key, listen, List.of(), List.of());
    if (!settings.isEmpty()) {
      device.write(settings);
      writes += settings.size();
    }
    Link link =
        kernel
            .findLink(name())
            .orElseThrow(() -> new LinkNotFoundException("RTM_GETLINK " + name(), Errno.ENODEV));
    if (link.mtu() != mtu) {
      kernel.setMtu(link.index(), mtu);
      writes++;
    }
    for (int i = 0; i < addresses.size(); i++) {
      IpPrefix net = networks.get(i);
      writes += DeviceAddress.ensure(kernel, link, addresses.get(i), p -> contains(net, p));
      link = kernel.link(link.index()); // up now
      writes += ensureRoute(kernel, link.index(), net);
    }
    return writes;
  }

  private static int ensureRoute(Kernel kernel, int index, IpPrefix net) throws NetlinkException {
    Route want =
        new Route(
            net,
            null,
            index,
            0,
            Rt.RT_SCOPE_LINK,
            Rt.RT_TABLE_MAIN,
            Rt.RTPROT_BOOT,
            Rt.RTN_UNICAST,
            0,
            0,
            null);
    boolean present =
        kernel.routes(net.family()).stream()
            .anyMatch(
                r ->
                    r.linkIndex() == index
                        && r.dst().equals(net)
                        && r.gateway() == null
                        && r.type() == Rt.RTN_UNICAST
                        && (r.priority() == 0
                            || (net.family() == Rt.AF_INET6 && r.priority() == IPV6_METRIC)));
    if (present) {
      return 0;
    }
    Outcome o = kernel.apply(List.of(Change.replace(want))).get(0);
    if (!o.ok()) {
      throw new NetlinkException(o.change().toString(), o.errno());
    }
    return 1;
  }

  /** Whether {@code p}'s address lies inside {@code net}. */
  static boolean contains(IpPrefix net, IpPrefix p) {
    if (net.family() != p.family()) {
      return false;
    }
    byte[] a = net.address().getAddress();
    byte[] b = p.address().getAddress();
    int bits = net.length();
    for (int i = 0; i < a.length && bits > 0; i++, bits -= 8) {
      int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
      if ((a[i] & mask) != (b[i] & mask)) {
        return false;
      }
    }
    return true;
  }
}
