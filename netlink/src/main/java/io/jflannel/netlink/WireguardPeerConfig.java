package io.jflannel.netlink;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * One peer of a {@code WG_CMD_SET_DEVICE} request ({@code WGDEVICE_A_PEERS} entry): remove it, or
 * create/update it.
 *
 * @param publicKey {@code WGPEER_A_PUBLIC_KEY}, 32 bytes
 * @param remove {@code WGPEER_F_REMOVE_ME}: only the key is sent
 * @param presharedKey {@code WGPEER_A_PRESHARED_KEY} (32 bytes; all zero clears it), or null to
 *     leave it
 * @param endpoint {@code WGPEER_A_ENDPOINT}, or null to leave it
 * @param keepalive {@code WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL} in seconds, or -1 to leave it
 * @param allowedIps {@code WGPEER_A_ALLOWEDIPS}, replacing the peer's ({@code
 *     WGPEER_F_REPLACE_ALLOWEDIPS})
 */
public record WireguardPeerConfig(
    byte[] publicKey,
    boolean remove,
    byte[] presharedKey,
    InetSocketAddress endpoint,
    int keepalive,
    List<IpPrefix> allowedIps) {

  /** A removal. */
  public static WireguardPeerConfig removal(byte[] publicKey) {
    return new WireguardPeerConfig(publicKey, true, null, null, -1, List.of());
  }
}
