package io.jflannel.backend.common;

import io.jflannel.netlink.Address;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.NetlinkException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The address and state of a backend's own device (vxlan's {@code flannel.<VNI>}, udp's {@code
 * flannel0}), kept right level-triggered: the device holds this node's address ({@code <lease
 * subnet IP>/32}) and no other address of the flannel Network, and is up. Reads first and writes
 * only what differs, so a restart over a correct device writes nothing.
 *
 * <p>Stateless and thread-safe; the caller serializes the kernel.
 */
public final class DeviceAddress {
  private static final Logger log = LoggerFactory.getLogger(DeviceAddress.class);

  private DeviceAddress() {}

  /**
   * Gives {@code link} the address {@code want} (of {@code want}'s family), removes the link's
   * other addresses of that family for which {@code managed} holds (stale addresses of the Network,
   * e.g. of an earlier lease), and sets the link up.
   *
   * @return the number of kernel writes it took (0 when all was right)
   */
  public static int ensure(Kernel kernel, Link link, IpPrefix want, Predicate<IpPrefix> managed)
      throws NetlinkException {
    int writes = 0;
    boolean present = false;
    for (Address a : kernel.addresses(link.index())) {
      if (a.prefix().family() != want.family()) {
        continue;
      }
      if (a.prefix().equals(want)) {
        present = true;
      } else if (managed.test(a.prefix())) {
        log.info("removing stale address {} from {}", a.prefix(), link.name());
        kernel.deleteAddress(a);
        writes++;
      }
    }
    if (!present) {
      kernel.replaceAddress(Address.of(link.index(), want));
      writes++;
    }
    if (!link.isUp()) {
      kernel.setUp(link.index());
      writes++;
    }
    return writes;
  }
}
