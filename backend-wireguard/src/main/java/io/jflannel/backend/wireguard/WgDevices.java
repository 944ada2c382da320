package io.jflannel.backend.wireguard;

import io.jflannel.backend.common.Kernel;
import io.jflannel.core.backend.BackendException;
import io.jflannel.netlink.Errno;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.NetlinkException;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses, once per device at start, how it is programmed, and logs the choice: a device that
 * exists already keeps its kind ({@code wireguard}: the kernel's; {@code tun}: a wireguard-go's);
 * otherwise the kernel's WireGuard if {@code ip link add <dev> type wireguard} works, else
 * wireguard-go from {@code PATH}. With neither, start-up fails with one line naming both fixes.
 */
final class WgDevices {
  private static final Logger log = LoggerFactory.getLogger(WgDevices.class);

  /** Opens the kernel path for a device that exists (the generic-netlink family). */
  @FunctionalInterface
  interface KernelPath {
    WgDevice open(String name, Kernel kernel, int mtu) throws WgException;
  }

  private final Kernel kernel;
  private final KernelPath kernelPath;
  private final Optional<Path> wireguardGo;
  private final Path socketDir;

  WgDevices(Kernel kernel, KernelPath kernelPath, Optional<Path> wireguardGo, Path socketDir) {
    this.kernel = kernel;
    this.kernelPath = kernelPath;
    this.wireguardGo = wireguardGo;
    this.socketDir = socketDir;
  }

  /** The device {@code name}, existing or made now, not yet configured. */
  WgDevice open(String name, int mtu) throws BackendException {
    try {
      Optional<Link> existing = kernel.findLink(name);
      if (existing.isPresent()
          && !existing.get().kind().equals("wireguard")
          && !existing.get().kind().equals("tun")) {
        log.warn("{} exists as a {} device; deleting it", name, existing.get().kind());
        kernel.deleteLink(existing.get().index());
        existing = Optional.empty();
      }
      if (existing.isPresent() && existing.get().kind().equals("tun")) {
        return userspace(name, "it exists as a TUN device");
      }
      if (existing.isEmpty()) {
        try {
          kernel.createWireguard(name, mtu);
          log.info("wireguard: created {} in the kernel", name);
        } catch (NetlinkException e) {
          if (e.errno() != Errno.EOPNOTSUPP) {
            throw e;
          }
          return userspace(
              name, "the kernel has no WireGuard (ip link add type wireguard: " + "EOPNOTSUPP)");
        }
      }
      WgDevice d = kernelPath.open(name, kernel, mtu);
      log.info("wireguard: {} is programmed through the kernel's wireguard generic netlink", name);
      return d;
    } catch (NetlinkException | WgException e) {
      throw new BackendException("wireguard: cannot set up " + name + ": " + e.getMessage(), e);
    }
  }

  private WgDevice userspace(String name, String why) throws BackendException {
    if (wireguardGo.isEmpty()) {
      throw new BackendException(
          "wireguard: "
              + why.replace("it exists", name + " exists")
              + " and wireguard-go is not installed; load the kernel module (modprobe wireguard)"
              + " or install wireguard-go (apt-get install wireguard-go) and start flanneld again");
    }
    UapiWgDevice d = new UapiWgDevice(name, socketDir, wireguardGo.get());
    log.info("wireguard: {}: {}; {} is programmed through {}", name, why, name, d.kind());
    return d;
  }
}
