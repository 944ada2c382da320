package io.jflannel.subnet.kube;

import static io.jflannel.subnet.kube.TestNodes.P;
import static io.jflannel.subnet.kube.TestNodes.peer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.subnet.LeaseWatch;
import io.jflannel.core.subnet.SubnetException;
import io.jflannel.subnet.RecordingListener;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API server going away and coming back, simulated with two fabric8 mock servers that share one
 * CRUD dispatcher (the "etcd") and listen on the same port one after the other: a mock server
 * cannot be restarted, its Vert.x instance is closed on shutdown.
 *
 * <p>What the mock cannot show: a resumed watch on a real API server replays what happened while it
 * was away (or answers 410 Gone, and the watch re-lists, turning vanished nodes into deletes). The
 * mock keeps no history; on every new watch it sends all current objects as ADDED. So changes made
 * while no server runs cannot be tested here, and a node deleted during the gap would be missed by
 * the mock but not by a real API server ({@link NodeWatchTest} covers 410 and re-list against a
 * fake that keeps history). What is tested: the watch reconnects with backoff by itself and
 * everything changed after that is delivered.
 */
@SuppressWarnings("try") // watches are opened for their side effect, closed by try
class KubeSubnetManagerRestartTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final KubernetesMixedDispatcher etcd = new KubernetesMixedDispatcher(new HashMap<>());
  private KubernetesMockServer server;
  private KubernetesClient client;
  private KubeTestSupport support;
  private int port;

  @BeforeEach
  void setUp() {
    support = new KubeTestSupport(dir);
    server = startServer(0);
    port = server.getPort();
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl("http://localhost:" + port)
            .withWatchReconnectInterval(100)
            .withRequestRetryBackoffInterval(50)
            .withRequestRetryBackoffLimit(1)
            .build();
    client = new KubernetesClientBuilder().withConfig(config).build();
    client.nodes().resource(TestNodes.node("n1").podCidrs("10.244.1.0/24").build()).create();
    client
        .nodes()
        .resource(peer("n2", "10.244.2.0/24", "192.168.0.2", "aa:bb:cc:dd:ee:02").build())
        .create();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.destroy();
  }

  private KubernetesMockServer startServer(int onPort) {
    KubernetesMockServer s =
        new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), etcd, false);
    s.init(InetAddress.getLoopbackAddress(), onPort);
    return s;
  }

  private KubeSubnetManager acquired() throws Exception {
    KubeSubnetManager m = support.manager(client, support.options("n1"));
    m.acquireLease(
        new LeaseAttrs(
            Ip4.parse("192.168.0.1"),
            null,
            "vxlan",
            JSON.readTree("{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:01\"}"),
            null));
    return m;
  }

  @Test
  void keepsDeliveringAfterTheApiServerRestartsMidWatch() throws Exception {
    try (KubeSubnetManager m = acquired()) {
      RecordingListener listener = new RecordingListener();
      try (LeaseWatch w = m.watchLeases(listener)) {
        assertThat(listener.next(WAIT)).hasSize(1);
        await().atMost(WAIT).until(() -> m.watchStats().watching());
        assertThat(m.unreachable()).isEmpty();

        server.destroy();
        await().atMost(WAIT).until(() -> !m.watchStats().watching());
        assertThat(m.unreachable())
            .get()
            .asString()
            .startsWith("the Node watch is not connected to the API server");
        server = startServer(port);

        client
            .nodes()
            .resource(peer("n3", "10.244.3.0/24", "192.168.0.3", "aa:bb:cc:dd:ee:03").build())
            .create();
        client
            .nodes()
            .withName("n2")
            .edit(
                n -> {
                  n.getMetadata().getAnnotations().put(P + "public-ip", "192.168.0.22");
                  return n;
                });
        await()
            .atMost(WAIT)
            .until(
                () ->
                    listener.peers.size() == 2
                        && listener
                            .peers
                            .get("10.244.2.0/24")
                            .attrs()
                            .publicIp()
                            .equals(Ip4.parse("192.168.0.22")));
        await().atMost(WAIT).until(() -> m.watchStats().watching());
        assertThat(m.unreachable()).isEmpty();

        client.nodes().withName("n3").delete();
        await().atMost(WAIT).until(() -> !listener.peers.containsKey("10.244.3.0/24"));
        assertThat(listener.overlapped).isFalse();
        assertThat(m.currentLeases()).containsExactlyInAnyOrderElementsOf(listener.peers.values());
      }
    }
  }

  @Test
  void startsWatchingWhenTheApiServerComesUpAfterTheWatchStarted() throws Exception {
    try (KubeSubnetManager m = acquired()) {
      server.destroy();
      RecordingListener listener = new RecordingListener();
      try (LeaseWatch w = m.watchLeases(listener)) {
        await().atMost(WAIT).until(() -> m.watchStats().listFailures() >= 2);
        assertThat(m.unreachable())
            .get()
            .asString()
            .startsWith(
                "the Node watch is not connected to the API server: listing nodes failed: ");
        assertThatThrownBy(m::currentLeases)
            .isInstanceOf(SubnetException.class)
            .hasMessageContaining("not been received yet");
        server = startServer(port);
        assertThat(listener.next(WAIT))
            .singleElement()
            .isInstanceOf(LeaseEvent.Added.class)
            .extracting(e -> e.lease().subnets())
            .isEqualTo("10.244.2.0/24");
        assertThat(m.watchStats().synced()).isTrue();
        support.settle(client, m);
      }
    }
  }
}
