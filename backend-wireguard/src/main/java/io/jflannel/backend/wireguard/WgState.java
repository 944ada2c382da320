package io.jflannel.backend.wireguard;

import java.util.List;

/**
 * A WireGuard device as read back from the kernel or wireguard-go.
 *
 * @param privateKey the device's private key, or null when none is set
 * @param listenPort its UDP port, 0 when it has none yet
 * @param peers its peers, configuration only
 * @param handshaken how many of them completed a handshake at least once
 */
public record WgState(WgKey privateKey, int listenPort, List<WgPeer> peers, int handshaken) {
  public WgState {
    peers = List.copyOf(peers);
  }
}
