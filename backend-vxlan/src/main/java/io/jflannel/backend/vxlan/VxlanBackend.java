package io.jflannel.backend.vxlan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jflannel.backend.common.DeviceAddress;
import io.jflannel.backend.common.Kernel;
import io.jflannel.backend.common.KernelTypes;
import io.jflannel.core.backend.Backend;
import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.backend.Inspection;
import io.jflannel.core.backend.Network;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.MacAddress;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.VxlanAttrs;
import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vxlan backend before and after lease acquisition, per enabled family as upstream: creates or
 * adopts {@code flannel.<VNI>} (IPv4, local = the interface's IPv4 address, MTU = underlay − 50)
 * and {@code flannel-v6.<VNI>} (IPv6, local = the interface's IPv6 address, MTU = underlay − 70:
 * the outer IPv6 header is 20 bytes longer) with {@link VxlanDevice}, then gives each this node's
 * {@code /32} or {@code /128} address and brings it up. Each device keeps the MAC this node
 * advertised before in {@code BackendData} / {@code BackendV6Data}.
 *
 * <p>Owns the {@link Kernel} until {@link #register} hands it to the network. Called from the
 * daemon's start-up thread only.
 */
public final class VxlanBackend implements Backend {
  private static final Logger log = LoggerFactory.getLogger(VxlanBackend.class);

  /** IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14). */
  static final int OVERHEAD = 50;

  /** IPv6 (40) + UDP (8) + VXLAN (8) + inner Ethernet (14). */
  static final int OVERHEAD_V6 = 70;

  private final NetworkConfig config;
  private final VxlanOptions options;
  private final ExternalInterface iface;
  private final Kernel kernel;
  private Link device; // IPv4; null when IPv4 is off
  private Link device6; // IPv6; null when IPv6 is off
  private boolean prepared;

  public VxlanBackend(
      NetworkConfig config, VxlanOptions options, ExternalInterface iface, Kernel kernel) {
    this.config = config;
    this.options = options;
    this.iface = iface;
    this.kernel = kernel;
  }

  /** The IPv4 device's name, {@code flannel.<VNI>}. */
  String name() {
    return "flannel." + options.vni();
  }

  /** The IPv6 device's name, {@code flannel-v6.<VNI>}. */
  String name6() {
    return "flannel-v6." + options.vni();
  }

  private int underlayMtu() {
    return options.mtu() > 0 ? options.mtu() : iface.mtu();
  }

  /** The IPv4 device MTU: underlay MTU ({@code MTU} option or the interface's) minus 50. */
  int deviceMtu() {
    return underlayMtu() - OVERHEAD;
  }

  /** The IPv6 device MTU: underlay MTU minus 70. */
  int deviceMtu6() {
    return underlayMtu() - OVERHEAD_V6;
  }

  @Override
  public LeaseAttrs prepare(LeaseAttrs previous) throws BackendException {
    ObjectNode data = null;
    ObjectNode data6 = null;
    if (config.enableIPv4()) {
      if (iface.address() == null) {
        throw new BackendException(
            "vxlan: "
                + iface.name()
                + " has no IPv4 address, but the net config enables IPv4; give it one, pick"
                + " another interface (--iface), or set \"EnableIPv4\": false");
      }
      MacAddress mac = previousMac(previous == null ? null : previous.backendData());
      device = create(name(), KernelTypes.address(iface.address()), deviceMtu(), mac);
      data = backendData(device);
    }
    if (config.enableIPv6()) {
      if (iface.ipv6Address() == null) {
        throw new BackendException(
            "vxlan: "
                + iface.name()
                + " has no IPv6 address, but the net config enables IPv6; give it one, pick"
                + " another interface (--iface, --public-ipv6), or set \"EnableIPv6\": false");
      }
      MacAddress mac = previousMac(previous == null ? null : previous.backendV6Data());
      device6 = create(name6(), KernelTypes.address(iface.ipv6Address()), deviceMtu6(), mac);
      data6 = backendData(device6);
    }
    prepared = true;
    return new LeaseAttrs(
        device == null ? null : iface.publicIp(),
        device6 == null ? null : iface.publicIpv6(),
        VxlanFactory.TYPE,
        data,
        data6);
  }

  private Link create(String name, InetAddress local, int mtu, MacAddress previousMac)
      throws BackendException {
    VxlanAttrs want = options.deviceAttrs(local, iface.index());
    try {
      Link link = VxlanDevice.ensure(kernel, name, want, mtu, previousMac);
      VxlanDevice.disableAcceptRa(name);
      return link;
    } catch (NetlinkException e) {
      throw new BackendException("vxlan: cannot set up " + name + ": " + e.getMessage(), e);
    }
  }

  private ObjectNode backendData(Link link) {
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    data.put("VNI", options.vni());
    data.put("VtepMAC", link.mac().toString());
    return data;
  }

  /** The VtepMAC this node advertised before, if its backend data carries a valid one. */
  static MacAddress previousMac(JsonNode data) {
    try {
      return vtepMac(data);
    } catch (IllegalArgumentException e) {
      log.warn("ignoring the previous VtepMAC: {}", e.getMessage());
      return null;
    }
  }

  /** The VtepMAC of {@code previous}'s IPv4 backend data, if valid (tests). */
  static Optional<MacAddress> previousMac(LeaseAttrs previous) {
    return Optional.ofNullable(previous == null ? null : previousMac(previous.backendData()));
  }

  /**
   * The {@code VtepMAC} of backend data, its name matched in any letter case as Go's JSON decoding
   * does; null when absent.
   *
   * @throws IllegalArgumentException if it is there but not a MAC address
   */
  static MacAddress vtepMac(JsonNode data) {
    if (data == null || !data.isObject()) {
      return null;
    }
    for (Map.Entry<String, JsonNode> field : data.properties()) {
      if (field.getKey().equalsIgnoreCase("VtepMAC")) {
        return MacAddress.parse(field.getValue().isTextual() ? field.getValue().asText() : "");
      }
    }
    return null;
  }

  @Override
  public Network register(Lease lease) throws BackendException {
    if (!prepared) {
      throw new IllegalStateException("register before prepare");
    }
    VxlanNetwork.DeviceRepair repair = null;
    VxlanNetwork.DeviceRepair repair6 = null;
    if (device != null) {
      if (lease.subnet() == null) {
        throw new BackendException("vxlan: the lease " + lease.subnets() + " has no IPv4 subnet");
      }
      Ip4Net network = config.network();
      IpPrefix address = KernelTypes.host(lease.subnet().ip());
      Predicate<IpPrefix> managed =
          p -> KernelTypes.isIpv4(p.address()) && network.contains(KernelTypes.ip4(p.address()));
      configure(device, address, managed);
      MacAddress mac = device.mac();
      InetAddress local = KernelTypes.address(iface.address());
      repair = () -> remake(name(), local, deviceMtu(), mac, address, managed);
    }
    if (device6 != null) {
      if (lease.ipv6Subnet() == null) {
        throw new BackendException("vxlan: the lease " + lease.subnets() + " has no IPv6 subnet");
      }
      Ip6Net network6 = config.ipv6Network();
      IpPrefix address = KernelTypes.host(lease.ipv6Subnet().ip());
      Predicate<IpPrefix> managed =
          p -> !KernelTypes.isIpv4(p.address()) && network6.contains(KernelTypes.ip6(p.address()));
      configure(device6, address, managed);
      MacAddress mac = device6.mac();
      InetAddress local = KernelTypes.address(iface.ipv6Address());
      repair6 = () -> remake(name6(), local, deviceMtu6(), mac, address, managed);
    }
    return new VxlanNetwork(
        kernel, device, device6, iface, config, options, lease, repair, repair6);
  }

  /**
   * Makes device {@code name} again as {@link #prepare} and {@link #register} made it (settings,
   * MTU, the MAC the lease advertises, this node's address, up), for a running network whose device
   * someone deleted, set down or changed. Returns it as the kernel has it.
   */
  private Link remake(
      String name,
      InetAddress local,
      int mtu,
      MacAddress mac,
      IpPrefix address,
      Predicate<IpPrefix> managed)
      throws BackendException {
    Link link = create(name, local, mtu, mac);
    configure(link, address, managed);
    try {
      return kernel.link(link.index());
    } catch (NetlinkException e) {
      throw new BackendException("vxlan: cannot read " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * The devices as they are and a read-only network over them ({@link VxlanInspector}); creates
   * nothing. The inspection owns this backend's kernel from then on.
   */
  @Override
  public Inspection inspect(Lease lease) throws BackendException {
    return new VxlanInspector(config, options, iface, this).inspect(kernel, lease);
  }

  /** Gives {@code link} this node's address, drops stale ones, sets it up, checks its MAC. */
  private void configure(Link link, IpPrefix address, Predicate<IpPrefix> managed)
      throws BackendException {
    try {
      DeviceAddress.ensure(kernel, link, address, managed);
      Link now = kernel.link(link.index());
      if (!link.mac().equals(now.mac())) {
        throw new BackendException(
            "vxlan: "
                + link.name()
                + " mac address wanted: "
                + link.mac()
                + ", but got: "
                + now.mac()
                + "; something (e.g. systemd-udev with MACAddressPolicy=random) changed it: set"
                + " MACAddressPolicy=none for flannel* devices, then restart flanneld");
      }
    } catch (NetlinkException e) {
      throw new BackendException(
          "vxlan: cannot configure " + link.name() + ": " + e.getMessage(), e);
    }
  }
}
