package io.jflannel.backend.common;

import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Ips;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The one adapter between core's IP types (what leases and configs hold) and the netlink module's
 * ({@link InetAddress}, {@link IpPrefix}: what the kernel takes). Backends and the daemon convert
 * here instead of through bytes by hand.
 *
 * <p>Stateless and thread-safe.
 */
public final class KernelTypes {
  private KernelTypes() {}

  /** {@code 10.244.1.0/24} as the kernel's prefix. */
  public static IpPrefix prefix(Ip4Net net) {
    return IpPrefix.of(net.ip().toBytes(), net.prefixLength());
  }

  /** {@code fd00:1::/64} as the kernel's prefix. */
  public static IpPrefix prefix(Ip6Net net) {
    return IpPrefix.of(net.ip().toBytes(), net.prefixLength());
  }

  /** {@code ip/32}. */
  public static IpPrefix host(Ip4 ip) {
    return IpPrefix.of(ip.toBytes(), 32);
  }

  /** {@code ip/128}. */
  public static IpPrefix host(Ip6 ip) {
    return IpPrefix.of(ip.toBytes(), 128);
  }

  /** An IPv4 address as the kernel's. */
  public static InetAddress address(Ip4 ip) {
    return Ips.of(ip.toBytes());
  }

  /** An IPv6 address as the kernel's. */
  public static InetAddress address(Ip6 ip) {
    return Ips.of(ip.toBytes());
  }

  /** Whether a kernel address is IPv4. */
  public static boolean isIpv4(InetAddress a) {
    return a instanceof Inet4Address;
  }

  /**
   * A kernel IPv4 address as core's.
   *
   * @throws IllegalArgumentException if it is IPv6
   */
  public static Ip4 ip4(InetAddress a) {
    return Ip4.fromBytes(a.getAddress());
  }

  /**
   * A kernel IPv6 address as core's.
   *
   * @throws IllegalArgumentException if it is IPv4
   */
  public static Ip6 ip6(InetAddress a) {
    return Ip6.fromBytes(a.getAddress());
  }

  /**
   * A kernel IPv4 prefix as core's network, host bits cleared ({@code 10.244.1.5/24} → {@code
   * 10.244.1.0/24}).
   */
  public static Ip4Net ip4Net(IpPrefix p) {
    return Ip4Net.of(ip4(p.address()), p.length());
  }

  /** A kernel IPv6 prefix as core's network, host bits cleared. */
  public static Ip6Net ip6Net(IpPrefix p) {
    return Ip6Net.of(ip6(p.address()), p.length());
  }
}
