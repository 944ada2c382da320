package io.jflannel.backend.wireguard;

import java.util.List;

/**
 * One change to a WireGuard device, applied in this order: the device's private key and port, then
 * the removals, then the upserts (each a whole peer: endpoint, preshared key, keepalive, and its
 * allowed IPs replaced). Removing before adding lets a peer's new key take over its old key's
 * subnets in the same update.
 *
 * @param privateKey the private key to set, or null to leave it
 * @param listenPort the port to set, or 0 to leave it
 * @param removals the public keys of peers to remove
 * @param upserts peers to add, or to replace in place when their key exists
 */
public record WgUpdate(
    WgKey privateKey, int listenPort, List<WgKey> removals, List<WgPeer> upserts) {
  public WgUpdate {
    removals = List.copyOf(removals);
    upserts = List.copyOf(upserts);
  }

  /** Peer changes only. */
  public static WgUpdate peers(List<WgKey> removals, List<WgPeer> upserts) {
    return new WgUpdate(null, 0, removals, upserts);
  }

  /** Whether it changes nothing. */
  public boolean isEmpty() {
    return privateKey == null && listenPort == 0 && removals.isEmpty() && upserts.isEmpty();
  }

  /** The number of changes it makes (device settings count one each, peers one each). */
  public int size() {
    return (privateKey != null ? 1 : 0)
        + (listenPort != 0 ? 1 : 0)
        + removals.size()
        + upserts.size();
  }
}
