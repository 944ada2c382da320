package io.jflannel.netlink;

import io.jflannel.netlink.wire.Rt;
import java.util.List;

/** Address operations of a {@link Netlink} handle: {@code ip addr}. */
public final class Addresses {
  private final Netlink nl;

  Addresses(Netlink nl) {
    this.nl = nl;
  }

  /** Every IPv4 and IPv6 address. Like {@code ip addr show}. */
  public List<Address> list() throws NetlinkException {
    return nl.dump(AddressCodec.dump(Rt.AF_UNSPEC), AddressCodec::decode);
  }

  /** The addresses of one link. Like {@code ip addr show dev <link>}. */
  public List<Address> list(int linkIndex) throws NetlinkException {
    return list().stream().filter(a -> a.linkIndex() == linkIndex).toList();
  }

  /** Like {@code ip addr add <prefix> dev <link>}; {@code EEXIST} if it is there. */
  public void add(Address a) throws NetlinkException {
    nl.execute(addRequest(a));
  }

  /** Like {@code ip addr replace <prefix> dev <link>}. */
  public void replace(Address a) throws NetlinkException {
    nl.execute(replaceRequest(a));
  }

  /** Like {@code ip addr del <prefix> dev <link>}. */
  public void delete(Address a) throws NetlinkException {
    nl.execute(deleteRequest(a));
  }

  public Request addRequest(Address a) {
    return AddressCodec.add(a, nl::linkName);
  }

  public Request replaceRequest(Address a) {
    return AddressCodec.replace(a, nl::linkName);
  }

  public Request deleteRequest(Address a) {
    return AddressCodec.delete(a, nl::linkName);
  }
}
