package io.jflannel.backend.vxlan;

import io.jflannel.backend.common.DeviceRepairs;
import io.jflannel.backend.common.Kernel;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.MacAddress;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.VxlanAttrs;
import io.jflannel.netlink.VxlanSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates or adopts one vxlan device ({@code flannel.<VNI>}) as upstream makes it.
 *
 * <p>An existing device is kept when compatible (vxlan, same VNI, local address, underlay device,
 * port, GBP and learning), so a restarted daemon does not disturb traffic; otherwise it is deleted
 * and created again. Its MAC is the one this node advertised before when known, else the existing
 * device's, else a random locally administered one; its MTU is corrected in place.
 *
 * <p>Stateless and thread-safe; the caller serializes the kernel.
 */
final class VxlanDevice {
  private static final Logger log = LoggerFactory.getLogger(VxlanDevice.class);

  private VxlanDevice() {}

  /**
   * The device {@code name} with attributes {@code want}, MTU {@code mtu} and, when given, MAC
   * {@code previousMac}, as the kernel has it after the changes.
   */
  static Link ensure(Kernel kernel, String name, VxlanAttrs want, int mtu, MacAddress previousMac)
      throws NetlinkException {
    Optional<Link> existing = kernel.findLink(name);
    if (existing.isPresent() && !want.equals(existing.get().vxlan())) {
      Link old = existing.get();
      log.warn(
          "{} exists but is incompatible ({}; want {}): recreating it",
          name,
          old.kind().equals("vxlan") ? old.vxlan() : old.kind(),
          want);
      kernel.deleteLink(old.index());
      existing = Optional.empty();
    }
    if (existing.isEmpty()) {
      MacAddress mac = previousMac != null ? previousMac : randomMac();
      Link device = kernel.createVxlan(new VxlanSpec(name, want, mtu, mac));
      log.info("created {} ({}, mac {}, mtu {})", name, want, mac, mtu);
      return device;
    }
    Link device = existing.get();
    if (previousMac != null && !previousMac.equals(device.mac())) {
      log.info("{}: restoring the mac {} peers know (was {})", name, previousMac, device.mac());
      kernel.setMac(device.index(), previousMac);
    }
    if (device.mtu() != mtu) {
      kernel.setMtu(device.index(), mtu);
    }
    device = kernel.link(device.index());
    log.info("reusing {} ({}, mac {})", name, device.vxlan(), device.mac());
    return device;
  }

  /**
   * What is wrong with device {@code was}, as the backend made it, now that the kernel has {@code
   * now} under its name: deleted, changed (other vxlan settings, also on a device someone made in
   * its place; or another MTU or MAC), deleted and made again alike by someone (its entries went
   * with it), or set down; null when nothing is.
   */
  static DeviceRepairs.Reason fault(Link was, Optional<Link> now) {
    if (now.isEmpty()) {
      return DeviceRepairs.Reason.DELETED;
    }
    Link l = now.get();
    if (!Objects.equals(was.vxlan(), l.vxlan())) {
      return DeviceRepairs.Reason.CHANGED;
    }
    if (l.index() != was.index()) {
      return DeviceRepairs.Reason.DELETED;
    }
    if (!l.isUp()) {
      return DeviceRepairs.Reason.DOWN;
    }
    boolean same = was.mtu() == l.mtu() && Objects.equals(was.mac(), l.mac());
    return same ? null : DeviceRepairs.Reason.CHANGED;
  }

  private static MacAddress randomMac() {
    byte[] b = new byte[6];
    new SecureRandom().nextBytes(b);
    b[0] = (byte) ((b[0] & 0xfe) | 0x02); // unicast, locally administered
    return MacAddress.of(b);
  }

  /** Upstream sets {@code accept_ra=0} on the device; best effort (IPv6 may be disabled). */
  static void disableAcceptRa(String name) {
    Path p = Path.of("/proc/sys/net/ipv6/conf", name, "accept_ra");
    if (Files.exists(p)) {
      try {
        Files.writeString(p, "0");
      } catch (IOException e) {
        log.debug("cannot write {}: {}", p, e.getMessage());
      }
    }
  }
}
