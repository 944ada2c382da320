package io.jflannel.netlink;

import io.jflannel.netlink.wire.Rt;
import java.util.List;
import java.util.Optional;

/**
 * Link operations of a {@link Netlink} handle: {@code ip link}.
 *
 * <p>Methods taking an index act on that ifindex in the handle's namespace; methods returning a
 * {@link Request} only build it, for {@link Netlink#batch}.
 */
public final class Links {
  private final Netlink nl;

  Links(Netlink nl) {
    this.nl = nl;
  }

  /** All links. Like {@code ip -d link show}. */
  public List<Link> list() throws NetlinkException {
    return nl.dump(LinkCodec.dump(), LinkCodec::decode);
  }

  /**
   * The links enslaved to link {@code master}, e.g. a bridge's ports. Like {@code ip link show
   * master <bridge>}.
   */
  public List<Link> ports(int master) throws NetlinkException {
    return nl.dump(
        LinkCodec.dump(), m -> LinkCodec.master(m) == master ? LinkCodec.decode(m) : null);
  }

  /**
   * The link called {@code name}. Like {@code ip -d link show dev <name>}.
   *
   * @throws LinkNotFoundException if there is none
   */
  public Link get(String name) throws NetlinkException {
    try {
      return nl.get(LinkCodec.getByName(name), LinkCodec::decode);
    } catch (NetlinkException e) {
      throw notFound(e);
    }
  }

  /**
   * The link with ifindex {@code index}. Like {@code ip -d link show} filtered by index.
   *
   * @throws LinkNotFoundException if there is none
   */
  public Link get(int index) throws NetlinkException {
    try {
      return nl.get(LinkCodec.getByIndex(index), LinkCodec::decode);
    } catch (NetlinkException e) {
      throw notFound(e);
    }
  }

  /** The link called {@code name}, or empty. */
  public Optional<Link> find(String name) throws NetlinkException {
    try {
      return Optional.of(get(name));
    } catch (LinkNotFoundException e) {
      return Optional.empty();
    }
  }

  private static NetlinkException notFound(NetlinkException e) {
    if (e.errno() == Errno.ENODEV || e.errno() == Errno.ENOENT) {
      return new LinkNotFoundException(e.request(), e.errno());
    }
    return e;
  }

  /**
   * Creates a vxlan device and returns it as the kernel made it. Like {@code ip link add <name>
   * [mtu M] [address MAC] type vxlan id <vni> [local IP] [dev DEV] [dstport P] [no]learning [gbp]}.
   * Fails with {@code EEXIST} if a link of that name exists.
   */
  public Link createVxlan(VxlanSpec spec) throws NetlinkException {
    nl.execute(LinkCodec.createVxlan(spec));
    return get(spec.name());
  }

  /**
   * Creates a WireGuard device. Like {@code ip link add <name> [mtu M] type wireguard}. Fails with
   * {@code EEXIST} if a link of that name exists, and with {@code EOPNOTSUPP} when the kernel has
   * no WireGuard (no {@code wireguard} module).
   */
  public Link createWireguard(String name, int mtu) throws NetlinkException {
    nl.execute(LinkCodec.createWireguard(name, mtu));
    return get(name);
  }

  /** Creates a veth pair. Like {@code ip link add <name> type veth peer name <peer>}. */
  public void createVeth(String name, String peer) throws NetlinkException {
    nl.execute(LinkCodec.createVeth(name, peer, -1));
  }

  /**
   * Creates a veth pair whose peer end is moved into the named namespace. Like {@code ip link add
   * <name> type veth peer name <peer> netns <namespace>}.
   */
  public void createVeth(String name, String peer, String peerNamespace) throws NetlinkException {
    int fd = NetNs.open(peerNamespace);
    try {
      nl.execute(LinkCodec.createVeth(name, peer, fd));
    } finally {
      io.jflannel.netlink.sys.Sys.close(fd);
    }
  }

  /** Like {@code ip link set dev <link> up}. */
  public void setUp(int index) throws NetlinkException {
    nl.execute(LinkCodec.setUp(index, true, nl::linkName));
  }

  /** Like {@code ip link set dev <link> down}. */
  public void setDown(int index) throws NetlinkException {
    nl.execute(LinkCodec.setUp(index, false, nl::linkName));
  }

  /** Like {@code ip link set dev <link> mtu <mtu>}. */
  public void setMtu(int index, int mtu) throws NetlinkException {
    nl.execute(LinkCodec.setMtu(index, mtu, nl::linkName));
  }

  /** Like {@code ip link set dev <link> address <mac>}. */
  public void setMac(int index, MacAddress mac) throws NetlinkException {
    nl.execute(LinkCodec.setMac(index, mac, nl::linkName));
  }

  /** Like {@code ip link del dev <link>}. */
  public void delete(int index) throws NetlinkException {
    nl.execute(LinkCodec.delete(index, nl::linkName));
    nl.forgetLink(index);
  }

  /** Whether {@code flags} (of a {@link Link}) has the lower layer up (carrier). */
  public static boolean lowerUp(int flags) {
    return (flags & Rt.IFF_LOWER_UP) != 0;
  }
}
