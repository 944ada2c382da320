package io.jflannel.netlink;

import java.net.InetAddress;

/**
 * A bridge forwarding-database entry of a vxlan device: what {@code bridge fdb} prints and takes.
 *
 * @param linkIndex the vxlan device ({@code dev})
 * @param mac the remote VTEP's MAC address
 * @param dst the remote VTEP's underlay IP ({@code dst}), or null
 * @param state {@code NUD_*} ({@code permanent} = 0x80)
 * @param flags {@code NTF_*} ({@code self} = 0x02)
 */
public record FdbEntry(int linkIndex, MacAddress mac, InetAddress dst, int state, int flags) {
  /** {@code bridge fdb append <mac> dev <link> dst <ip> self permanent}. */
  public static FdbEntry permanent(int linkIndex, MacAddress mac, InetAddress dst) {
    return new FdbEntry(
        linkIndex,
        mac,
        dst,
        io.jflannel.netlink.wire.Rt.NUD_PERMANENT,
        io.jflannel.netlink.wire.Rt.NTF_SELF);
  }
}
