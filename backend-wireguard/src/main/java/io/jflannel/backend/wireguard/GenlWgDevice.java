package io.jflannel.backend.wireguard;

import io.jflannel.backend.common.Kernel;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Wireguard;
import io.jflannel.netlink.WireguardDeviceInfo;
import io.jflannel.netlink.WireguardPeerConfig;
import io.jflannel.netlink.WireguardPeerInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * A kernel WireGuard device ({@code ip link add <dev> type wireguard}, made by {@link WgDevices}),
 * read and written through our own binding of the {@code wireguard} generic-netlink family ({@link
 * Wireguard}): {@code WG_CMD_GET_DEVICE} and {@code WG_CMD_SET_DEVICE}, peers split across messages
 * when many.
 */
final class GenlWgDevice implements WgDevice {
  private final String name;
  private final Wireguard wg;
  private final Kernel kernel;
  private final int mtu;

  private GenlWgDevice(String name, Wireguard wg, Kernel kernel, int mtu) {
    this.name = name;
    this.wg = wg;
    this.kernel = kernel;
    this.mtu = mtu;
  }

  /**
   * Opens the generic-netlink family for the kernel device {@code name}; {@link #ensure} creates
   * the device again through {@code kernel} (MTU {@code mtu}) if someone deletes it.
   */
  static WgDevice open(String name, Kernel kernel, int mtu) throws WgException {
    try {
      return new GenlWgDevice(name, Wireguard.open(), kernel, mtu);
    } catch (NetlinkException e) {
      throw new WgException(
          "cannot open the kernel's wireguard generic netlink family: " + e.getMessage(), e);
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String kind() {
    return "kernel (wireguard generic netlink, family " + wg.family() + ")";
  }

  /** Creates the link again if it was deleted (it is made first by {@link WgDevices}). */
  @Override
  public boolean ensure() throws WgException {
    try {
      if (kernel.findLink(name).isPresent()) {
        return false;
      }
      kernel.createWireguard(name, mtu);
      return true;
    } catch (NetlinkException e) {
      throw new WgException(name + ": cannot create the wireguard link: " + e.getMessage(), e);
    }
  }

  @Override
  public boolean alive() {
    return true;
  }

  @Override
  public WgState read() throws WgException {
    WireguardDeviceInfo d;
    try {
      d = wg.get(name);
    } catch (NetlinkException e) {
      throw new WgException(name + ": WG_CMD_GET_DEVICE: " + e.getMessage(), e);
    }
    List<WgPeer> peers = new ArrayList<>(d.peers().size());
    int handshaken = 0;
    for (WireguardPeerInfo p : d.peers()) {
      peers.add(
          new WgPeer(
              WgKey.of(p.publicKey()),
              p.endpoint(),
              p.allowedIps(),
              WgKey.of(p.presharedKey()),
              p.keepalive()));
      handshaken += p.lastHandshakeSeconds() > 0 ? 1 : 0;
    }
    return new WgState(
        d.privateKey() == null ? null : WgKey.of(d.privateKey()),
        d.listenPort(),
        peers,
        handshaken);
  }

  @Override
  public void write(WgUpdate u) throws WgException {
    if (u.isEmpty()) {
      return;
    }
    List<WireguardPeerConfig> peers = new ArrayList<>();
    for (WgKey k : u.removals()) {
      peers.add(WireguardPeerConfig.removal(k.bytes()));
    }
    for (WgPeer p : u.upserts()) {
      peers.add(
          new WireguardPeerConfig(
              p.publicKey().bytes(),
              false,
              p.presharedKey() == null ? new byte[WgKey.LENGTH] : p.presharedKey().bytes(),
              p.endpoint(),
              p.keepalive(),
              p.allowedIps()));
    }
    try {
      wg.set(name, u.privateKey() == null ? null : u.privateKey().bytes(), u.listenPort(), peers);
    } catch (NetlinkException e) {
      throw new WgException(name + ": WG_CMD_SET_DEVICE: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    wg.close();
  }
}
