package io.jflannel.subnet.kube;

import static io.jflannel.subnet.kube.TestNodes.P;
import static io.jflannel.subnet.kube.TestNodes.peer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.subnet.LeaseListener;
import io.jflannel.core.subnet.LeaseWatch;
import io.jflannel.core.subnet.SubnetException;
import io.jflannel.subnet.RecordingListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(
    crud = true,
    https = false,
    kubernetesClientBuilderCustomizer = OnSockets.class)
@SuppressWarnings("try") // watches are opened for their side effect, closed by try
class KubeSubnetManagerWatchTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  KubernetesClient client;
  KubernetesMockServer server;
  @TempDir Path dir;
  private KubeTestSupport support;
  private KubeSubnetManager manager;

  @BeforeEach
  void setUp() throws Exception {
    support = new KubeTestSupport(dir);
    create(TestNodes.node("n1").podCidrs("10.244.1.0/24"));
    manager = support.manager(client, support.options("n1"));
    manager.acquireLease(
        new LeaseAttrs(
            Ip4.parse("192.168.0.1"),
            null,
            "vxlan",
            JSON.readTree("{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:01\"}"),
            null));
  }

  @AfterEach
  void tearDown() {
    manager.close();
  }

  private void create(TestNodes node) {
    client.nodes().resource(node.build()).create();
  }

  private void setAnnotation(String node, String key, String value) {
    client
        .nodes()
        .withName(node)
        .edit(
            n -> {
              n.getMetadata().getAnnotations().put(key, value);
              return n;
            });
  }

  private static String mac(Lease lease) {
    return lease.attrs().backendData().get("VtepMAC").asText();
  }

  /** Starts a watch and waits until it watches, so no change can fall between list and watch. */
  private LeaseWatch watch(LeaseListener listener) throws SubnetException {
    LeaseWatch watch = manager.watchLeases(listener);
    support.settle(client, manager);
    return watch;
  }

  @Test
  void initialPeersArriveFirstInOneBatchWithoutTheOwnNode() throws Exception {
    create(peer("n2", "10.244.2.0/24", "192.168.0.2", "aa:bb:cc:dd:ee:02"));
    create(peer("n3", "10.244.3.0/24", "192.168.0.3", "aa:bb:cc:dd:ee:03"));
    RecordingListener listener = new RecordingListener();
    try (LeaseWatch w = watch(listener)) {
      List<LeaseEvent> first = listener.next(WAIT);
      assertThat(first).hasSize(2).allMatch(e -> e instanceof LeaseEvent.Added);
      assertThat(first)
          .extracting(e -> e.lease().subnet())
          .containsExactlyInAnyOrder(Ip4Net.parse("10.244.2.0/24"), Ip4Net.parse("10.244.3.0/24"));
      assertThat(manager.currentLeases())
          .containsExactlyInAnyOrderElementsOf(listener.peers.values());
      assertThat(manager.watchStats())
          .satisfies(
              s -> {
                assertThat(s.synced()).isTrue();
                assertThat(s.peers()).isEqualTo(2);
                assertThat(s.skippedNodes()).isZero();
              });
    }
  }

  @Test
  void addUpdateAndDeleteOfPeersBecomeAddedAndRemoved() throws Exception {
    create(peer("n2", "10.244.2.0/24", "192.168.0.2", "aa:bb:cc:dd:ee:02"));
    create(peer("n3", "10.244.3.0/24", "192.168.0.3", "aa:bb:cc:dd:ee:03"));
    RecordingListener listener = new RecordingListener();
    try (LeaseWatch w = watch(listener)) {
      listener.next(WAIT);

      create(peer("n4", "10.244.4.0/24", "192.168.0.4", "aa:bb:cc:dd:ee:04"));
      LeaseEvent added = listener.next(WAIT).get(0);
      assertThat(added).isInstanceOf(LeaseEvent.Added.class);
      assertThat(added.lease().subnet()).isEqualTo(Ip4Net.parse("10.244.4.0/24"));

      setAnnotation("n2", P + "backend-data", "{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:22\"}");
      LeaseEvent changed = listener.next(WAIT).get(0);
      assertThat(changed).isInstanceOf(LeaseEvent.Added.class);
      assertThat(mac(changed.lease())).isEqualTo("aa:bb:cc:dd:ee:22");

      // a change no lease depends on (kubelet, labels) sends nothing: the next batch is n3's delete
      client
          .nodes()
          .withName("n2")
          .edit(
              n -> {
                n.getMetadata().getLabels().put("topology.kubernetes.io/zone", "b");
                return n;
              });
      Lease n3 = listener.peers.get("10.244.3.0/24");
      client.nodes().withName("n3").delete();
      assertThat(listener.next(WAIT)).containsExactly(new LeaseEvent.Removed(n3));
      assertThat(listener.peers).containsOnlyKeys("10.244.2.0/24", "10.244.4.0/24");
      assertThat(manager.currentLeases())
          .containsExactlyInAnyOrderElementsOf(listener.peers.values());
    }
  }

  @Test
  void fiftyRapidUpdatesOfOneNodeCoalesceIntoItsLatestState() throws Exception {
    create(peer("n2", "10.244.2.0/24", "192.168.0.2", "aa:bb:cc:dd:ee:00"));
    CountDownLatch hold = new CountDownLatch(1);
    CountDownLatch inListener = new CountDownLatch(1);
    RecordingListener recorder = new RecordingListener();
    AtomicInteger calls = new AtomicInteger();
    try (LeaseWatch w =
        watch(
            batch -> {
              recorder.onEvents(batch);
              if (calls.incrementAndGet() == 2) { // the first batch after the initial one
                inListener.countDown();
                try {
                  hold.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            })) {
      recorder.next(WAIT);
      for (int i = 1; i <= 50; i++) {
        setAnnotation(
            "n2",
            P + "backend-data",
            String.format("{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:%02d\"}", i));
      }
      assertThat(inListener.await(10, TimeUnit.SECONDS)).isTrue();
      await().atMost(WAIT).until(() -> mac(manager.currentLeases().get(0)).endsWith(":50"));
      hold.countDown();
      await().atMost(WAIT).until(() -> mac(recorder.peers.get("10.244.2.0/24")).endsWith(":50"));
      // the batch the listener was stuck in, then one with the latest state of the rest (two if
      // the last update's event was offered just after the state check above)
      assertThat(calls.get() - 1).as("listener calls for 50 updates").isBetween(2, 3);
      assertThat(recorder.events.get() - 1).as("events for 50 updates").isBetween(2, 3);
      assertThat(recorder.overlapped).isFalse();
    }
  }

  @Test
  void badPeersAreSkippedWithOneWarningEachWhileGoodOnesKeepComing() throws Exception {
    // a node flannel does not run on ("unmanaged") is skipped silently, as upstream does
    create(peer("good", "10.244.2.0/24", "192.168.0.2", "aa:bb:cc:dd:ee:02"));
    create(TestNodes.node("unmanaged").podCidrs("10.244.3.0/24"));
    create(peer("nocidr", "10.244.4.0/24", "192.168.0.4", "aa:bb:cc:dd:ee:04").podCidrs());
    create(
        peer("garbage", "10.244.5.0/24", "192.168.0.5", "x")
            .annotation(P + "backend-data", "{not json"));
    create(peer("badip", "10.244.6.0/24", "192.168.0.666", "aa:bb:cc:dd:ee:06"));
    RecordingListener listener = new RecordingListener();
    try (LeaseWatch w = watch(listener)) {
      assertThat(listener.next(WAIT))
          .extracting(e -> e.lease().subnets())
          .containsExactly("10.244.2.0/24");
      assertThat(support.warnings).hasSize(3);
      assertThat(String.join("\n", support.warnings))
          .doesNotContain("unmanaged")
          .contains("skipping node nocidr: no spec.podCIDR assigned")
          .contains("skipping node garbage: " + P + "backend-data is not JSON")
          .contains(
              "skipping node badip: " + P + "public-ip: \"192.168.0.666\" is not an IPv4 address");

      // updates of the bad nodes that do not change why they are bad: no new warning
      for (String name : List.of("unmanaged", "nocidr", "garbage", "badip")) {
        setAnnotation(name, "heartbeat", "1");
      }
      create(peer("late", "10.244.7.0/24", "192.168.0.7", "aa:bb:cc:dd:ee:07"));
      assertThat(listener.next(WAIT))
          .extracting(e -> e.lease().subnets())
          .containsExactly("10.244.7.0/24");
      assertThat(support.warnings).hasSize(3);

      setAnnotation("garbage", P + "backend-data", "{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:05\"}");
      assertThat(listener.next(WAIT))
          .extracting(e -> e.lease().subnets())
          .containsExactly("10.244.5.0/24");
      assertThat(manager.watchStats().skippedNodes()).isEqualTo(3);
      assertThat(manager.currentLeases()).hasSize(3);
    }
  }

  @Test
  void currentLeasesNeedsASyncedWatch() throws Exception {
    assertThatThrownBy(manager::currentLeases)
        .isInstanceOf(SubnetException.class)
        .hasMessageContaining("watchLeases");
    try (LeaseWatch w = watch(new RecordingListener())) {
      assertThat(manager.currentLeases()).isEmpty();
      assertThatThrownBy(() -> manager.watchLeases(batch -> {}))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already watching");
    }
    assertThat(manager.watchStats().running()).isFalse();
  }

  @Test
  void closingStopsDeliveryAndLeavesTheAnnotations() throws Exception {
    create(peer("n2", "10.244.2.0/24", "192.168.0.2", "aa:bb:cc:dd:ee:02"));
    RecordingListener listener = new RecordingListener();
    LeaseWatch w = watch(listener);
    listener.next(WAIT);
    w.close();
    w.close();
    create(peer("n3", "10.244.3.0/24", "192.168.0.3", "aa:bb:cc:dd:ee:03"));
    // a new watch sees n3; the closed one must not have delivered it
    RecordingListener second = new RecordingListener();
    try (LeaseWatch again = watch(second)) {
      assertThat(second.next(WAIT)).hasSize(2);
    }
    assertThat(listener.batches).isEmpty();
    manager.close();
    manager.close();
    assertThat(client.nodes().withName("n1").get().getMetadata().getAnnotations())
        .containsEntry(P + "kube-subnet-manager", "true")
        .containsEntry(P + "public-ip", "192.168.0.1");
  }

  @Test
  void annotationsRoundTripBetweenTwoManagersWithACustomPrefix() throws Exception {
    create(TestNodes.node("n2").podCidrs("10.244.2.0/24"));
    KubeOptions custom = support.options("n2").withAnnotationPrefix("example.com/net");
    LeaseAttrs attrs =
        new LeaseAttrs(Ip4.parse("192.168.0.2"), null, "host-gw", JSON.readTree("null"), null);
    // the default-prefix manager does not see nodes annotated under another prefix
    RecordingListener other = new RecordingListener();
    try (LeaseWatch w = watch(other);
        KubeSubnetManager writer = support.manager(client, custom);
        KubeSubnetManager reader =
            support.manager(
                client, support.options("n1").withAnnotationPrefix("example.com/net"))) {
      Lease written = writer.acquireLease(attrs);
      assertThat(client.nodes().withName("n2").get().getMetadata().getAnnotations())
          .containsEntry("example.com/net-kube-subnet-manager", "true")
          .containsEntry("example.com/net-backend-type", "host-gw")
          .containsEntry("example.com/net-backend-data", "null")
          .containsEntry("example.com/net-public-ip", "192.168.0.2")
          .doesNotContainKey(P + "backend-type");
      reader.acquireLease(attrs);
      RecordingListener listener = new RecordingListener();
      try (LeaseWatch r = reader.watchLeases(listener)) {
        List<LeaseEvent> batch = listener.next(WAIT);
        assertThat(batch).hasSize(1);
        Lease seen = batch.get(0).lease();
        assertThat(seen.subnet()).isEqualTo(written.subnet());
        assertThat(seen.attrs()).isEqualTo(written.attrs());
        support.settle(client, reader);
      }
      assertThat(manager.currentLeases()).isEmpty();
      assertThat(other.batches).isEmpty();
    }
  }
}
