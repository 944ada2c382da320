package io.jflannel.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jflannel.netlink.testing.RootOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A bad network config in etcd stops the daemon at start: exit status 1 and one line {@code
 * flanneld: <problem>} naming the problem, no stack trace at the default verbosity, and nothing
 * left behind (no subnet.env, no flannel.1, no lease).
 */
@ExtendWith(RootOnly.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadNetworkConfigIT {
  private Cluster cluster;
  private Host host;

  @BeforeAll
  void startCluster() {
    cluster = Cluster.bareEtcd("bad-config", 1);
    host = cluster.host(1);
  }

  @AfterAll
  void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static Stream<Arguments> badConfigs() {
    return Stream.of(
        Arguments.of(
            "malformed JSON",
            "{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"vxlan\"}",
            List.of("(?i).*config.*", "(?i).*(json|pars|malformed|unexpected end|syntax).*")),
        Arguments.of(
            "unknown backend type",
            "{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"bogus\"}}",
            List.of("(?i).*backend.*", ".*bogus.*")),
        Arguments.of("no Network", "{\"Backend\":{\"Type\":\"vxlan\"}}", List.of(".*Network.*")),
        Arguments.of(
            "SubnetLen too long",
            "{\"Network\":\"10.244.0.0/16\",\"SubnetLen\":31,\"Backend\":{\"Type\":\"vxlan\"}}",
            List.of("(?i).*subnetlen.*")),
        Arguments.of(
            "wireguard PSK not 32 bytes of base64",
            "{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"wireguard\","
                + "\"PSK\":\"c2VjcmV0\"}}",
            List.of(".*PSK must be a 32-byte key in base64.*", "^((?!c2VjcmV0).)*$")));
  }

  /**
   * The wireguard backend on a kernel without WireGuard and without wireguard-go (a PATH that lacks
   * it): one line that names both ways to fix it.
   */
  @Test
  void wireguardWithNeitherTheModuleNorWireguardGoIsOneLineNamingBothFixes() {
    assumeTrue(
        host.ns().exec("ip", "link", "add", "wgprobe", "type", "wireguard").exit() != 0,
        "this kernel has WireGuard: the backend would use it");
    cluster
        .etcd()
        .writeNetworkConfig("{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"wireguard\"}}");
    List<String> flags = new ArrayList<>(cluster.daemonFlags(host));
    int v = flags.indexOf("-v");
    flags.subList(v, v + 2).clear();
    Path bin = host.dir().resolve("bin-without-wireguard-go");
    for (String tool : List.of("readlink", "dirname", "sh")) { // what the launcher needs
      try {
        Files.createDirectories(bin);
        Files.deleteIfExists(bin.resolve(tool));
        Files.createSymbolicLink(bin.resolve(tool), Path.of("/bin", tool).toRealPath());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Map<String, String> env =
        Map.of(
            "PATH", bin.toString(),
            "JAVA_HOME", System.getProperty("java.home"),
            "WIREGUARD_KEY_FILE", host.dir().resolve("wgkey").toString());
    Daemon d = cluster.launch(host, flags, env);
    int exit = d.awaitExit(Duration.ofSeconds(30));
    String out = d.output();
    List<String> errorLines =
        out.lines().filter(l -> l.startsWith("flanneld: ") || l.matches("\\S+ ERROR .*")).toList();
    SoftAssertions s = new SoftAssertions();
    s.assertThat(exit).as("exit status; output:\n%s", out).isEqualTo(1);
    s.assertThat(errorLines).as("error lines; output:\n%s", out).hasSize(1);
    s.assertThat(errorLines)
        .allMatch(l -> l.contains("modprobe wireguard") && l.contains("install wireguard-go"));
    s.assertThat(host.subnetEnv()).as("subnet.env").isEmpty();
    s.assertThat(cluster.etcd().getPrefix(EtcdServer.SUBNETS)).as("leases in etcd").isEmpty();
    s.assertAll();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badConfigs")
  void exitsOneWithOneClearLine(String problem, String netConf, List<String> lineMustMatch) {
    cluster.etcd().writeNetworkConfig(netConf);
    List<String> flags = new ArrayList<>(cluster.daemonFlags(host));
    int v = flags.indexOf("-v");
    flags.subList(v, v + 2).clear(); // what an operator sees by default
    Daemon d = cluster.launch(host, flags);
    int exit = d.awaitExit(Duration.ofSeconds(30));
    String out = d.output();
    // the one line: Main's "flanneld: <problem>" or the daemon's log line at ERROR
    List<String> errorLines =
        out.lines().filter(l -> l.startsWith("flanneld: ") || l.matches("\\S+ ERROR .*")).toList();

    SoftAssertions s = new SoftAssertions();
    s.assertThat(exit).as("exit status with %s; output:\n%s", problem, out).isEqualTo(1);
    s.assertThat(errorLines).as("error lines; output:\n%s", out).hasSize(1);
    if (errorLines.size() == 1) {
      for (String regex : lineMustMatch) {
        s.assertThat(errorLines.get(0))
            .as("the error line names the problem (%s)", problem)
            .matches(regex);
      }
    }
    s.assertThat(out.lines())
        .as("stack trace lines in the output")
        .noneMatch(l -> l.matches("\\s+at [\\w.$]+\\(.*"));
    s.assertThat(host.subnetEnv()).as("subnet.env").isEmpty();
    s.assertThat(host.kernel().hasLink(KernelState.VXLAN_DEVICE)).as("flannel.1 created").isFalse();
    s.assertThat(cluster.etcd().getPrefix(EtcdServer.SUBNETS)).as("leases in etcd").isEmpty();
    s.assertAll();
    assertThat(d.isAlive()).isFalse();
  }
}
