package io.jflannel.backend.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Ips;
import io.jflannel.netlink.NetNs;
import io.jflannel.netlink.testing.NamespacedTest;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The userspace path against a real wireguard-go in a throwaway namespace: started and stopped by
 * us, programmed over its UAPI socket, read back, and compared with what {@code wg show dump}
 * (wireguard-tools, test only) reports. The device name is random: the socket directory is shared
 * by every namespace.
 */
class UapiWgDeviceIT extends NamespacedTest {
  private Path binary;
  private String name;

  @BeforeEach
  void wireguardGo() {
    Optional<Path> found = WireguardGo.find(System.getenv("PATH"));
    assumeTrue(found.isPresent(), "wireguard-go is not installed (apt-get install wireguard-go)");
    binary = found.get();
    name = "wgt" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
  }

  private UapiWgDevice device() {
    return new UapiWgDevice(name, UapiWgDevice.SOCKET_DIR, binary);
  }

  @Test
  void startsProgramsReadsAndStopsWireguardGo() throws Exception {
    externalLink(); // 192.168.50.2/24: the peer's endpoint is routable (no send errors logged)
    UapiWgDevice d = device();
    try {
      assertThat(NetNs.call(ns.name(), () -> ensure(d))).isTrue();
      assertThat(d.alive()).isTrue();
      assertThat(nl.links().get(name).kind()).isEqualTo("tun");
      WgKey priv = X25519.generatePrivate();
      WgKey peerKey = X25519.publicOf(X25519.generatePrivate());
      WgPeer peer =
          new WgPeer(
              peerKey,
              new InetSocketAddress(Ips.parse("192.168.50.3"), 51820),
              List.of(IpPrefix.parse("10.244.2.0/24")),
              null,
              25);
      d.write(new WgUpdate(priv, 51820, List.of(), List.of(peer)));
      WgState s = d.read();
      assertThat(s.privateKey()).isEqualTo(priv);
      assertThat(s.listenPort()).isEqualTo(51820);
      assertThat(s.peers()).containsExactly(peer);
      String dump = ns.exec("wg", "show", name, "dump").stdout();
      assertThat(dump.lines().findFirst().orElseThrow())
          .startsWith(priv.base64() + "\t" + X25519.publicOf(priv).base64() + "\t51820");
      // key, PSK, endpoint, allowed IPs, handshake, rx, tx (a keepalive may have gone), keepalive
      assertThat(dump)
          .containsPattern(
              java.util.regex.Pattern.quote(
                      peerKey.base64() + "\t(none)\t192.168.50.3:51820\t10.244.2.0/24\t0\t0\t")
                  + "\\d+\t25\n");

      // a second flanneld adopts the running process and leaves it running on close
      UapiWgDevice adopter = device();
      assertThat(adopter.ensure()).isFalse();
      assertThat(adopter.read().peers()).containsExactly(peer);
      adopter.write(WgUpdate.peers(List.of(peerKey), List.of()));
      adopter.close();
      assertThat(d.alive()).isTrue();
      assertThat(d.read().peers()).isEmpty();
    } finally {
      d.close();
    }
    assertThat(d.alive()).isFalse();
    long deadline = System.currentTimeMillis() + 5000;
    while (Files.exists(d.socket()) && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertThat(d.socket()).doesNotExist();
  }

  private static boolean ensure(UapiWgDevice d) {
    try {
      return d.ensure();
    } catch (WgException e) {
      throw new IllegalStateException(e);
    }
  }
}
