package io.jflannel.backend.vxlan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jflannel.core.backend.Backend;
import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.backend.Network;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.netlink.Address;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Ips;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.MacAddress;
import io.jflannel.netlink.Netlink;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.VxlanAttrs;
import io.jflannel.netlink.VxlanSpec;
import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vxlan backend before and after lease acquisition: creates or adopts {@code flannel.<VNI>}
 * (IPv4), then gives it this node's {@code /32} address and brings it up.
 *
 * <p>An existing device is kept when compatible (vxlan, same VNI, local address, underlay device,
 * port, GBP and learning), so a restarted daemon does not disturb traffic; otherwise it is deleted
 * and created again. Its MAC is the one this node advertised before when known, else the existing
 * device's, else a random locally administered one. Device MTU = underlay MTU − 50.
 *
 * <p>Owns the {@link Netlink} handle until {@link #register} hands it to the network. Called from
 * the daemon's start-up thread only.
 */
public final class VxlanBackend implements Backend {
  private static final Logger log = LoggerFactory.getLogger(VxlanBackend.class);

  /** IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14). */
  static final int OVERHEAD = 50;

  private final NetworkConfig config;
  private final VxlanOptions options;
  private final ExternalInterface iface;
  private final Netlink nl;
  private final String name;
  private Link device;

  public VxlanBackend(
      NetworkConfig config, VxlanOptions options, ExternalInterface iface, Netlink nl) {
    this.config = config;
    this.options = options;
    this.iface = iface;
    this.nl = nl;
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
    MacAddress previousMac = previousMac(previous).orElse(null);
    VxlanAttrs want =
        new VxlanAttrs(
            options.vni(),
            Ips.of(iface.address().toBytes()),
            iface.index(),
            options.effectivePort(),
            options.learning(),
            options.gbp());
    try {
      Optional<Link> existing = nl.links().find(name);
      if (existing.isPresent() && !want.equals(existing.get().vxlan())) {
        log.warn(
            "{} exists but is incompatible ({}; want {}): recreating it",
            name,
            existing.get().kind().equals("vxlan") ? existing.get().vxlan() : existing.get().kind(),
            want);
        nl.links().delete(existing.get().index());
        existing = Optional.empty();
      }
      if (existing.isEmpty()) {
        MacAddress mac = previousMac != null ? previousMac : randomMac();
        device = nl.links().createVxlan(new VxlanSpec(name, want, deviceMtu(), mac));
        log.info("created {} ({}, mac {}, mtu {})", name, want, mac, deviceMtu());
      } else {
        device = existing.get();
        if (previousMac != null && !previousMac.equals(device.mac())) {
          log.info("{}: restoring the mac {} peers know (was {})", name, previousMac, device.mac());
          nl.links().setMac(device.index(), previousMac);
        }
        if (device.mtu() != deviceMtu()) {
          nl.links().setMtu(device.index(), deviceMtu());
        }
        device = nl.links().get(device.index());
        log.info("reusing {} ({}, mac {})", name, device.vxlan(), device.mac());
      }
    } catch (NetlinkException e) {
      throw new BackendException("vxlan: cannot set up " + name + ": " + e.getMessage(), e);
    }
    disableAcceptRa();
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    data.put("VNI", options.vni());
    data.put("VtepMAC", device.mac().toString());
    return new LeaseAttrs(iface.publicIp(), null, VxlanFactory.TYPE, data, null);
  }

  /** The VtepMAC this node advertised before, if its backend data carries a valid one. */
  static Optional<MacAddress> previousMac(LeaseAttrs previous) {
    if (previous == null || previous.backendData() == null) {
      return Optional.empty();
    }
    JsonNode mac = previous.backendData().get("VtepMAC");
    if (mac == null || !mac.isTextual()) {
      return Optional.empty();
    }
    try {
      return Optional.of(MacAddress.parse(mac.asText()));
    } catch (IllegalArgumentException e) {
      log.warn("ignoring the previous VtepMAC {}: {}", mac.asText(), e.getMessage());
      return Optional.empty();
    }
  }

  private static MacAddress randomMac() {
    byte[] b = new byte[6];
    new SecureRandom().nextBytes(b);
    b[0] = (byte) ((b[0] & 0xfe) | 0x02); // unicast, locally administered
    return MacAddress.of(b);
  }

  /** Upstream sets {@code accept_ra=0} on the device; best effort (IPv6 may be disabled). */
  private void disableAcceptRa() {
    Path p = Path.of("/proc/sys/net/ipv6/conf", name, "accept_ra");
    if (Files.exists(p)) {
      try {
        Files.writeString(p, "0");
      } catch (IOException e) {
        log.debug("cannot write {}: {}", p, e.getMessage());
      }
    }
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
    Ip4 ip = lease.subnet().ip();
    IpPrefix mine = IpPrefix.of(ip.toBytes(), 32);
    try {
      boolean present = false;
      for (Address a : nl.addresses().list(device.index())) {
        if (!(a.prefix().address() instanceof Inet4Address)) {
          continue;
        }
        if (a.prefix().equals(mine)) {
          present = true;
          continue;
        }
        Ip4 other = Ip4.fromBytes(a.prefix().address().getAddress());
        if (network == null || network.contains(other)) {
          log.info("removing stale address {} from {}", a.prefix(), name);
          nl.addresses().delete(a);
        }
      }
      if (!present) { // a restart with the address in place writes nothing
        nl.addresses().add(Address.of(device.index(), mine));
      }
      if (!device.isUp()) {
        nl.links().setUp(device.index());
      }
      Link now = nl.links().get(device.index());
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
    return new VxlanNetwork(nl, device, iface, config, options, lease);
  }
}
