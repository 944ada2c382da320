package io.jflannel.backend.udp;

import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.netlink.Address;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.LinkNotFoundException;
import io.jflannel.netlink.Netlink;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Route;
import io.jflannel.netlink.wire.Rt;
import java.net.Inet4Address;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private static final Logger log = LoggerFactory.getLogger(TunDevice.class);

  private final Netlink nl;
  private final String name;
  private final Ip4Net network;
  private final IpPrefix address;
  private final int mtu;
  private int index; // of the device as last seen; a re-created device has a new one

  TunDevice(Netlink nl, String name, Ip4Net network, Ip4Net lease, int mtu)
      throws NetlinkException {
    this.nl = nl;
    this.name = name;
    this.network = network;
    this.address = IpPrefix.of(lease.ip().toBytes(), 32);
    this.mtu = mtu;
    this.index = nl.links().get(name).index();
  }

  /** The route of the whole Network through the device: {@code <Network> dev <name>}. */
  private Route route() {
    return new Route(
        IpPrefix.of(network.ip().toBytes(), network.prefixLength()),
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
    int writes = 0;
    Link link = nl.links().get(name); // by name: a re-created device has another index
    index = link.index();
    Route route = route();
    boolean present = false;
    for (Address a : nl.addresses().list(index)) {
      if (!(a.prefix().address() instanceof Inet4Address)) {
        continue;
      }
      if (a.prefix().equals(address)) {
        present = true;
      } else if (network.contains(Ip4.fromBytes(a.prefix().address().getAddress()))) {
        log.info("removing stale address {} from {}", a.prefix(), name);
        nl.addresses().delete(a);
        writes++;
      }
    }
    if (!present) {
      nl.addresses().replace(Address.of(index, address));
      writes++;
    }
    if (link.mtu() != mtu) {
      nl.links().setMtu(index, mtu);
      writes++;
    }
    if (!link.isUp()) {
      nl.links().setUp(index);
      writes++;
    }
    boolean routed =
        nl.routes().listByLink(Rt.AF_INET, index).stream()
            .anyMatch(
                r ->
                    r.dst().equals(route.dst())
                        && r.gateway() == null
                        && r.type() == Rt.RTN_UNICAST
                        && r.priority() == 0);
    if (!routed) {
      nl.routes().replace(route);
      writes++;
    }
    return writes;
  }
}
