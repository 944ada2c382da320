package io.jflannel.daemon.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sd_notify against a socket of our own, as systemd would listen: a Unix datagram socket bound to a
 * path, or to a name in the abstract namespace. No root needed.
 */
class SystemdNotifyTest {

  @Test
  void sendsReadyStatusAndStoppingToAPathSocket(@TempDir Path dir) throws Exception {
    Path socket = dir.resolve("notify");
    try (NotifyReceiver systemd = new NotifyReceiver(socket.toString())) {
      SystemdNotify n =
          SystemdNotify.fromEnv(Map.of("NOTIFY_SOCKET", socket.toString())).orElseThrow();
      n.ready("lease 10.244.1.0/24,\nsubnet.env written");
      assertThat(systemd.receive())
          .isEqualTo("READY=1\nSTATUS=lease 10.244.1.0/24, subnet.env written");
      n.status("not ready: lease store unreachable for 31 s");
      assertThat(systemd.receive()).isEqualTo("STATUS=not ready: lease store unreachable for 31 s");
      n.stopping();
      assertThat(systemd.receive()).isEqualTo("STOPPING=1\nSTATUS=stopping");
    }
    assertThat(Files.exists(socket)).isTrue();
  }

  @Test
  void anAtSignNamesASocketInTheAbstractNamespace() throws Exception {
    String name = "@jflannel-test-" + UUID.randomUUID();
    try (NotifyReceiver systemd = new NotifyReceiver(name)) {
      SystemdNotify.fromEnv(Map.of("NOTIFY_SOCKET", name)).orElseThrow().ready("up");
      assertThat(systemd.receive()).isEqualTo("READY=1\nSTATUS=up");
    }
  }

  @Test
  void withoutNotifySocketThereIsNoNotifier() {
    assertThat(SystemdNotify.fromEnv(Map.of())).isEmpty();
    assertThat(SystemdNotify.fromEnv(Map.of("NOTIFY_SOCKET", ""))).isEmpty();
    assertThat(SystemdNotify.fromEnv(Map.of("NOTIFY_SOCKET", "vsock:2:1234"))).isEmpty();
  }

  @Test
  void aSocketNobodyListensOnIsReportedNotThrown(@TempDir Path dir) {
    SystemdNotify n = new SystemdNotify(dir.resolve("nobody").toString());
    assertThat(n.send("READY=1")).isFalse();
    assertThat(n.send("STATUS=x")).isFalse(); // warned once, still no exception
  }

  @Test
  void addressesAreSizedToTheirContent() {
    ByteBuffer path = SystemdNotify.address("/run/systemd/notify");
    assertThat(path.remaining()).isEqualTo(2 + 19 + 1);
    assertThat(path.get(2 + 19)).isZero();
    ByteBuffer abstractName = SystemdNotify.address("@abc");
    assertThat(abstractName.remaining()).isEqualTo(2 + 4);
    assertThat(abstractName.get(2)).isZero();
    assertThat(abstractName.get(3)).isEqualTo((byte) 'a');
    assertThatThrownBy(() -> SystemdNotify.address("/" + "x".repeat(107)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("longer than 107");
  }
}
