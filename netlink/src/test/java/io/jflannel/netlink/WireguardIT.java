package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jflannel.netlink.testing.NamespacedTest;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The kernel path of WireGuard against the real kernel, in a throwaway namespace: {@code ip link
 * add type wireguard} over rtnetlink, then {@code WG_CMD_SET_DEVICE}/{@code WG_CMD_GET_DEVICE}
 * through the generic-netlink family. Skipped, with the reason, on a kernel without WireGuard.
 */
class WireguardIT extends NamespacedTest {

  /** Creates {@code wg0}, or skips the test when the kernel has no WireGuard. */
  private Link wireguardLink() throws Exception {
    try {
      return nl.links().createWireguard("wg0", 1420);
    } catch (NetlinkException e) {
      assumeTrue(
          e.errno() != Errno.EOPNOTSUPP,
          "this kernel has no WireGuard (ip link add type wireguard: EOPNOTSUPP; modprobe"
              + " wireguard): the kernel path is covered by WireguardCodecTest's golden bytes only");
      throw e;
    }
  }

  @Test
  void withoutTheModuleTheFamilyIsMissingAndTheLinkKindUnsupported() throws Exception {
    boolean hasLink;
    try {
      nl.links().createWireguard("wg1", 0);
      hasLink = true;
    } catch (NetlinkException e) {
      assertThat(e.errno()).isEqualTo(Errno.EOPNOTSUPP);
      hasLink = false;
    }
    try (Wireguard wg = NetNs.call(ns.name(), Wireguard::open)) {
      assertThat(hasLink).as("the family exists, so must the link kind").isTrue();
      assertThat(wg.family()).isPositive();
    } catch (NetlinkException e) {
      assertThat(hasLink).as("no family: the link kind must be missing too").isFalse();
      assertThat(e.errno()).isEqualTo(Errno.ENOENT);
    }
  }

  @Test
  void setThenGetRoundTripsKeyPortAndPeers() throws Exception {
    Link link = wireguardLink();
    assertThat(link.kind()).isEqualTo("wireguard");
    byte[] priv = new byte[32];
    priv[5] = 9;
    priv[31] = 64;
    byte[] peerKey = new byte[32];
    Arrays.fill(peerKey, (byte) 0x33);
    try (Wireguard wg = NetNs.call(ns.name(), Wireguard::open)) {
      wg.set(
          "wg0",
          priv,
          51820,
          List.of(
              new WireguardPeerConfig(
                  peerKey,
                  false,
                  null,
                  new InetSocketAddress(Ips.parse("192.168.50.3"), 51820),
                  25,
                  List.of(IpPrefix.parse("10.244.2.0/24")))));
      WireguardDeviceInfo d = wg.get("wg0");
      assertThat(d.listenPort()).isEqualTo(51820);
      assertThat(d.privateKey()).isEqualTo(priv);
      assertThat(d.peers()).hasSize(1);
      assertThat(d.peers().get(0).allowedIps()).containsExactly(IpPrefix.parse("10.244.2.0/24"));
      assertThat(ns.exec("wg", "show", "wg0", "dump").stdout()).contains("192.168.50.3:51820");
      wg.set("wg0", null, 0, List.of(WireguardPeerConfig.removal(peerKey)));
      assertThat(wg.get("wg0").peers()).isEmpty();
    }
  }
}
