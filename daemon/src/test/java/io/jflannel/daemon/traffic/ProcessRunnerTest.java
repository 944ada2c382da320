package io.jflannel.daemon.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessRunnerTest {
  @Test
  void feedsStdinAndReturnsBothOutputsAndTheExitCode() throws Exception {
    CommandRunner.Result r =
        new ProcessRunner()
            .run(List.of("/bin/sh", "-c", "tr a-z A-Z; echo oops >&2; exit 3"), "*nat\nCOMMIT\n");
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.ok()).isFalse();
    assertThat(r.stdout()).isEqualTo("*NAT\nCOMMIT\n");
    assertThat(r.stderr()).isEqualTo("oops\n");
  }

  @Test
  void aLargeOutputDoesNotDeadlock() throws Exception {
    CommandRunner.Result r =
        new ProcessRunner()
            .run(List.of("/bin/sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' x"), "");
    assertThat(r.ok()).isTrue();
    assertThat(r.stdout()).hasSize(1_000_000);
  }

  @Test
  void aCommandThatHangsIsKilledAfterTheTimeout() {
    assertThatThrownBy(
            () -> new ProcessRunner(Duration.ofMillis(200)).run(List.of("sleep", "30"), ""))
        .isInstanceOf(IOException.class)
        .hasMessage("sleep 30 did not finish within 200 ms");
  }

  @Test
  void aMissingBinaryIsAnIoException() {
    assertThatThrownBy(() -> new ProcessRunner().run(List.of("/nonexistent/iptables-restore"), ""))
        .isInstanceOf(IOException.class);
  }
}
