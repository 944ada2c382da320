package io.jflannel.backend.vxlan;

import com.fasterxml.jackson.databind.JsonNode;
import io.jflannel.backend.common.DeviceCheck;
import io.jflannel.backend.common.Kernel;
import io.jflannel.backend.common.KernelTypes;
import io.jflannel.backend.common.NetworkInspection;
import io.jflannel.backend.common.ReadOnlyKernel;
import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.backend.Finding;
import io.jflannel.core.backend.Inspection;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.lease.Lease;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.MacAddress;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.VxlanAttrs;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The vxlan backend as {@code flanneld diagnose} sees it: each enabled family's device checked
 * against what {@link VxlanBackend} makes for this lease ({@link VxlanDevice}'s settings, the MTU,
 * the MAC the lease advertises, the {@code /32} or {@code /128} address), and a {@link
 * VxlanNetwork} over the compatible devices and a {@link ReadOnlyKernel}, whose plan is the
 * per-peer check. Writes nothing.
 */
final class VxlanInspector {
  private final NetworkConfig config;
  private final VxlanOptions options;
  private final ExternalInterface iface;
  private final VxlanBackend backend;

  VxlanInspector(
      NetworkConfig config, VxlanOptions options, ExternalInterface iface, VxlanBackend backend) {
    this.config = config;
    this.options = options;
    this.iface = iface;
    this.backend = backend;
  }

  Inspection inspect(Kernel kernel, Lease lease) throws BackendException {
    Kernel ro = new ReadOnlyKernel(kernel);
    List<Finding> findings = new ArrayList<>();
    List<String> names = new ArrayList<>();
    try {
      Link dev4 = null;
      Link dev6 = null;
      if (config.enableIPv4() && lease.subnet() != null && iface.address() != null) {
        names.add(backend.name());
        dev4 =
            device(
                    backend.name(),
                    KernelTypes.address(iface.address()),
                    backend.deviceMtu(),
                    lease.attrs().backendData(),
                    KernelTypes.host(lease.subnet().ip()))
                .check(ro, findings)
                .orElse(null);
      }
      if (config.enableIPv6() && lease.ipv6Subnet() != null && iface.ipv6Address() != null) {
        names.add(backend.name6());
        dev6 =
            device(
                    backend.name6(),
                    KernelTypes.address(iface.ipv6Address()),
                    backend.deviceMtu6(),
                    lease.attrs().backendV6Data(),
                    KernelTypes.host(lease.ipv6Subnet().ip()))
                .check(ro, findings)
                .orElse(null);
      }
      VxlanNetwork network =
          dev4 == null && dev6 == null
              ? null
              : new VxlanNetwork(ro, dev4, dev6, iface, config, options, lease);
      int mtu = network != null ? network.mtu() : wantedMtu();
      return new NetworkInspection(findings, names, mtu, network, ro);
    } catch (NetlinkException e) {
      ro.close();
      throw new BackendException("vxlan: cannot read the devices: " + e.getMessage(), e);
    }
  }

  /** The MTU the network would have, without devices to read it from. */
  private int wantedMtu() {
    if (!config.enableIPv6()) {
      return backend.deviceMtu();
    }
    return config.enableIPv4()
        ? Math.min(backend.deviceMtu(), backend.deviceMtu6())
        : backend.deviceMtu6();
  }

  private DeviceCheck device(
      String name, InetAddress local, int mtu, JsonNode data, IpPrefix address) {
    VxlanAttrs want = options.deviceAttrs(local, iface.index());
    MacAddress mac;
    try {
      mac = VxlanBackend.vtepMac(data);
    } catch (IllegalArgumentException e) {
      mac = null;
    }
    return new DeviceCheck(
        name,
        mtu,
        mac,
        address,
        link ->
            want.equals(link.vxlan())
                ? null
                : "is "
                    + (link.kind().equals("vxlan") ? link.vxlan() : "a " + kind(link) + " device")
                    + ", flanneld makes "
                    + want);
  }

  private static String kind(Link link) {
    return link.kind().isEmpty() ? "physical" : link.kind();
  }
}
