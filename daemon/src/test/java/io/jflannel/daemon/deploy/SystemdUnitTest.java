package io.jflannel.daemon.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jflannel.daemon.FlannelOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/systemd/}: the unit is of {@code Type=notify} (flanneld sends {@code READY=1}),
 * reads the example environment file, keeps subnet.env across restarts and bounds root's
 * capabilities to what flanneld uses; the environment file's variables are flags flanneld accepts.
 */
class SystemdUnitTest {
  private static final Path DIR = Manifests.dir().resolve("systemd");

  /** {@code key=value} lines of one {@code [section]} (comments and blanks skipped). */
  private static Map<String, String> section(Path unit, String name) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    String current = null;
    for (String line : Files.readAllLines(unit)) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      if (l.startsWith("[")) {
        current = l;
        continue;
      }
      if (("[" + name + "]").equals(current)) {
        int eq = l.indexOf('=');
        out.put(l.substring(0, eq), l.substring(eq + 1));
      }
    }
    return out;
  }

  /** The variables of an environment file, as systemd reads {@code KEY=value} lines. */
  private static Map<String, String> env(Path file) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file)) {
      if (!line.isBlank() && !line.startsWith("#")) {
        int eq = line.indexOf('=');
        out.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return out;
  }

  @Test
  void theUnitIsTypeNotifyWithTheEnvironmentFileAndBoundedCapabilities() throws IOException {
    Map<String, String> service = section(DIR.resolve("flanneld.service"), "Service");
    assertThat(service)
        .containsEntry("Type", "notify")
        .containsEntry("NotifyAccess", "main")
        .containsEntry("EnvironmentFile", "/etc/default/flanneld")
        .containsEntry("ExecStart", "/opt/jflannel/bin/flanneld $FLANNELD_ARGS")
        .containsEntry("Restart", "on-failure")
        .containsEntry("RuntimeDirectory", "flannel")
        .containsEntry("RuntimeDirectoryPreserve", "yes");
    assertThat(List.of(service.get("CapabilityBoundingSet").split(" ")))
        .containsExactlyInAnyOrder("CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_NET_BIND_SERVICE");
    assertThat(service.get("AmbientCapabilities")).isEqualTo(service.get("CapabilityBoundingSet"));
    assertThat(section(DIR.resolve("flanneld.service"), "Install"))
        .containsEntry("WantedBy", "multi-user.target");
  }

  @Test
  void theExampleEnvironmentIsFlagsFlanneldAccepts() throws Exception {
    Map<String, String> env = env(DIR.resolve("flanneld.env"));
    assertThat(env).containsKeys("FLANNELD_IFACE", "FLANNELD_ETCD_ENDPOINTS", "FLANNELD_ARGS");
    FlannelOptions o = FlannelOptions.parse(env);
    o.validate();
    assertThat(o.iface()).containsExactly("eth0");
    assertThat(o.etcd().endpoints()).containsExactly("http://127.0.0.1:2379");
    assertThat(o.ipMasq()).isTrue();
    assertThat(o.healthzPort()).isEqualTo(8081);
  }

  /** systemd's own check of the unit, where systemd is installed; the binary is stood in for. */
  @Test
  void systemdAnalyzeVerifiesTheUnit(@TempDir Path dir) throws Exception {
    Path analyze = Path.of("/usr/bin/systemd-analyze");
    assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed");
    Path envFile = Files.copy(DIR.resolve("flanneld.env"), dir.resolve("flanneld.env"));
    String unit =
        Files.readString(DIR.resolve("flanneld.service"))
            .replace("/opt/jflannel/bin/flanneld", "/bin/true")
            .replace("/etc/default/flanneld", envFile.toString());
    Path copy = Files.writeString(dir.resolve("flanneld.service"), unit);
    Process p =
        new ProcessBuilder(analyze.toString(), "verify", copy.toString())
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(out.lines().filter(l -> l.contains("flanneld.service")))
        .as("systemd-analyze verify said:\n%s", out)
        .isEmpty();
  }
}
