package io.jflannel.backend.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A wireguard-go that accepts but never answers does not hang the caller. */
class UapiTimeoutTest {
  @TempDir Path dir;

  @Test
  void aSilentSocketFailsWithinTheTimeout() throws Exception {
    Path sock = dir.resolve("flannel-wg.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(sock));
      UapiWgDevice d = new UapiWgDevice("flannel-wg", dir, Path.of("/nonexistent"), 300);
      assertThat(d.ensure()).as("adopts the process serving the socket").isFalse();
      long t0 = System.nanoTime();
      assertThatThrownBy(d::read)
          .isInstanceOf(WgException.class)
          .hasMessageContaining("no answer within 300 ms")
          .hasMessageContaining(sock.toString());
      assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(250L, 5_000L);
      d.close();
    }
  }
}
