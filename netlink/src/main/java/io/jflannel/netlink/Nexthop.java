package io.jflannel.netlink;

import java.net.InetAddress;

/**
 * A nexthop object (kernel 5.3+): what {@code ip nexthop} prints and takes. Routes point at one
 * with {@link Route#nexthop}.
 *
 * @param id the nexthop id ({@code id}), 1..2^32-1
 * @param gateway next hop ({@code via}), or null
 * @param linkIndex output interface ({@code dev}), or 0
 * @param flags {@code nhm_flags} ({@code onlink} = 4)
 * @param blackhole a blackhole nexthop
 * @param family {@code AF_INET} or {@code AF_INET6} (of the gateway when there is one)
 */
public record Nexthop(
    int id, InetAddress gateway, int linkIndex, int flags, boolean blackhole, int family) {

  /** {@code ip nexthop replace id <id> via <gateway> dev <link> [onlink]}. */
  public static Nexthop via(int id, InetAddress gateway, int linkIndex, boolean onlink) {
    return new Nexthop(
        id,
        gateway,
        linkIndex,
        onlink ? io.jflannel.netlink.wire.Rt.RTNH_F_ONLINK : 0,
        false,
        Ips.family(gateway));
  }

  public boolean isOnlink() {
    return (flags & io.jflannel.netlink.wire.Rt.RTNH_F_ONLINK) != 0;
  }
}
