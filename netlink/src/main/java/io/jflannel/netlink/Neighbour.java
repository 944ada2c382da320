package io.jflannel.netlink;

import java.net.InetAddress;

/**
 * A neighbour (ARP / NDP) entry: what {@code ip neigh} prints and takes.
 *
 * @param linkIndex the interface ({@code dev})
 * @param ip the neighbour's IP address
 * @param mac its link-layer address ({@code lladdr}), or null when unresolved
 * @param state {@code NUD_*} ({@code PERMANENT} = 0x80)
 * @param flags {@code NTF_*}
 */
public record Neighbour(int linkIndex, InetAddress ip, MacAddress mac, int state, int flags) {
  /** {@code ip neigh replace <ip> lladdr <mac> dev <link> nud permanent}. */
  public static Neighbour permanent(int linkIndex, InetAddress ip, MacAddress mac) {
    return new Neighbour(linkIndex, ip, mac, io.jflannel.netlink.wire.Rt.NUD_PERMANENT, 0);
  }
}
