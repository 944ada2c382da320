package io.jflannel.subnet.etcd;

import static io.jflannel.subnet.etcd.EtcdTestSupport.CONFIG;
import static io.jflannel.subnet.etcd.EtcdTestSupport.attrs;
import static io.jflannel.subnet.etcd.EtcdTestSupport.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.subnet.LeaseWatch;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The peer-lease watch when etcd goes away: a cut connection, a compaction past the watch's
 * revision, an etcd restart. Every test checks that exactly the changes made meanwhile arrive, none
 * lost, none repeated. This class has its own etcd because it compacts and restarts it.
 */
class EtcdWatchRecoveryIT {

  @RegisterExtension static final EtcdServer ETCD = new EtcdServer();

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Ip4Net OWN = Ip4Net.parse("10.5.200.0/24");

  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();
  private String prefix;
  private Client client;

  @BeforeEach
  void writeConfig() throws Exception {
    prefix = EtcdTestSupport.freshPrefix();
    client = ETCD.client();
    put(client, prefix + "/config", CONFIG);
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private String key(int third) {
    return prefix + "/subnets/10.5." + third + ".0-24";
  }

  private static Ip4Net subnet(int third) {
    return Ip4Net.parse("10.5." + third + ".0/24");
  }

  private EtcdSubnetManager manager;

  /**
   * Starts a manager on {@code endpoint}, acquires a lease and watches; waits for {@code n} peers.
   */
  private EtcdTestSupport.Recorder watchingManager(String endpoint, int peers) throws Exception {
    EtcdSubnetManager m =
        EtcdSubnetManager.connect(
            ETCD.options(prefix)
                .withEndpoints(List.of(endpoint))
                // pinned: a random free subnet could be one the test writes as a peer later
                .withPreviousSubnets(Optional.of(OWN), Optional.empty()),
            EtcdTestSupport.timings());
    closeables.add(m);
    manager = m;
    m.networkConfig();
    Lease own = m.acquireLease(attrs("192.168.9.9"));
    assertThat(own.subnet()).isEqualTo(OWN); // peers use 10.5.1..9
    EtcdTestSupport.Recorder recorder = new EtcdTestSupport.Recorder();
    LeaseWatch watch = m.watchLeases(recorder);
    closeables.add(0, watch);
    recorder.take(peers, WAIT);
    return recorder;
  }

  @Test
  void resumesAfterACutConnectionWithoutLosingOrRepeatingEvents() throws Exception {
    put(client, key(1), attrs("192.168.0.1").toJson());
    put(client, key(2), attrs("192.168.0.2").toJson());
    try (TcpProxy proxy = new TcpProxy(ETCD.clientPort())) {
      EtcdTestSupport.Recorder recorder = watchingManager(proxy.endpoint(), 2);

      proxy.cut();
      EtcdTestSupport.delete(client, key(1));
      put(client, key(3), attrs("192.168.0.3").toJson());
      put(client, key(2), attrs("192.168.0.22").toJson());
      proxy.restore();

      assertThat(recorder.take(3, WAIT))
          .extracting(EtcdTestSupport::describe)
          .containsExactlyInAnyOrder("-10.5.1.0/24", "+10.5.3.0/24", "+10.5.2.0/24");
      recorder.assertNoMoreEvents(Duration.ofSeconds(1));
      assertThat(recorder.peers().keySet()).containsExactly(subnet(2), subnet(3));
      assertThat(recorder.peers().get(subnet(2)).attrs()).isEqualTo(attrs("192.168.0.22"));
    }
  }

  /**
   * etcd's host gone without a word (no reset, no refusal): the watch stream falls silent; pings go
   * unanswered. Once etcd answers a ping again, the silent stream is replaced and resumes where it
   * was (without that: TCP keepalive's 45 s, or the re-list every 10 minutes).
   */
  @Test
  void aWatchSilencedWithEtcdsHostIsReplacedOnceEtcdAnswersAgain() throws Exception {
    put(client, key(1), attrs("192.168.0.1").toJson());
    try (TcpProxy proxy = new TcpProxy(ETCD.clientPort())) {
      EtcdTestSupport.Recorder recorder = watchingManager(proxy.endpoint(), 1);
      put(client, key(3), attrs("192.168.0.3").toJson());
      assertThat(recorder.take(1, WAIT)) // the stream is open and delivers
          .extracting(EtcdTestSupport::describe)
          .containsExactly("+10.5.3.0/24");

      proxy.silence();
      put(client, key(2), attrs("192.168.0.2").toJson());
      await("a ping missed")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> manager.unreachable().isPresent());
      recorder.assertNoMoreEvents(Duration.ofMillis(200)); // the stream is silent
      proxy.restore(); // new connections work; the silenced ones stay silent

      assertThat(recorder.take(1, Duration.ofSeconds(20)))
          .extracting(EtcdTestSupport::describe)
          .containsExactly("+10.5.2.0/24");
      recorder.assertNoMoreEvents(Duration.ofSeconds(1));
      assertThat(recorder.peers().keySet()).containsExactly(subnet(1), subnet(2), subnet(3));
    }
  }

  /** What the daemon's readiness check polls: why etcd cannot be reached, only while it cannot. */
  @Test
  void reportsEtcdUnreachableWhileTheWatchIsCutAndNotOnceItWatchesAgain() throws Exception {
    put(client, key(1), attrs("192.168.0.1").toJson());
    try (TcpProxy proxy = new TcpProxy(ETCD.clientPort())) {
      EtcdTestSupport.Recorder recorder = watchingManager(proxy.endpoint(), 1);
      assertThat(manager.unreachable()).isEmpty();

      proxy.cut();
      await("etcd reported unreachable")
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> manager.unreachable().isPresent());
      assertThat(manager.unreachable().get())
          .startsWith("lease watch of " + prefix + "/subnets/: ");
      Thread.sleep(500); // reconnect attempts keep failing: still unreachable
      assertThat(manager.unreachable()).isPresent();

      proxy.restore();
      await("etcd reachable again")
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> manager.unreachable().isEmpty());
      put(client, key(2), attrs("192.168.0.2").toJson());
      assertThat(recorder.take(1, WAIT))
          .extracting(EtcdTestSupport::describe)
          .containsExactly("+10.5.2.0/24");
    }
  }

  @Test
  void reListsAfterACompactionAndEmitsTheDifference() throws Exception {
    put(client, key(1), attrs("192.168.0.1").toJson());
    put(client, key(2), attrs("192.168.0.2").toJson());
    put(client, key(4), attrs("192.168.0.4").toJson());
    try (TcpProxy proxy = new TcpProxy(ETCD.clientPort())) {
      EtcdTestSupport.Recorder recorder = watchingManager(proxy.endpoint(), 3);

      proxy.cut();
      EtcdTestSupport.delete(client, key(1)); // removed
      put(client, key(3), attrs("192.168.0.3").toJson()); // added
      put(client, key(2), attrs("192.168.0.22").toJson()); // changed
      put(client, key(4), attrs("192.168.0.4").toJson()); // rewritten, unchanged
      put(client, key(5), attrs("192.168.0.5").toJson()); // added and removed meanwhile
      EtcdTestSupport.delete(client, key(5));
      long revision = EtcdTestSupport.currentRevision(client);
      client.getKVClient().compact(revision).get(5, TimeUnit.SECONDS);
      proxy.restore();

      assertThat(recorder.take(3, WAIT))
          .extracting(EtcdTestSupport::describe)
          .containsExactlyInAnyOrder("-10.5.1.0/24", "+10.5.3.0/24", "+10.5.2.0/24");
      recorder.assertNoMoreEvents(Duration.ofSeconds(1));
      assertThat(recorder.peers().keySet()).containsExactly(subnet(2), subnet(3), subnet(4));

      // and the watch goes on from the re-listed revision
      put(client, key(6), attrs("192.168.0.6").toJson());
      assertThat(recorder.take(1, WAIT))
          .extracting(EtcdTestSupport::describe)
          .containsExactly("+10.5.6.0/24");
    }
  }

  /**
   * etcd down long enough for the watch's pings and jetcd's own retries to pile up, then back: a
   * key written the moment it is back arrives (the daemon's outage scenario, without the daemon).
   */
  @Test
  void aKeyWrittenAsEtcdComesBackAfterALongOutageArrives() throws Exception {
    put(client, key(1), attrs("192.168.0.1").toJson());
    EtcdTestSupport.Recorder recorder = watchingManager(ETCD.endpoint(), 1);
    ETCD.stop();
    await("etcd reported unreachable").atMost(WAIT).until(() -> manager.unreachable().isPresent());
    Thread.sleep(12_000); // more pings unanswered, jetcd retrying by itself
    ETCD.start();
    try (Client fresh = Client.builder().endpoints(ETCD.endpoint()).build()) {
      put(fresh, key(2), attrs("192.168.0.2").toJson()); // the shared client reconnects later
    }
    assertThat(recorder.take(1, WAIT))
        .extracting(EtcdTestSupport::describe)
        .containsExactly("+10.5.2.0/24");
    await("etcd reachable again").atMost(WAIT).until(() -> manager.unreachable().isEmpty());
    await("the shared client writes again, for the next test")
        .atMost(Duration.ofSeconds(90))
        .ignoreExceptions()
        .until(
            () -> {
              put(client, key(3), attrs("192.168.0.3").toJson());
              return true;
            });
  }

  @Test
  void carriesOnAcrossAnEtcdRestart() throws Exception {
    put(client, key(1), attrs("192.168.0.1").toJson());
    put(client, key(2), attrs("192.168.0.2").toJson());
    EtcdTestSupport.Recorder recorder = watchingManager(ETCD.endpoint(), 2);

    ETCD.stop();
    ETCD.start();
    recorder.assertNoMoreEvents(Duration.ofMillis(500)); // nothing changed: nothing delivered

    EtcdTestSupport.delete(client, key(1));
    put(client, key(3), attrs("192.168.0.3").toJson());
    assertThat(recorder.take(2, WAIT))
        .extracting(EtcdTestSupport::describe)
        .containsExactly("-10.5.1.0/24", "+10.5.3.0/24");
    recorder.assertNoMoreEvents(Duration.ofSeconds(1));
    assertThat(recorder.peers().keySet()).containsExactly(subnet(2), subnet(3));
    assertThat(recorder.all).hasSize(4); // 2 initial + 2 changes, nothing repeated
  }
}
