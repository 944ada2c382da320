package io.jflannel.backend.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Ips;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The UAPI text protocol, as wireguard.com's cross-platform interface page describes it. */
class UapiTest {
  private static final WgKey A = WgKey.of(filled(0x11));
  private static final WgKey B = WgKey.of(filled(0x22));
  private static final WgKey PSK = WgKey.of(filled(0x44));

  private static byte[] filled(int v) {
    byte[] b = new byte[32];
    java.util.Arrays.fill(b, (byte) v);
    return b;
  }

  @Test
  void setWritesKeyPortRemovalsThenWholePeers() {
    WgPeer p =
        new WgPeer(
            B,
            new InetSocketAddress(Ips.parse("fd00::3"), 51821),
            List.of(IpPrefix.parse("fd00:2::/64"), IpPrefix.parse("10.244.2.0/24")),
            PSK,
            25);
    String text = Uapi.set(new WgUpdate(A, 51820, List.of(A), List.of(p)));
    assertThat(text)
        .isEqualTo(
            "set=1\n"
                + "private_key="
                + "11".repeat(32)
                + "\n"
                + "listen_port=51820\n"
                + "public_key="
                + "11".repeat(32)
                + "\n"
                + "remove=true\n"
                + "public_key="
                + "22".repeat(32)
                + "\n"
                + "preshared_key="
                + "44".repeat(32)
                + "\n"
                + "endpoint=[fd00::3]:51821\n"
                + "persistent_keepalive_interval=25\n"
                + "replace_allowed_ips=true\n"
                + "allowed_ip=10.244.2.0/24\n"
                + "allowed_ip=fd00:2::/64\n"
                + "\n");
  }

  @Test
  void aPeerWithoutPskClearsIt() {
    WgPeer p =
        new WgPeer(
            B,
            new InetSocketAddress(Ips.parse("192.168.50.3"), 51820),
            List.of(IpPrefix.parse("10.244.2.0/24")),
            null,
            0);
    assertThat(Uapi.set(WgUpdate.peers(List.of(), List.of(p))))
        .contains("preshared_key=" + "0".repeat(64) + "\n")
        .contains("persistent_keepalive_interval=0\n")
        .contains("endpoint=192.168.50.3:51820\n");
  }

  @Test
  void getIsParsedIntoSettingsAndPeers() {
    String answer =
        "private_key="
            + "11".repeat(32)
            + "\n"
            + "listen_port=51820\n"
            + "public_key="
            + "22".repeat(32)
            + "\n"
            + "preshared_key="
            + "0".repeat(64)
            + "\n"
            + "protocol_version=1\n"
            + "endpoint=192.168.50.3:51820\n"
            + "last_handshake_time_sec=1700000000\n"
            + "last_handshake_time_nsec=5\n"
            + "tx_bytes=100\n"
            + "rx_bytes=200\n"
            + "persistent_keepalive_interval=0\n"
            + "allowed_ip=10.244.2.0/24\n"
            + "public_key="
            + "33".repeat(32)
            + "\n"
            + "preshared_key="
            + "44".repeat(32)
            + "\n"
            + "last_handshake_time_sec=0\n"
            + "persistent_keepalive_interval=25\n"
            + "allowed_ip=fd00:3::/64\n"
            + "allowed_ip=10.244.3.0/24\n"
            + "errno=0\n\n";
    WgState s = Uapi.parseGet(answer);
    assertThat(s.privateKey()).isEqualTo(A);
    assertThat(s.listenPort()).isEqualTo(51820);
    assertThat(s.handshaken()).isEqualTo(1);
    assertThat(s.peers()).hasSize(2);
    assertThat(s.peers().get(0))
        .isEqualTo(
            new WgPeer(
                B,
                new InetSocketAddress(Ips.parse("192.168.50.3"), 51820),
                List.of(IpPrefix.parse("10.244.2.0/24")),
                null,
                0));
    assertThat(s.peers().get(1).presharedKey()).isEqualTo(PSK);
    assertThat(s.peers().get(1).endpoint()).isNull();
    assertThat(s.peers().get(1).allowedIps())
        .containsExactly(IpPrefix.parse("10.244.3.0/24"), IpPrefix.parse("fd00:3::/64"));
  }

  @Test
  void errorsAndIpv6Endpoints() {
    assertThat(Uapi.errno("errno=22\n\n")).isEqualTo(22);
    assertThatThrownBy(() -> Uapi.parseGet("errno=1\n\n")).hasMessageContaining("errno 1");
    assertThat(Uapi.endpoint("[fe80::1%eth0]:51820"))
        .isEqualTo(new InetSocketAddress(Ips.parse("fe80::1"), 51820));
  }
}
