package io.jflannel.daemon.iface;

import io.jflannel.netlink.Address;
import io.jflannel.netlink.Ips;
import io.jflannel.netlink.Link;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The links and addresses of the host at one moment, with the lookups interface selection makes: by
 * name, by index, by owned address, and the usable addresses of a link, best first.
 *
 * <p>Usable addresses follow upstream's {@code GetInterfaceIP4Addrs}: unicast addresses that are
 * not loopback, global ones before link-local ones, in the kernel's order (primary first). We also
 * put deprecated and tentative addresses after the preferred ones of the same kind and never use
 * one whose duplicate address detection failed.
 *
 * <p>Immutable; thread-safe.
 */
final class HostSnapshot {
  // IFA_F_* flags of linux/if_addr.h
  static final int IFA_F_DADFAILED = 0x08;
  static final int IFA_F_DEPRECATED = 0x20;
  static final int IFA_F_TENTATIVE = 0x40;

  private final List<Link> links;
  private final List<Address> addresses;

  HostSnapshot(List<Link> links, List<Address> addresses) {
    this.links = List.copyOf(links);
    this.addresses = List.copyOf(addresses);
  }

  List<Link> links() {
    return links;
  }

  Optional<Link> byName(String name) {
    return links.stream().filter(l -> l.name().equals(name)).findFirst();
  }

  Optional<Link> byIndex(int index) {
    return links.stream().filter(l -> l.index() == index).findFirst();
  }

  /** The link that has {@code ip} as one of its addresses. */
  Optional<Link> owning(InetAddress ip) {
    return addresses.stream()
        .filter(a -> a.prefix().address().equals(ip))
        .findFirst()
        .flatMap(a -> byIndex(a.linkIndex()));
  }

  /** The usable addresses of {@code family} (v4 or v6 class) on {@code link}, best first. */
  List<InetAddress> usable(Link link, Class<? extends InetAddress> family) {
    List<Address> candidates = new ArrayList<>();
    for (Address a : addresses) {
      InetAddress ip = a.prefix().address();
      if (a.linkIndex() == link.index() && family.isInstance(ip) && isUnicast(ip)) {
        if ((a.flags() & IFA_F_DADFAILED) == 0) {
          candidates.add(a);
        }
      }
    }
    return candidates.stream()
        .sorted(Comparator.comparingInt(HostSnapshot::rank))
        .map(a -> a.prefix().address())
        .toList();
  }

  /** 0 = global and preferred, 1 = global but deprecated or tentative, 2-3 = link-local. */
  static int rank(Address a) {
    boolean linkLocal = a.prefix().address().isLinkLocalAddress();
    boolean weak = (a.flags() & (IFA_F_DEPRECATED | IFA_F_TENTATIVE)) != 0;
    return (linkLocal ? 2 : 0) + (weak ? 1 : 0);
  }

  private static boolean isUnicast(InetAddress ip) {
    if (ip.isLoopbackAddress() || ip.isMulticastAddress() || ip.isAnyLocalAddress()) {
      return false;
    }
    return !(ip instanceof Inet4Address && Ips.format(ip).equals("255.255.255.255"));
  }

  /** {@code "lo (127.0.0.1), eth0 (10.0.0.5, fd00::5)"}: what exists, for error messages. */
  String describe() {
    List<String> parts = new ArrayList<>();
    for (Link l : links) {
      List<String> ips = new ArrayList<>();
      for (Address a : addresses) {
        InetAddress ip = a.prefix().address();
        if (a.linkIndex() == l.index()
            && (ip instanceof Inet4Address || !ip.isLinkLocalAddress())) {
          ips.add(Ips.format(ip));
        }
      }
      parts.add(l.name() + " (" + (ips.isEmpty() ? "no address" : String.join(", ", ips)) + ")");
    }
    return parts.isEmpty() ? "none" : String.join(", ", parts);
  }

  static boolean isV6(InetAddress ip) {
    return ip instanceof Inet6Address;
  }
}
