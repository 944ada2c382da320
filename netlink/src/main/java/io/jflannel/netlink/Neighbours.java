package io.jflannel.netlink;

import io.jflannel.netlink.wire.Rt;
import java.util.List;

/** Neighbour (ARP/NDP) operations of a {@link Netlink} handle: {@code ip neigh}. */
public final class Neighbours {
  private final Netlink nl;

  Neighbours(Netlink nl) {
    this.nl = nl;
  }

  /** IPv4 and IPv6 neighbours of one link. Like {@code ip neigh show dev <link>}. */
  public List<Neighbour> list(int linkIndex) throws NetlinkException {
    return list().stream().filter(n -> n.linkIndex() == linkIndex).toList();
  }

  /** Every IPv4 and IPv6 neighbour entry. Like {@code ip neigh show}. */
  public List<Neighbour> list() throws NetlinkException {
    List<Neighbour> v4 = nl.dump(NeighbourCodec.dump(Rt.AF_INET), NeighbourCodec::decode);
    List<Neighbour> v6 = nl.dump(NeighbourCodec.dump(Rt.AF_INET6), NeighbourCodec::decode);
    return java.util.stream.Stream.concat(v4.stream(), v6.stream()).toList();
  }

  /** Like {@code ip neigh replace <ip> lladdr <mac> dev <link> nud permanent}. */
  public void replace(Neighbour n) throws NetlinkException {
    nl.execute(replaceRequest(n));
  }

  /** Like {@code ip neigh del <ip> dev <link>}. */
  public void delete(Neighbour n) throws NetlinkException {
    nl.execute(deleteRequest(n));
  }

  public Request replaceRequest(Neighbour n) {
    return NeighbourCodec.replace(n, nl::linkName);
  }

  public Request deleteRequest(Neighbour n) {
    return NeighbourCodec.delete(n, nl::linkName);
  }
}
