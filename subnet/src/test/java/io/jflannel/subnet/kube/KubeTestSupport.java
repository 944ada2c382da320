package io.jflannel.subnet.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.jflannel.core.subnet.SubnetException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Shared set-up: a net-conf.json file, options for node {@code n1}, managers with a warning sink.
 */
final class KubeTestSupport {

  static final String NET_CONF =
      "{\"Network\": \"10.244.0.0/16\", \"Backend\": {\"Type\": \"vxlan\"}}";

  final List<String> warnings = new CopyOnWriteArrayList<>();
  private final Path dir;

  KubeTestSupport(Path dir) {
    this.dir = dir;
  }

  /** Options for node {@code nodeName} with {@link #NET_CONF} and a short pod CIDR wait. */
  KubeOptions options(String nodeName) throws IOException {
    return options(nodeName, NET_CONF);
  }

  KubeOptions options(String nodeName, String netConf) throws IOException {
    Path file = Files.createTempFile(dir, "net-conf", ".json");
    Files.writeString(file, netConf);
    return KubeOptions.defaults()
        .withNetConfigPath(file)
        .withEnv(Map.of("NODE_NAME", nodeName)::get)
        .withPodCidrWait(Duration.ofMillis(400), Duration.ofMillis(20));
  }

  /** A manager on a borrowed client whose skipped-node warnings go to {@link #warnings}. */
  KubeSubnetManager manager(KubernetesClient client, KubeOptions options) throws SubnetException {
    return new KubeSubnetManager(client, false, options, warnings::add, Clock.systemUTC());
  }
}
