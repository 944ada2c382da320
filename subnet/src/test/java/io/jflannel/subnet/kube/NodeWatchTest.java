package io.jflannel.subnet.kube;

import static io.jflannel.subnet.kube.TestNodes.P;
import static io.jflannel.subnet.kube.TestNodes.peer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.subnet.RecordingListener;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * List-then-watch against {@link FakeNodeApi}, which pages, keeps a watch history and answers 410
 * Gone on demand: what fabric8's CRUD mock cannot show.
 */
class NodeWatchTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Lease OWN =
      new Lease(
          Ip4Net.parse("10.244.1.0/24"),
          null,
          new LeaseAttrs(Ip4.parse("192.168.0.1"), null, "vxlan", null, null),
          null,
          0);

  private FakeNodeApi api;
  private KubernetesClient client;
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final RecordingListener listener = new RecordingListener();
  private NodeWatch watch;

  @BeforeEach
  void setUp() throws IOException {
    api = new FakeNodeApi();
    client = api.client();
    api.put(TestNodes.node("n1").podCidrs("10.244.1.0/24").build());
    for (int i = 2; i <= 5; i++) {
      api.put(peer("n" + i, "10.244." + i + ".0/24", "192.168.0." + i, mac(i)).ready().build());
    }
  }

  @AfterEach
  void tearDown() {
    if (watch != null) {
      watch.close();
    }
    client.close();
    api.close();
  }

  private static String mac(int i) {
    return String.format("aa:bb:cc:dd:ee:%02x", i);
  }

  private void start(Runnable beforeWatch) throws Exception {
    start(beforeWatch, NodeWatch.ROTATE_MS);
  }

  private void start(Runnable beforeWatch, long rotateMillis) throws Exception {
    watch =
        NodeWatch.start(
            client,
            "n1",
            OWN,
            KubeAnnotations.forPrefix(KubeAnnotations.DEFAULT_PREFIX),
            listener,
            warnings::add,
            Clock.systemUTC(),
            w -> {},
            2,
            beforeWatch,
            rotateMillis);
  }

  private static String macOf(Lease lease) {
    return lease.attrs().backendData().get("VtepMAC").asText();
  }

  @Test
  void pagedListSkipsABadNodeAndTheWatchResumesFromTheListsVersion() throws Exception {
    api.put(
        peer("bad", "10.244.9.0/24", "192.168.0.9", mac(9))
            .annotation(P + "public-ip", "not-an-address")
            .build());
    AtomicInteger hooks = new AtomicInteger();
    // written after the list's snapshot and before the watch starts: only a watch from the list's
    // resourceVersion sees these (the fake replays history after that version, as etcd would)
    start(
        () -> {
          if (hooks.incrementAndGet() == 1) {
            api.put(peer("n2", "10.244.2.0/24", "192.168.0.2", "aa:bb:cc:dd:ee:22").build());
            api.put(peer("n6", "10.244.6.0/24", "192.168.0.6", mac(6)).build());
            api.delete("n5");
          }
        });

    List<LeaseEvent> first = listener.next(WAIT);
    assertThat(first)
        .allMatch(e -> e instanceof LeaseEvent.Added)
        .extracting(e -> e.lease().subnets())
        .containsExactlyInAnyOrder(
            "10.244.2.0/24", "10.244.3.0/24", "10.244.4.0/24", "10.244.5.0/24");
    assertThat(warnings)
        .singleElement()
        .asString()
        .startsWith("skipping node bad: " + P + "public-ip: ");
    String listed = watch.listedVersion();
    // the first list is read from the watch cache, whole, as client-go lists first
    assertThat(api.lists).containsExactly("limit=2&resourceVersion=0");

    await()
        .atMost(WAIT)
        .until(
            () ->
                listener.peers.containsKey("10.244.6.0/24")
                    && !listener.peers.containsKey("10.244.5.0/24")
                    && macOf(listener.peers.get("10.244.2.0/24")).endsWith(":22"));
    assertThat(api.watches).first().asString().contains("resourceVersion=" + listed);
    assertThat(listener.peers)
        .containsOnlyKeys("10.244.2.0/24", "10.244.3.0/24", "10.244.4.0/24", "10.244.6.0/24");
    assertThat(watch.leases()).containsExactlyInAnyOrderElementsOf(listener.peers.values());
    assertThat(watch.stats().listFailures()).isZero();
    assertThat(warnings).hasSize(1);
  }

  @Test
  void aWatchThatFallsSilentIsReplacedFromTheLastVersionSeenWithoutARelist() throws Exception {
    start(() -> {}, 300); // a watch lives 300 to 600 ms
    listener.next(WAIT);
    await().atMost(WAIT).until(() -> api.watches.size() >= 2); // rotation works while healthy
    api.put(peer("n6", "10.244.6.0/24", "192.168.0.6", mac(6)).build());
    await().atMost(WAIT).until(() -> listener.peers.containsKey("10.244.6.0/24"));
    String seen = api.version();
    int watchesBefore = api.watches.size();

    // the connection dies silently: the open watch delivers nothing more and never ends
    api.deafenOpenWatches();
    api.put(peer("n7", "10.244.7.0/24", "192.168.0.7", mac(7)).build());

    await().atMost(WAIT).until(() -> listener.peers.containsKey("10.244.7.0/24"));
    assertThat(api.watches.subList(watchesBefore, api.watches.size()))
        .first()
        .asString()
        .contains("resourceVersion=" + seen);
    assertThat(api.lists).as("no re-list, only the first list").hasSize(1);
    assertThat(watch.stats().listFailures()).isZero();
  }

  @Test
  void relistsAfterGoneAndTurnsNodesItNoLongerListsIntoDeletes() throws Exception {
    api.goneOnNextWatch = true;
    AtomicInteger hooks = new AtomicInteger();
    start(
        () -> {
          if (hooks.incrementAndGet() == 1) {
            // the history of these is compacted away: the watch answers 410, only a list sees them
            api.deleteCompacted("n3");
            api.put(peer("n7", "10.244.7.0/24", "192.168.0.7", mac(7)).build());
          }
        });
    assertThat(listener.next(WAIT)).hasSize(4);

    await()
        .atMost(WAIT)
        .until(
            () ->
                hooks.get() >= 2
                    && listener.peers.containsKey("10.244.7.0/24")
                    && !listener.peers.containsKey("10.244.3.0/24"));
    assertThat(listener.peers)
        .containsOnlyKeys("10.244.2.0/24", "10.244.4.0/24", "10.244.5.0/24", "10.244.7.0/24");
    // the re-list's events are delivered before its watch request reaches the server
    await().atMost(WAIT).until(() -> api.watches.size() >= 2);
    assertThat(api.watches).hasSizeGreaterThanOrEqualTo(2);
    assertThat(api.watches.get(1)).contains("resourceVersion=" + watch.listedVersion());
    assertThat(watch.stats().listFailures()).as("410 Gone is routine, not a failure").isZero();
    // the first list came from the watch cache; the re-list is a consistent read, paged, so that
    // it cannot go back behind what the watch had delivered
    assertThat(api.lists.get(0)).isEqualTo("limit=2&resourceVersion=0");
    assertThat(api.lists.subList(1, api.lists.size()))
        .isNotEmpty()
        .noneMatch(q -> q.contains("resourceVersion"));

    // and the new watch delivers
    api.put(peer("n8", "10.244.8.0/24", "192.168.0.8", mac(8)).build());
    await().atMost(WAIT).until(() -> listener.peers.containsKey("10.244.8.0/24"));
    assertThat(listener.overlapped).isFalse();
  }

  @Test
  void anExpiredContinueTokenStartsTheListAgainAndTheFirstBatchIsStillWhole() throws Exception {
    api.watchCache = false; // so that even the first list (resourceVersion=0) is paged
    api.expireNextContinue = true;
    start(() -> {});

    assertThat(listener.next(WAIT))
        .extracting(e -> e.lease().subnets())
        .containsExactlyInAnyOrder(
            "10.244.2.0/24", "10.244.3.0/24", "10.244.4.0/24", "10.244.5.0/24");
    assertThat(watch.stats().listFailures()).isEqualTo(1);
    // the failed attempt's first page, its expired continue, then three pages from the start
    assertThat(api.lists).hasSize(5);
    assertThat(api.lists.get(2)).isEqualTo("limit=2&resourceVersion=0");
    assertThat(api.lists.get(3)).startsWith("limit=2&continue=").doesNotContain("resourceVersion");
  }
}
