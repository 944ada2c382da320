package io.jflannel.backend.wireguard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jflannel.backend.common.Warnings;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.netlink.IpPrefix;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Which peer each mode and device makes of a dual-stack lease, as upstream's network does. */
class PeerSpecTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String K4 = "xBgA/ZZP47xke9iG/4VFWtlCf1zcCa+nDEcPvKvNtC8=";
  private static final String K6 = "+BTzT4K+3f5YVgNAkvM7k5v4hjZ4F7Ft9bdO6OfU3FU=";
  private final Warnings warnings = new Warnings(LoggerFactory.getLogger(PeerSpecTest.class));

  private static Lease dual(String ip4, String ip6) throws Exception {
    return new Lease(
        Ip4Net.parse("10.244.2.0/24"),
        Ip6Net.parse("fd00:2::/64"),
        new LeaseAttrs(
            Ip4.parse(ip4),
            Ip6.parse(ip6),
            "wireguard",
            JSON.readTree("{\"PublicKey\":\"" + K4 + "\"}"),
            JSON.readTree("{\"PublicKey\":\"" + K6 + "\"}")),
        null,
        0);
  }

  private static ExternalInterface iface(String ip6) {
    Ip4 ip = Ip4.parse("192.168.50.2");
    return new ExternalInterface("eth0", 2, 1500, ip, Ip6.parse(ip6), ip, Ip6.parse(ip6));
  }

  private WgPeer peer(Mode mode, int family, Lease l) {
    return new PeerSpec(mode, family, family == 6 ? 51821 : 51820, null, 0, iface("fd00:50::2"))
        .peerOf(l, warnings);
  }

  @Test
  void separateModeGivesEachDeviceItsFamily() throws Exception {
    Lease l = dual("192.168.50.3", "fd00:50::3");
    WgPeer v4 = peer(Mode.SEPARATE, 4, l);
    assertThat(v4.publicKey().base64()).isEqualTo(K4);
    assertThat(v4.endpointText()).isEqualTo("192.168.50.3:51820");
    assertThat(v4.allowedIps()).containsExactly(IpPrefix.parse("10.244.2.0/24"));
    WgPeer v6 = peer(Mode.SEPARATE, 6, l);
    assertThat(v6.publicKey().base64()).isEqualTo(K6);
    assertThat(v6.endpointText()).isEqualTo("[fd00:50::3]:51821");
    assertThat(v6.allowedIps()).containsExactly(IpPrefix.parse("fd00:2::/64"));
  }

  @Test
  void singleDeviceModesCarryBothSubnetsToTheChosenAddress() throws Exception {
    Lease l = dual("192.168.50.3", "fd00:50::3");
    WgPeer ipv6 = peer(Mode.IPV6, 0, l);
    assertThat(ipv6.endpointText()).isEqualTo("[fd00:50::3]:51820");
    assertThat(ipv6.publicKey().base64()).isEqualTo(K6);
    assertThat(ipv6.allowedIps())
        .containsExactly(IpPrefix.parse("10.244.2.0/24"), IpPrefix.parse("fd00:2::/64"));
    assertThat(peer(Mode.IPV4, 0, l).endpointText()).isEqualTo("192.168.50.3:51820");
    // auto: both private -> IPv4
    assertThat(peer(Mode.AUTO, 0, l).endpointText()).isEqualTo("192.168.50.3:51820");
    // auto: public IPv4 -> IPv4; private IPv4 and public IPv6 on both sides -> IPv6
    assertThat(peer(Mode.AUTO, 0, dual("203.0.113.3", "2001:db8::3")).endpointText())
        .isEqualTo("203.0.113.3:51820");
    WgPeer v6 =
        new PeerSpec(Mode.AUTO, 0, 51820, null, 0, iface("2001:db8::2"))
            .peerOf(dual("192.168.50.3", "2001:db8::3"), warnings);
    assertThat(v6.endpointText()).isEqualTo("[2001:db8::3]:51820");
  }

  @Test
  void aLeaseWithoutTheDevicesFamilyGivesNoPeer() throws Exception {
    Lease v4only =
        new Lease(
            Ip4Net.parse("10.244.2.0/24"),
            null,
            new LeaseAttrs(
                Ip4.parse("192.168.50.3"),
                null,
                "wireguard",
                JSON.readTree("{\"PublicKey\":\"" + K4 + "\"}"),
                null),
            null,
            0);
    assertThat(peer(Mode.SEPARATE, 6, v4only)).isNull();
    assertThat(peer(Mode.SEPARATE, 4, v4only)).isNotNull();
  }

  @Test
  void leaseNamesItsNode() throws Exception {
    assertThat(PeerSpec.name(dual("192.168.50.3", "fd00:50::3")))
        .isEqualTo("10.244.2.0/24+fd00:2::/64 (node 192.168.50.3, fd00:50::3)");
  }
}
