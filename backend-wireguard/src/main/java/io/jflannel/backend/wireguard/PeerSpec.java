package io.jflannel.backend.wireguard;

import com.fasterxml.jackson.databind.JsonNode;
import io.jflannel.backend.common.KernelTypes;
import io.jflannel.backend.common.Warnings;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.lease.Lease;
import io.jflannel.netlink.IpPrefix;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What one device wants for a peer lease, as upstream derives it: the peer's public key from its
 * {@code BackendData} ({@code BackendV6Data} for the IPv6 device, and for a dual-stack lease on a
 * single device), the endpoint from its public address and <em>this</em> node's listen port (leases
 * carry no port), its pod subnet(s) as allowed IPs, and this node's PSK and keepalive.
 *
 * <p>A lease that cannot give a peer (another backend type, no key, a malformed key, no address of
 * the family) yields null, with one warning that names the lease's subnets and public IP.
 *
 * @param mode the Mode option
 * @param family {@code 4} for {@code flannel-wg} in separate mode, {@code 6} for {@code
 *     flannel-wg-v6}, {@code 0} for the single device of the other modes
 * @param port the listen port peers are sent to
 * @param psk the preshared key, or null
 * @param keepalive the keepalive in seconds, or 0
 * @param iface this node's interface (auto mode looks at its addresses)
 */
record PeerSpec(
    Mode mode, int family, int port, WgKey psk, int keepalive, ExternalInterface iface) {

  /** The peer this device wants for {@code l}, or null (warned once) when it wants none. */
  WgPeer peerOf(Lease l, Warnings warnings) {
    String type = l.attrs().backendType();
    if (!type.equals(WireguardFactory.TYPE)) {
      warnings.skipPeer(
          name(l), "backend type " + (type.isEmpty() ? "udp" : type) + " is not wireguard");
      return null;
    }
    boolean v4 = family != 6 && l.subnet() != null;
    boolean v6 = family != 4 && l.ipv6Subnet() != null;
    if (!v4 && !v6) {
      return null; // a lease without this device's family: nothing to do, as upstream
    }
    JsonNode data = v6 ? l.attrs().backendV6Data() : l.attrs().backendData();
    String field = v6 ? "BackendV6Data" : "BackendData";
    WgKey key = key(l, data, field, warnings);
    InetAddress host = endpointHost(l);
    if (key == null) {
      return null;
    }
    if (host == null) {
      warnings.skipPeer(
          name(l),
          family == 4 || (family == 0 && mode == Mode.IPV4)
              ? "no PublicIP to send to"
              : family == 6 || mode == Mode.IPV6
                  ? "no PublicIPv6 to send to"
                  : "no public address to send to");
      return null;
    }
    List<IpPrefix> allowed = new ArrayList<>(2);
    if (v4) {
      allowed.add(KernelTypes.prefix(l.subnet()));
    }
    if (v6) {
      allowed.add(KernelTypes.prefix(l.ipv6Subnet()));
    }
    return new WgPeer(key, new InetSocketAddress(host, port), allowed, psk, keepalive);
  }

  /** The lease for log lines: its subnets and public address(es), which name the node. */
  static String name(Lease l) {
    StringBuilder b = new StringBuilder(l.subnets()).append(" (node ");
    if (l.attrs().publicIp() != null) {
      b.append(l.attrs().publicIp());
    }
    if (l.attrs().publicIpv6() != null) {
      b.append(l.attrs().publicIp() != null ? ", " : "").append(l.attrs().publicIpv6());
    }
    return b.append(')').toString();
  }

  private static WgKey key(Lease l, JsonNode data, String field, Warnings warnings) {
    JsonNode k = data == null ? null : data.get("PublicKey");
    if (k == null || !k.isTextual()) {
      warnings.skipPeer(name(l), field + " has no PublicKey");
      return null;
    }
    try {
      return WgKey.parseBase64(k.asText());
    } catch (IllegalArgumentException e) {
      warnings.skipPeer(
          name(l), field + ".PublicKey " + k + " is not a WireGuard key: " + e.getMessage());
      return null;
    }
  }

  /** The peer's address the endpoint uses, by mode (upstream's choice), or null if it has none. */
  private InetAddress endpointHost(Lease l) {
    Ip4 ip4 = l.attrs().publicIp();
    Ip6 ip6 = l.attrs().publicIpv6();
    InetAddress a4 = ip4 == null || ip4.value() == 0 ? null : KernelTypes.address(ip4);
    InetAddress a6 = ip6 == null ? null : KernelTypes.address(ip6);
    if (family == 4 || mode == Mode.IPV4) {
      return a4;
    }
    if (family == 6 || mode == Mode.IPV6) {
      return a6;
    }
    if (a4 == null || a6 == null) {
      return a4 != null ? a4 : a6;
    }
    if (!a4.isSiteLocalAddress() && iface.publicIp() != null) {
      return a4;
    }
    if (!privateV6(a6)
        && iface.publicIpv6() != null
        && !privateV6(KernelTypes.address(iface.publicIpv6()))) {
      return a6;
    }
    return a4;
  }

  /** Go's {@code IsPrivate} for IPv6: {@code fc00::/7}. */
  private static boolean privateV6(InetAddress a) {
    return (a.getAddress()[0] & 0xfe) == 0xfc;
  }
}
