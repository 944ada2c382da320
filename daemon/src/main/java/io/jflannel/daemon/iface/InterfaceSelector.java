package io.jflannel.daemon.iface;

import io.jflannel.backend.common.KernelTypes;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip6;
import io.jflannel.netlink.Ips;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.Netlink;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Route;
import io.jflannel.netlink.wire.Rt;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the external interface: the host interface whose address peers use to reach this node,
 * and whose MTU every backend MTU derives from. Same order as upstream ({@code main.go}, {@code
 * pkg/ipmatch}):
 *
 * <ol>
 *   <li>Without {@code --iface}, {@code --iface-regex} and {@code --iface-can-reach}: the interface
 *       that has {@code --public-ip} (or {@code --public-ipv6}) as an address if one is given, else
 *       the interface of the default route (the lowest-metric {@code 0.0.0.0/0} route of the main
 *       table; dual-stack needs the {@code ::/0} route on the same interface). A failure here is
 *       final.
 *   <li>Otherwise, first match wins: each {@code --iface} in order (an IP address finds the
 *       interface that has it, anything else is a name), then each {@code --iface-regex} (first
 *       interface with a matching address, then first with a matching name; regexes match anywhere
 *       in the text, like Go's {@code MatchString}), then {@code --iface-can-reach} (the interface
 *       of {@code ip route get <ip>}). A candidate without an address of a needed family or with
 *       MTU 0 does not match; each miss is logged and all are named in the final error.
 * </ol>
 *
 * <p>The interface address is the one the match was made with (an {@code --iface} IP, the address a
 * regex matched, the route's preferred source), else the best usable address of the interface
 * ({@link HostSnapshot#usable}). The public address is {@code --public-ip} if given, else the
 * interface address.
 *
 * <p>Reads links, addresses and routes once per {@link #select} call through the netlink handle the
 * caller passed (and still owns). Not thread-safe on its own: use it from one thread, as a {@link
 * Netlink} handle is.
 */
public final class InterfaceSelector {
  private static final Logger log = LoggerFactory.getLogger(InterfaceSelector.class);

  private final HostNetwork host;

  /** A selector that reads the namespace {@code netlink} was opened in. */
  public InterfaceSelector(Netlink netlink) {
    this(new NetlinkHostNetwork(netlink));
  }

  InterfaceSelector(HostNetwork host) {
    this.host = host;
  }

  /** A candidate that does not fit; the message says why. Control flow only, no stack trace. */
  private static final class Miss extends Exception {
    Miss(String message) {
      super(message, null, false, false);
    }
  }

  /** The link chosen and the addresses the choice itself fixed (null: take the best usable). */
  private record Choice(Link link, InetAddress v4, InetAddress v6) {
    Choice with(InetAddress ip) {
      return ip instanceof Inet4Address ? new Choice(link, ip, v6) : new Choice(link, v4, ip);
    }
  }

  /**
   * Chooses the external interface for {@code criteria}.
   *
   * @throws InterfaceSelectionException if nothing fits; the message lists what was tried and the
   *     interfaces that exist
   */
  public ExternalInterface select(InterfaceCriteria criteria) throws InterfaceSelectionException {
    HostSnapshot snap;
    try {
      snap = new HostSnapshot(host.links(), host.addresses());
    } catch (NetlinkException e) {
      throw new InterfaceSelectionException("cannot list interfaces: " + e.getMessage(), e);
    }
    ExternalInterface chosen =
        criteria.explicit() ? explicit(criteria, snap) : implicit(criteria, snap);
    log.info(
        "using interface {} (mtu {}) with address {}{}",
        chosen.name(),
        chosen.mtu(),
        joinNonNull(chosen.address(), chosen.ipv6Address()),
        publicSuffix(chosen));
    snap.byIndex(chosen.index())
        .filter(l -> !l.isUp())
        .ifPresent(l -> log.warn("interface {} is down", l.name()));
    return chosen;
  }

  private ExternalInterface implicit(InterfaceCriteria c, HostSnapshot snap)
      throws InterfaceSelectionException {
    String what = "default route";
    try {
      if (c.ipv4() && c.publicIp() != null) {
        what = "--public-ip " + c.publicIp();
        return complete(byAddress(c, snap, KernelTypes.address(c.publicIp())), c, snap);
      }
      if (c.ipv6() && c.publicIpv6() != null) {
        what = "--public-ipv6 " + c.publicIpv6();
        return complete(byAddress(c, snap, KernelTypes.address(c.publicIpv6())), c, snap);
      }
      return complete(byDefaultRoute(c, snap), c, snap);
    } catch (Miss m) {
      throw new InterfaceSelectionException(
          what
              + ": "
              + m.getMessage()
              + "; interfaces here: "
              + snap.describe()
              + "; choose one with --iface, --iface-regex or --iface-can-reach");
    }
  }

  private ExternalInterface explicit(InterfaceCriteria c, HostSnapshot snap)
      throws InterfaceSelectionException {
    List<String> tried = new ArrayList<>();
    for (String iface : c.ifaces()) {
      try {
        return complete(byIface(c, snap, iface), c, snap);
      } catch (Miss m) {
        tried.add("--iface " + iface + ": " + m.getMessage());
        log.info("no usable interface for --iface {}: {}", iface, m.getMessage());
      }
    }
    for (String regex : c.ifaceRegexes()) {
      try {
        return complete(byRegex(c, snap, regex), c, snap);
      } catch (Miss m) {
        tried.add("--iface-regex " + regex + ": " + m.getMessage());
        log.info("no usable interface for --iface-regex {}: {}", regex, m.getMessage());
      }
    }
    if (c.ifaceCanReach() != null) {
      try {
        return complete(byCanReach(snap, c.ifaceCanReach()), c, snap);
      } catch (Miss m) {
        tried.add("--iface-can-reach " + c.ifaceCanReach() + ": " + m.getMessage());
        log.info(
            "no usable interface for --iface-can-reach {}: {}", c.ifaceCanReach(), m.getMessage());
      }
    }
    throw new InterfaceSelectionException(
        "no interface matches "
            + String.join("; ", tried)
            + "; interfaces here: "
            + snap.describe()
            + "; fix --iface, --iface-regex or --iface-can-reach");
  }

  /** An interface address given as {@code --public-ip[v6]} or {@code --iface <ip>}. */
  private Choice byAddress(InterfaceCriteria c, HostSnapshot snap, InetAddress ip) throws Miss {
    Link link =
        snap.owning(ip)
            .orElseThrow(() -> new Miss(Ips.format(ip) + " is not an address of any interface"));
    Choice choice = new Choice(link, null, null).with(ip);
    // dual stack: a given public IPv6 address must be on the interface found by the IPv4 one
    if (ip instanceof Inet4Address && c.ipv4() && c.ipv6() && c.publicIpv6() != null) {
      InetAddress v6 = KernelTypes.address(c.publicIpv6());
      Link other =
          snap.owning(v6)
              .orElseThrow(
                  () ->
                      new Miss(
                          "--public-ipv6 "
                              + c.publicIpv6()
                              + " is not an address of any interface"));
      if (other.index() != link.index()) {
        throw new Miss(
            "--public-ipv6 "
                + c.publicIpv6()
                + " is on "
                + other.name()
                + ", not on "
                + link.name());
      }
      choice = choice.with(v6);
    }
    return choice;
  }

  private Choice byIface(InterfaceCriteria c, HostSnapshot snap, String iface) throws Miss {
    InetAddress ip = literal(iface);
    if (ip != null) {
      return byAddress(c, snap, ip);
    }
    return new Choice(
        snap.byName(iface).orElseThrow(() -> new Miss("no such interface")), null, null);
  }

  private Choice byRegex(InterfaceCriteria c, HostSnapshot snap, String regex) throws Miss {
    Pattern p;
    try {
      p = Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new Miss("invalid regex: " + e.getDescription());
    }
    for (Link link : snap.links()) {
      InetAddress v4 = c.ipv4() ? matching(p, snap.usable(link, Inet4Address.class)) : null;
      InetAddress v6 = c.ipv6() ? matching(p, snap.usable(link, Inet6Address.class)) : null;
      if ((!c.ipv4() || v4 != null) && (!c.ipv6() || v6 != null)) {
        return new Choice(link, v4, v6);
      }
    }
    for (Link link : snap.links()) {
      if (p.matcher(link.name()).find()) {
        return new Choice(link, null, null);
      }
    }
    throw new Miss("no interface name or address matches");
  }

  private static InetAddress matching(Pattern p, List<InetAddress> ips) {
    for (InetAddress ip : ips) {
      if (p.matcher(text(ip)).find()) {
        return ip;
      }
    }
    return null;
  }

  private Choice byCanReach(HostSnapshot snap, String target) throws Miss {
    InetAddress dst = literal(target);
    if (dst == null) {
      throw new Miss("not an IP address");
    }
    Route r;
    try {
      r = host.routeTo(dst);
    } catch (NetlinkException e) {
      throw new Miss("no route: " + e.getMessage());
    }
    Link link =
        snap.byIndex(r.linkIndex())
            .orElseThrow(() -> new Miss("the route has no output interface"));
    Choice choice = new Choice(link, null, null);
    return r.prefSrc() == null ? choice : choice.with(r.prefSrc());
  }

  private Choice byDefaultRoute(InterfaceCriteria c, HostSnapshot snap) throws Miss {
    Link v4 = c.ipv4() ? defaultRouteLink(snap, Rt.AF_INET) : null;
    Link v6 = c.ipv6() ? defaultRouteLink(snap, Rt.AF_INET6) : null;
    if (v4 != null && v6 != null && v4.index() != v6.index()) {
      throw new Miss(
          "the IPv6 default route uses "
              + v6.name()
              + " but the IPv4 one uses "
              + v4.name()
              + "; dual-stack needs both on one interface");
    }
    return new Choice(v4 != null ? v4 : v6, null, null);
  }

  private Link defaultRouteLink(HostSnapshot snap, int family) throws Miss {
    String fam = family == Rt.AF_INET ? "IPv4" : "IPv6";
    List<Route> routes;
    try {
      routes = host.mainRoutes(family);
    } catch (NetlinkException e) {
      throw new Miss("cannot list " + fam + " routes: " + e.getMessage());
    }
    Route def =
        routes.stream()
            .filter(r -> r.dst().length() == 0 && r.type() == Rt.RTN_UNICAST)
            .min(Comparator.comparingLong(r -> Integer.toUnsignedLong(r.priority())))
            .orElseThrow(() -> new Miss("no " + fam + " default route in the main table"));
    if (def.linkIndex() <= 0) {
      throw new Miss("the " + fam + " default route has no single output interface");
    }
    return snap.byIndex(def.linkIndex())
        .orElseThrow(() -> new Miss("the " + fam + " default route's interface vanished"));
  }

  /** Fills in the addresses not fixed by the choice and checks the interface is usable. */
  private static ExternalInterface complete(Choice choice, InterfaceCriteria c, HostSnapshot snap)
      throws Miss {
    Link link = choice.link();
    if (link.mtu() <= 0) {
      throw new Miss(link.name() + " has MTU " + link.mtu());
    }
    InetAddress v4 = c.ipv4() ? address(choice.v4(), snap, link, Inet4Address.class, "IPv4") : null;
    InetAddress v6 = c.ipv6() ? address(choice.v6(), snap, link, Inet6Address.class, "IPv6") : null;
    Ip4 ip4 = v4 == null ? null : KernelTypes.ip4(v4);
    Ip6 ip6 = v6 == null ? null : KernelTypes.ip6(v6);
    Ip4 public4 = ip4 == null ? null : Optional.ofNullable(c.publicIp()).orElse(ip4);
    Ip6 public6 = ip6 == null ? null : Optional.ofNullable(c.publicIpv6()).orElse(ip6);
    return new ExternalInterface(link.name(), link.index(), link.mtu(), ip4, ip6, public4, public6);
  }

  private static InetAddress address(
      InetAddress fixed,
      HostSnapshot snap,
      Link link,
      Class<? extends InetAddress> family,
      String name)
      throws Miss {
    if (fixed != null) {
      return fixed;
    }
    List<InetAddress> usable = snap.usable(link, family);
    if (usable.isEmpty()) {
      throw new Miss(link.name() + " has no usable " + name + " address");
    }
    return usable.get(0);
  }

  /** {@code s} as an IP address, or null if it is not one (then it is an interface name). */
  private static InetAddress literal(String s) {
    try {
      return Ips.parse(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The text a regex sees: Go's {@code net.IP.String()}, RFC 5952 for IPv6. */
  static String text(InetAddress ip) {
    return KernelTypes.isIpv4(ip) ? KernelTypes.ip4(ip).toString() : KernelTypes.ip6(ip).toString();
  }

  private static String joinNonNull(Object a, Object b) {
    return a == null ? String.valueOf(b) : b == null ? a.toString() : a + " and " + b;
  }

  private static String publicSuffix(ExternalInterface e) {
    boolean same =
        Objects.equals(e.address(), e.publicIp())
            && Objects.equals(e.ipv6Address(), e.publicIpv6());
    return same ? "" : ", public address " + joinNonNull(e.publicIp(), e.publicIpv6());
  }
}
