package io.jflannel.backend.common;

import io.jflannel.netlink.FdbEntry;
import io.jflannel.netlink.Ips;
import io.jflannel.netlink.Neighbour;
import io.jflannel.netlink.Nexthop;
import io.jflannel.netlink.Route;
import java.util.function.IntFunction;

/**
 * A per-peer kernel object as iproute2 prints it ({@code ip route}, {@code ip neigh}, {@code bridge
 * fdb}, {@code ip nexthop}), so a diagnosis names it the way an operator finds it; links by name.
 */
public final class IpText {
  private IpText() {}

  /** {@code object} (a route, neighbour, FDB entry or nexthop), with {@code dev} naming links. */
  public static String of(Object object, IntFunction<String> dev) {
    if (object instanceof Route r) {
      return route(r, dev);
    }
    if (object instanceof Neighbour n) {
      return Ips.format(n.ip())
          + " lladdr "
          + n.mac()
          + " dev "
          + dev.apply(n.linkIndex())
          + " PERMANENT";
    }
    if (object instanceof FdbEntry f) {
      return f.mac()
          + " dev "
          + dev.apply(f.linkIndex())
          + (f.dst() == null ? "" : " dst " + Ips.format(f.dst()))
          + " self permanent";
    }
    if (object instanceof Nexthop h) {
      return "id "
          + h.id()
          + (h.gateway() == null ? "" : " via " + Ips.format(h.gateway()))
          + " dev "
          + dev.apply(h.linkIndex())
          + (h.isOnlink() ? " onlink" : "");
    }
    return String.valueOf(object);
  }

  private static String route(Route r, IntFunction<String> dev) {
    StringBuilder sb = new StringBuilder(r.dst().toString());
    if (r.nexthopId() != 0) {
      sb.append(" nhid ").append(r.nexthopId());
    }
    if (r.gateway() != null) {
      sb.append(" via ").append(Ips.format(r.gateway()));
    }
    if (r.linkIndex() != 0) {
      sb.append(" dev ").append(dev.apply(r.linkIndex()));
    }
    if (r.isOnlink()) {
      sb.append(" onlink");
    }
    if (r.priority() != 0) {
      sb.append(" metric ").append(r.priority());
    }
    return sb.toString();
  }
}
