package io.jflannel.netlink;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * One peer of a WireGuard device as {@code WG_CMD_GET_DEVICE} reports it.
 *
 * @param publicKey 32 bytes
 * @param presharedKey 32 bytes, all zero when none
 * @param endpoint the endpoint, or null when none is known
 * @param keepalive persistent keepalive in seconds, 0 for none
 * @param lastHandshakeSeconds seconds since the epoch of the last handshake, 0 for none
 * @param rxBytes bytes received
 * @param txBytes bytes sent
 * @param allowedIps the allowed IPs
 */
public record WireguardPeerInfo(
    byte[] publicKey,
    byte[] presharedKey,
    InetSocketAddress endpoint,
    int keepalive,
    long lastHandshakeSeconds,
    long rxBytes,
    long txBytes,
    List<IpPrefix> allowedIps) {}
