package io.jflannel.daemon.diagnose;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.core.subnet.SubnetException;
import io.jflannel.daemon.run.ManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** flanneld diagnose's command line: flags, exit codes, the output forms. */
class DiagnoseCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(ManagerFactory store, String... args) {
    return DiagnoseCommand.run(
        args,
        Map.of(),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        o -> store,
        Path.of("/proc/sys"),
        Clock.systemUTC());
  }

  private static final ManagerFactory UNREACHABLE =
      () -> {
        throw new SubnetException(
            "etcd at http://192.168.100.1:2379 does not answer (connection refused); is etcd"
                + " running and reachable (--etcd-endpoints)?");
      };

  @Test
  void anUnreachableStoreIsExitTwoWithTheReason() {
    assertThat(run(UNREACHABLE, "--iface=eth0")).isEqualTo(2);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains(
            "could not check: cannot connect to the lease store: etcd at http://192.168.100.1:2379"
                + " does not answer (connection refused)")
        .contains("(exit 2)");
  }

  @Test
  void jsonIsOneLineForTools() {
    assertThat(run(UNREACHABLE, "--json", "-iface", "eth0")).isEqualTo(2);
    String json = out.toString(StandardCharsets.UTF_8);
    assertThat(json.lines()).hasSize(1);
    assertThat(json).startsWith("{\"exit\":2,").contains("\"cannotCheck\":\"cannot connect");
  }

  @Test
  void verbosityIsReadBeforeParsingToSetTheLogLevel() {
    assertThat(DiagnoseCommand.verbosity(new String[] {"--iface", "eth0"})).isZero();
    assertThat(DiagnoseCommand.verbosity(new String[] {"-v=2"})).isEqualTo(2);
    assertThat(DiagnoseCommand.verbosity(new String[] {"--v", "6", "--json"})).isEqualTo(6);
  }

  @Test
  void badFlagsAreExitTwoWithUsageAndHelpIsZero() {
    assertThat(run(UNREACHABLE, "--no-such-flag")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("flanneld diagnose: ")
        .contains("Usage: flanneld diagnose [--json]");
    assertThat(run(UNREACHABLE, "--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("Exit status: 0 healthy, 1 problems found, 2 could not check.");
  }
}
