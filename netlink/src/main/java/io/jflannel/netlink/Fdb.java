package io.jflannel.netlink;

import java.util.List;

/**
 * Forwarding-database operations of a {@link Netlink} handle on vxlan devices: {@code bridge fdb}.
 * Entries are {@code AF_BRIDGE} neighbour messages with {@code NTF_SELF}.
 */
public final class Fdb {
  private final Netlink nl;

  Fdb(Netlink nl) {
    this.nl = nl;
  }

  /** The entries of one device. Like {@code bridge fdb show dev <link>}. */
  public List<FdbEntry> list(int linkIndex) throws NetlinkException {
    return list().stream().filter(f -> f.linkIndex() == linkIndex).toList();
  }

  /** Every entry. Like {@code bridge fdb show}. */
  public List<FdbEntry> list() throws NetlinkException {
    return nl.dump(
        NeighbourCodec.dump(io.jflannel.netlink.wire.Rt.AF_BRIDGE), NeighbourCodec::decodeFdb);
  }

  /** Like {@code bridge fdb append <mac> dev <link> dst <ip> self permanent}. */
  public void append(FdbEntry f) throws NetlinkException {
    nl.execute(appendRequest(f));
  }

  /** Like {@code bridge fdb replace <mac> dev <link> dst <ip> self permanent}. */
  public void replace(FdbEntry f) throws NetlinkException {
    nl.execute(replaceRequest(f));
  }

  /** Like {@code bridge fdb del <mac> dev <link> dst <ip> self}. */
  public void delete(FdbEntry f) throws NetlinkException {
    nl.execute(deleteRequest(f));
  }

  public Request appendRequest(FdbEntry f) {
    return NeighbourCodec.fdbAppend(f, nl::linkName);
  }

  public Request replaceRequest(FdbEntry f) {
    return NeighbourCodec.fdbReplace(f, nl::linkName);
  }

  public Request deleteRequest(FdbEntry f) {
    return NeighbourCodec.fdbDelete(f, nl::linkName);
  }
}
