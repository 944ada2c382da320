package io.jflannel.subnet.kube;

import static org.awaitility.Awaitility.await;

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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Shared set-up: a net-conf.json file, options for node {@code n1}, managers with a warning sink.
 */
final class KubeTestSupport {

  static final String NET_CONF =
      "{\"Network\": \"10.244.0.0/16\", \"Backend\": {\"Type\": \"vxlan\"}}";

  final List<String> warnings = new CopyOnWriteArrayList<>();
  private final Path dir;
  private final AtomicInteger sentinels = new AtomicInteger();

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
    return new KubeSubnetManager(
        client,
        false,
        options,
        w -> {
          if (!w.startsWith("skipping node " + SENTINEL)) {
            warnings.add(w);
          }
        },
        Clock.systemUTC());
  }

  private static final String SENTINEL = "sentinel-";

  /**
   * Waits until the watch of {@code manager} has seen everything the mock API server sent it so
   * far. Needed before closing a watch: the mock sends a new watch every current object as ADDED
   * from a thread of its own, and a watch closed while such a send is in flight stalls the mock's
   * event loop for 30 s ({@code WatchEventsListener.onClosed} waits for that thread, which waits
   * for the event loop), failing whatever comes next. A node created now and seen through the watch
   * (as a skipped node, then deleted again) comes after every earlier send.
   */
  void settle(KubernetesClient client, KubeSubnetManager manager) {
    await().atMost(Duration.ofSeconds(10)).until(() -> manager.watchStats().watching());
    int skipped = manager.watchStats().skippedNodes();
    String name = SENTINEL + sentinels.incrementAndGet();
    client.nodes().resource(TestNodes.node(name).build()).create();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> manager.watchStats().skippedNodes() > skipped);
    client.nodes().withName(name).delete();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> manager.watchStats().skippedNodes() == skipped);
  }
}
