package io.jflannel.backend.common;

import io.jflannel.core.backend.Finding;
import io.jflannel.netlink.Address;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.MacAddress;
import io.jflannel.netlink.NetlinkException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code flanneld diagnose}'s look at one backend device: present, of the kind and settings the
 * backend makes, up, with its MTU, MAC and this node's address. Reads only.
 *
 * @param name the device, e.g. {@code flannel.1}
 * @param mtu the MTU the backend gives it
 * @param mac the MAC the lease advertises for it, or null when it has none (tun)
 * @param address this node's address on it, e.g. {@code 10.244.1.0/32}
 * @param incompatible says why an existing link is not what the backend makes (another kind, VNI,
 *     port, local address), or null when it is
 */
public record DeviceCheck(
    String name, int mtu, MacAddress mac, IpPrefix address, Function<Link, String> incompatible) {

  /** What fixes a device flanneld makes: it does so at start, and within a second while it runs. */
  static final String RESTART =
      "flanneld sets it up at start and repairs it within a second while it runs: start or restart"
          + " flanneld, and see its log if this stays";

  /**
   * Checks the device, adding one finding per problem (or one OK finding) to {@code out}.
   *
   * @return the device when it exists and is of the backend's kind and settings (usable for the
   *     per-peer check), else empty
   */
  public Optional<Link> check(Kernel kernel, List<Finding> out) throws NetlinkException {
    Optional<Link> found = kernel.findLink(name);
    if (found.isEmpty()) {
      out.add(
          Finding.problem(
              "device", name, "missing: pod traffic to other nodes has no way out", RESTART));
      return Optional.empty();
    }
    Link link = found.get();
    String wrong = incompatible.apply(link);
    if (wrong != null) {
      out.add(Finding.problem("device", name, wrong, "flanneld replaces it: " + RESTART));
      return Optional.empty();
    }
    List<String> problems = new ArrayList<>();
    if (!link.isUp()) {
      problems.add("down");
    }
    if (link.mtu() != mtu) {
      problems.add("mtu " + link.mtu() + ", flanneld sets " + mtu);
    }
    if (mac != null && !mac.equals(link.mac())) {
      problems.add(
          "mac " + link.mac() + ", but the lease advertises " + mac + ": peers send to that one");
    }
    if (kernel.addresses(link.index()).stream().map(Address::prefix).noneMatch(address::equals)) {
      problems.add("lacks this node's address " + address);
    }
    if (problems.isEmpty()) {
      out.add(
          Finding.ok(
              "device",
              name,
              "up, mtu " + mtu + (mac == null ? "" : ", mac " + mac) + ", address " + address));
    } else {
      out.add(Finding.problem("device", name, String.join("; ", problems), RESTART));
    }
    return Optional.of(link);
  }
}
