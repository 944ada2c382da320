package io.jflannel.backend.wireguard;

import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Ips;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * One WireGuard peer as flannel configures it: what {@code wg set <dev> peer <key> endpoint
 * <ip:port> allowed-ips <subnets> [preshared-key <file>] [persistent-keepalive <n>]} sets, and what
 * {@code wg show <dev> dump} shows of it, so a peer read back from the device equals the one
 * written.
 *
 * @param publicKey the peer's public key
 * @param endpoint where its datagrams go: its public IP and the listen port
 * @param allowedIps its pod subnet(s), kept sorted (the device reports them in its own order)
 * @param presharedKey the preshared key, or null for none
 * @param keepalive persistent keepalive in seconds, 0 for none
 */
public record WgPeer(
    WgKey publicKey,
    InetSocketAddress endpoint,
    List<IpPrefix> allowedIps,
    WgKey presharedKey,
    int keepalive) {

  private static final Comparator<IpPrefix> ORDER =
      Comparator.comparingInt(IpPrefix::family).thenComparing(IpPrefix::toString);

  /** Sorts the allowed IPs and maps an all-zero preshared key to null. */
  public WgPeer {
    Objects.requireNonNull(publicKey, "publicKey");
    if (allowedIps.size() > 1) {
      List<IpPrefix> sorted = new ArrayList<>(allowedIps);
      sorted.sort(ORDER);
      allowedIps = List.copyOf(sorted);
    } else {
      allowedIps = List.copyOf(allowedIps);
    }
    if (presharedKey != null && presharedKey.isZero()) {
      presharedKey = null;
    }
    if (keepalive < 0 || keepalive > 65535) {
      throw new IllegalArgumentException("keepalive must be 0..65535, got " + keepalive);
    }
  }

  /**
   * The endpoint as WireGuard writes it: {@code 192.0.2.1:51820} or {@code [2001:db8::1]:51821}.
   */
  public String endpointText() {
    return endpointText(endpoint);
  }

  static String endpointText(InetSocketAddress a) {
    if (a == null) {
      return "(none)";
    }
    String host = Ips.format(a.getAddress());
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  @Override
  public String toString() {
    return "peer "
        + publicKey
        + " endpoint "
        + endpointText()
        + " allowed-ips "
        + allowedIps
        + (presharedKey != null ? " preshared-key (set)" : "")
        + (keepalive > 0 ? " persistent-keepalive " + keepalive : "");
  }
}
