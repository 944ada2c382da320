package io.jflannel.netlink;

import java.util.List;

/**
 * The kernel's WireGuard devices, through the {@code wireguard} generic-netlink family: what {@code
 * wg show <dev> dump} reads and {@code wg set <dev> ...} writes, without the {@code wg} tool.
 *
 * <p>{@link #open} resolves the family id once; it fails with {@code ENOENT} when the kernel has no
 * WireGuard. Thread-safety: calls are serialized on the underlying socket.
 */
public final class Wireguard implements AutoCloseable {
  private final GenericNetlink genl;
  private final int family;

  private Wireguard(GenericNetlink genl, int family) {
    this.genl = genl;
    this.family = family;
  }

  /**
   * Opens a generic-netlink socket in the calling thread's namespace and resolves the {@code
   * wireguard} family.
   *
   * @throws NetlinkException {@code ENOENT} when the kernel has no WireGuard
   */
  public static Wireguard open() throws NetlinkException {
    GenericNetlink g = GenericNetlink.open();
    try {
      return new Wireguard(g, g.family(WireguardCodec.FAMILY));
    } catch (NetlinkException | RuntimeException e) {
      g.close();
      throw e;
    }
  }

  /** The family id the kernel gave {@code wireguard}. */
  public int family() {
    return family;
  }

  /** The device {@code ifname}, its settings and peers ({@code wg show <ifname> dump}). */
  public WireguardDeviceInfo get(String ifname) throws NetlinkException {
    return WireguardCodec.merge(
        genl.dump(WireguardCodec.get(family, ifname), WireguardCodec::decodeOne));
  }

  /**
   * Sets the private key (if not null), the listen port (if above 0) and the given peers of {@code
   * ifname}, in as many messages as the peers need.
   */
  public void set(String ifname, byte[] privateKey, int listenPort, List<WireguardPeerConfig> peers)
      throws NetlinkException {
    for (Request r : WireguardCodec.set(family, ifname, privateKey, listenPort, peers)) {
      genl.execute(r);
    }
  }

  @Override
  public void close() {
    genl.close();
  }
}
