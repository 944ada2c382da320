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
import io.jflannel.core.backend.Network;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.MacAddress;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.VxlanAttrs;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vxlan backend before and after lease acquisition: creates or adopts {@code flannel.<VNI>}
 * ({@link VxlanDevice}), then gives it this node's {@code /32} address and brings it up. Device MTU
 * = underlay MTU − 50.
 *
 * <p>Owns the {@link Kernel} until {@link #register} hands it to the network. Called from the
 * daemon's start-up thread only.
 */
public final class VxlanBackend implements Backend {
  private static final Logger log = LoggerFactory.getLogger(VxlanBackend.class);

  /** IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14). */
  static final int OVERHEAD = 50;

  private final NetworkConfig config;
  private final VxlanOptions options;
  private final ExternalInterface iface;
  private final Kernel kernel;
  private final String name;
  private Link device;

  public VxlanBackend(
      NetworkConfig config, VxlanOptions options, ExternalInterface iface, Kernel kernel) {
    this.config = config;
    this.options = options;
    this.iface = iface;
    this.kernel = kernel;
    this.name = "flannel." + options.vni();
  }

  /** The device MTU: underlay MTU ({@code MTU} option or the interface's) minus 50. */
  int deviceMtu() {
    return (options.mtu() > 0 ? options.mtu() : iface.mtu()) - OVERHEAD;
  }

  @Override
  public LeaseAttrs prepare(LeaseAttrs previous) throws BackendException {
    if (iface.address() == null) {
      throw new BackendException(
          "vxlan: " + iface.name() + " has no IPv4 address; IPv6-only vxlan is not supported yet");
    }
    VxlanAttrs want =
        new VxlanAttrs(
            options.vni(),
            KernelTypes.address(iface.address()),
            iface.index(),
            options.effectivePort(),
            options.learning(),
            options.gbp());
    try {
      device =
          VxlanDevice.ensure(kernel, name, want, deviceMtu(), previousMac(previous).orElse(null));
    } catch (NetlinkException e) {
      throw new BackendException("vxlan: cannot set up " + name + ": " + e.getMessage(), e);
    }
    VxlanDevice.disableAcceptRa(name);
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    data.put("VNI", options.vni());
    data.put("VtepMAC", device.mac().toString());
    return new LeaseAttrs(iface.publicIp(), null, VxlanFactory.TYPE, data, null);
  }

  /** The VtepMAC this node advertised before, if its backend data carries a valid one. */
  static Optional<MacAddress> previousMac(LeaseAttrs previous) {
    try {
      return Optional.ofNullable(previous == null ? null : vtepMac(previous.backendData()));
    } catch (IllegalArgumentException e) {
      log.warn("ignoring the previous VtepMAC: {}", e.getMessage());
      return Optional.empty();
    }
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
    if (device == null) {
      throw new IllegalStateException("register before prepare");
    }
    if (lease.subnet() == null) {
      throw new BackendException("vxlan: the lease " + lease.subnets() + " has no IPv4 subnet");
    }
    Ip4Net network = config.network();
    try {
      DeviceAddress.ensure(
          kernel,
          device,
          KernelTypes.host(lease.subnet().ip()),
          p -> network == null || network.contains(KernelTypes.ip4(p.address())));
      Link now = kernel.link(device.index());
      if (!device.mac().equals(now.mac())) {
        throw new BackendException(
            "vxlan: "
                + name
                + " mac address wanted: "
                + device.mac()
                + ", but got: "
                + now.mac()
                + "; something (e.g. systemd-udev with MACAddressPolicy=random) changed it: set"
                + " MACAddressPolicy=none for flannel.* devices, then restart flanneld");
      }
    } catch (NetlinkException e) {
      throw new BackendException("vxlan: cannot configure " + name + ": " + e.getMessage(), e);
    }
    return new VxlanNetwork(kernel, device, iface, config, options, lease);
  }
}
