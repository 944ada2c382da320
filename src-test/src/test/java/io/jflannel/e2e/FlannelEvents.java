package io.jflannel.e2e;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sorts the events a {@link KernelMonitor} recorded into those flanneld could have caused and those
 * it cannot have, so "flanneld wrote nothing" can be asserted on a host that is carrying traffic.
 *
 * <p>Ignored, with the reason reported next to each event:
 *
 * <ul>
 *   <li>neighbour (ARP) and FDB events on {@code eth0}: the underlay's ARP state machine (REACHABLE
 *       → STALE → DELAY → PROBE) driven by the encapsulated or routed traffic itself;
 *   <li>neighbour and FDB events on {@code cni0} / {@code veth0}: the pod's ARP entries and the
 *       cni0 bridge learning the pod's MAC, driven by the pod traffic; link events of {@code
 *       veth0}, the pod's port, which the bridge emits on its own and flanneld never references;
 *   <li>IPv6 neighbour discovery off flannel's devices, IPv6 link-local addresses (DAD completes
 *       seconds after a link comes up) and IPv6 link-local/multicast routes, which flannel never
 *       touches.
 * </ul>
 *
 * Everything else counts: any event naming a {@code flannel.*} or {@code flannel-v6.*} device
 * (link, address, route, neighbour, FDB), any route touching either overlay (10.244.0.0/16 and
 * fd10::/56, including host-gw routes via eth0 and the cni0 routes), and anything not recognised
 * (conservatively).
 */
final class FlannelEvents {
  private static final Pattern DEV = Pattern.compile("\\bdev (\\S+)");

  /** How every address of the IPv6 overlay ({@link Stack#IPV6_NETWORK}) starts when printed. */
  private static final String OVERLAY6 = "fd10:";

  private FlannelEvents() {}

  /** One recorded event and why it is ignored (null when it counts as a flanneld write). */
  record Verdict(String event, String ignoredBecause) {
    boolean counts() {
      return ignoredBecause == null;
    }

    @Override
    public String toString() {
      return (counts() ? "COUNTS   " : "ignored  ")
          + event
          + (counts() ? "" : "   <- " + ignoredBecause);
    }
  }

  static List<Verdict> classify(List<String> events) {
    return events.stream().map(e -> new Verdict(e, ignoredBecause(e))).toList();
  }

  private static String ignoredBecause(String event) {
    if (event.contains("flannel.") || event.contains("flannel-v6.")) {
      return null;
    }
    boolean route = event.startsWith("[ROUTE]");
    boolean neighbour = event.startsWith("[NEIGH]") || event.startsWith("[FDB]");
    if (route && (event.contains("10.244.") || event.contains(OVERLAY6))) {
      return null;
    }
    Matcher dev = DEV.matcher(event);
    String device = dev.find() ? dev.group(1) : "";
    if (neighbour && device.equals("eth0")) {
      return "underlay ARP/FDB state on eth0, driven by the traffic";
    }
    if (neighbour && (device.equals("cni0") || device.equals("veth0"))) {
      return "pod-side ARP / cni0 bridge learning, driven by the pod traffic";
    }
    if (event.startsWith("[LINK]") && event.matches("\\[LINK\\]\\d+: veth0@.*")) {
      return "the pod's port on cni0 (the bridge's own port notifications; flanneld never sees veth0)";
    }
    String body = event.replaceFirst("^\\[[A-Z]+\\](Deleted )?", "");
    String first = body.split(" ")[0];
    if (neighbour && first.contains(":") && !first.matches("([0-9a-f]{2}:){5}[0-9a-f]{2}")) {
      return "IPv6 neighbour discovery";
    }
    if (route
        && (body.contains("fe80::")
            || body.contains("ff00::")
            || body.startsWith("multicast ff"))) {
      return "IPv6 link-local/multicast route";
    }
    if (event.startsWith("[ADDR]") && body.contains(" inet6 fe80::")) {
      return "IPv6 link-local address (DAD completing on a new link)";
    }
    return null;
  }
}
