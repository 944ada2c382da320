package io.jflannel.netlink;

import java.util.List;

/**
 * A WireGuard device as {@code WG_CMD_GET_DEVICE} reports it (all messages of the dump merged).
 *
 * @param ifindex the interface index
 * @param name the interface name
 * @param privateKey 32 bytes, or null when none is set
 * @param publicKey 32 bytes, or null when no private key is set
 * @param listenPort the UDP port
 * @param fwmark the firewall mark, 0 for none
 * @param peers the peers
 */
public record WireguardDeviceInfo(
    int ifindex,
    String name,
    byte[] privateKey,
    byte[] publicKey,
    int listenPort,
    int fwmark,
    List<WireguardPeerInfo> peers) {}
