package io.jflannel.e2e;

import io.jflannel.netlink.testing.Sh;
import io.jflannel.netlink.testing.TestNetns;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a host namespace's kernel state with iproute2 (and iptables-save), the way an operator
 * would look at it, one line per object with trailing blanks stripped, so expectations can be
 * written as upstream's {@code ip route} / {@code ip neigh} / {@code bridge fdb} lines.
 */
final class KernelState {
  static final String VXLAN_DEVICE = "flannel.1";
  static final String VXLAN6_DEVICE = "flannel-v6.1";
  static final String UDP_DEVICE = "flannel0";
  private static final Pattern MAC = Pattern.compile("link/ether ([0-9a-f:]{17})");

  private final TestNetns ns;

  KernelState(TestNetns ns) {
    this.ns = ns;
  }

  boolean hasLink(String name) {
    return Sh.exec("ip", "-n", ns.name(), "link", "show", "dev", name).exit() == 0;
  }

  /** {@code ip -d link show <name>}. */
  String linkDetails(String name) {
    return ns.ip("-d", "link", "show", "dev", name).strip();
  }

  String linkMac(String name) {
    Matcher m = MAC.matcher(ns.ip("link", "show", "dev", name));
    if (!m.find()) {
      throw new AssertionError("no MAC on " + name + " in " + ns);
    }
    return m.group(1);
  }

  /** {@code ip -4 route} (main table). */
  List<String> routes() {
    return lines(ns.ip("-4", "route"));
  }

  /**
   * Routes whose destination lies in {@code network} and that are not the local bridge's own, nor
   * the blackhole route of the node's own subnet ({@code --ip-blackhole-route}). A default route (a
   * host that has one, as {@code ImageIT}'s) lies in no overlay network.
   */
  List<String> overlayRoutes(String network) {
    return routes().stream()
        .filter(r -> !r.startsWith("blackhole ") && !r.startsWith("default "))
        .filter(r -> Ip4.contains(network, Ip4.address(r.split(" ")[0])))
        .filter(r -> !r.contains(" dev cni0 "))
        .toList();
  }

  /**
   * {@code ip route} of the IPv6 main table ({@code ip -6 route}), which iproute2 prints with the
   * metric and preference of each route ({@code metric 1024 pref medium} for a route added without
   * a metric, as upstream adds its routes).
   */
  List<String> routes6() {
    return lines(ns.ip("-6", "route"));
  }

  /**
   * IPv6 routes whose destination lies in {@code network6}, except the local bridge's, the kernel's
   * own ({@code proto kernel}: the route of the {@code /128} address of flannel-v6.1) and the
   * blackhole route of the node's own subnet.
   */
  List<String> overlayRoutes6(String network6) {
    return routes6().stream()
        .filter(r -> !r.startsWith("blackhole ") && !r.contains(" proto kernel "))
        .filter(r -> !r.contains(" dev cni0 "))
        .filter(
            r -> {
              String dst = r.split(" ")[0];
              return Ip6.is(dst)
                  && Ip6.containsPrefix(network6, dst.contains("/") ? dst : dst + "/128");
            })
        .toList();
  }

  /** {@code ip -4 neigh show dev <dev>}: the ARP entries flannel writes on its device. */
  List<String> neighbours(String dev) {
    return hasLink(dev) ? lines(ns.ip("-4", "neigh", "show", "dev", dev)) : List.of();
  }

  /** {@code ip -6 neigh show dev <dev>}: the IPv6 neighbours flannel writes on its device. */
  List<String> neighbours6(String dev) {
    return hasLink(dev) ? lines(ns.ip("-6", "neigh", "show", "dev", dev)) : List.of();
  }

  /** {@code bridge fdb show dev <dev>}. */
  List<String> fdb(String dev) {
    return hasLink(dev)
        ? lines(Sh.run("bridge", "-n", ns.name(), "fdb", "show", "dev", dev))
        : List.of();
  }

  /** {@code ip -4 -o addr show dev <dev>}, reduced to {@code inet a.b.c.d/len} per address. */
  List<String> ipv4Addresses(String dev) {
    return lines(ns.ip("-4", "-o", "addr", "show", "dev", dev)).stream()
        .map(l -> l.replaceAll("^.*?(inet \\S+).*$", "$1"))
        .toList();
  }

  /**
   * {@code ip -6 -o addr show dev <dev> scope global}, reduced to {@code inet6 a:b::c/len} per
   * address (the link-local address the kernel gives every link is left out).
   */
  List<String> ipv6Addresses(String dev) {
    return lines(ns.ip("-6", "-o", "addr", "show", "dev", dev, "scope", "global")).stream()
        .map(l -> l.replaceAll("^.*?(inet6 \\S+).*$", "$1"))
        .toList();
  }

  /**
   * The rules of {@code chain} in {@code table}, in order, as {@code iptables-save -t <table>}
   * prints them ({@code -A <chain> ...}).
   */
  List<String> iptablesRules(String table, String chain) {
    return lines(Sh.run("ip", "netns", "exec", ns.name(), "iptables-save", "-t", table)).stream()
        .filter(l -> l.startsWith("-A " + chain + " "))
        .toList();
  }

  /**
   * {@code nft list table <family> <name>}, lines stripped of their indentation; empty if there is
   * no such table.
   */
  List<String> nftTable(String family, String name) {
    Sh.Out o = Sh.exec("ip", "netns", "exec", ns.name(), "nft", "list", "table", family, name);
    return o.exit() == 0 ? lines(o.stdout()) : List.of();
  }

  /**
   * Every line of {@code iptables-save} and {@code ip6tables-save} (tables nat and filter) that
   * names a {@code FLANNEL-} chain: the traces of iptables mode.
   */
  List<String> iptablesFlannelLines() {
    List<String> out = new ArrayList<>();
    for (String binary : List.of("iptables-save", "ip6tables-save")) {
      for (String table : List.of("nat", "filter")) {
        lines(Sh.run("ip", "netns", "exec", ns.name(), binary, "-t", table)).stream()
            .filter(l -> l.contains("FLANNEL-"))
            .forEach(out::add);
      }
    }
    return out;
  }

  private static List<String> lines(String out) {
    return out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }
}
