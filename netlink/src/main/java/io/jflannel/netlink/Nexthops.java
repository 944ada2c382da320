package io.jflannel.netlink;

import java.util.List;

/**
 * Nexthop-object operations of a {@link Netlink} handle (kernel 5.3+): {@code ip nexthop}.
 *
 * <p>Why: routes that each carry their own gateway insert in quadratic time in current kernels (10k
 * ≈ 1 s, 50k ≈ 31 s), while nexthop objects plus routes that point at them stay linear.
 */
public final class Nexthops {
  private final Netlink nl;

  Nexthops(Netlink nl) {
    this.nl = nl;
  }

  /** Every nexthop object. Like {@code ip nexthop show}. */
  public List<Nexthop> list() throws NetlinkException {
    return nl.dump(NexthopCodec.dump(), NexthopCodec::decode);
  }

  /** Like {@code ip nexthop add id <id> via <gw> dev <link> [onlink]}; {@code EEXIST} if taken. */
  public void add(Nexthop n) throws NetlinkException {
    nl.execute(addRequest(n));
  }

  /** Like {@code ip nexthop replace id <id> via <gw> dev <link> [onlink]}. */
  public void replace(Nexthop n) throws NetlinkException {
    nl.execute(replaceRequest(n));
  }

  /** Like {@code ip nexthop del id <id>}; routes using it go with it. */
  public void delete(int id) throws NetlinkException {
    nl.execute(deleteRequest(id));
  }

  public Request addRequest(Nexthop n) {
    return NexthopCodec.add(n, nl::linkName);
  }

  public Request replaceRequest(Nexthop n) {
    return NexthopCodec.replace(n, nl::linkName);
  }

  public Request deleteRequest(int id) {
    return NexthopCodec.delete(id);
  }
}
