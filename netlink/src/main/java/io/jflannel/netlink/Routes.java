package io.jflannel.netlink;

import io.jflannel.netlink.wire.Rt;
import java.net.InetAddress;
import java.util.List;

/** Route operations of a {@link Netlink} handle: {@code ip route}. */
public final class Routes {
  private final Netlink nl;

  Routes(Netlink nl) {
    this.nl = nl;
  }

  /**
   * Every route of {@code family} ({@code AF_INET}, {@code AF_INET6} or {@code AF_UNSPEC}) in every
   * table. Like {@code ip route show table all}.
   */
  public List<Route> listAll(int family) throws NetlinkException {
    return nl.dump(RouteCodec.dump(family), RouteCodec::decode);
  }

  /**
   * The unicast routes of {@code table} (main = 254). Like {@code ip [-6] route show table <table>}
   * (which also hides the kernel's cache and local-table entries).
   */
  public List<Route> list(int family, int table) throws NetlinkException {
    return listAll(family).stream().filter(r -> r.table() == table).toList();
  }

  /**
   * The routes of {@code family} in the main table that leave through {@code linkIndex}. Like
   * {@code ip [-6] route show dev <link>}.
   */
  public List<Route> listByLink(int family, int linkIndex) throws NetlinkException {
    return list(family, Rt.RT_TABLE_MAIN).stream().filter(r -> r.linkIndex() == linkIndex).toList();
  }

  /**
   * The route the kernel would use to reach {@code dst}: output link, gateway and preferred source.
   * Like {@code ip route get <dst>}.
   */
  public Route get(InetAddress dst) throws NetlinkException {
    return nl.get(RouteCodec.get(dst), RouteCodec::decode);
  }

  /** Like {@code ip route replace <dst> [via GW] [dev LINK] [nhid ID] [onlink] ...}. */
  public void replace(Route r) throws NetlinkException {
    nl.execute(replaceRequest(r));
  }

  /** Like {@code ip route del <dst> ...}. */
  public void delete(Route r) throws NetlinkException {
    nl.execute(deleteRequest(r));
  }

  public Request replaceRequest(Route r) {
    return RouteCodec.replace(r, nl::linkName);
  }

  public Request deleteRequest(Route r) {
    return RouteCodec.delete(r, nl::linkName);
  }
}
