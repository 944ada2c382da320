package io.jflannel.subnet.etcd;

import static io.jflannel.subnet.etcd.EtcdTestSupport.attrs;
import static io.jflannel.subnet.etcd.EtcdTestSupport.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.subnet.LeaseWatch;
import io.jflannel.core.subnet.SubnetException;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The peer-lease watch against a real etcd: snapshot, changes, expiry, bad values. */
class EtcdLeaseWatchIT {

  @RegisterExtension static final EtcdServer ETCD = new EtcdServer();

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();
  private String prefix;
  private Client client;

  @BeforeEach
  void writeConfig() throws Exception {
    prefix = EtcdTestSupport.freshPrefix();
    client = ETCD.client();
    // own leases from 10.5.100.0 up: the tests write peers below it, and a randomly allocated own
    // subnet among them would be filtered out of the watch as this node's own
    put(
        client,
        prefix + "/config",
        "{\"Network\": \"10.5.0.0/16\", \"SubnetLen\": 24, \"SubnetMin\": \"10.5.100.0\","
            + " \"Backend\": {\"Type\": \"vxlan\"}}");
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private EtcdSubnetManager manager(EtcdTimings timings) throws SubnetException {
    EtcdOptions options = ETCD.options(prefix);
    if (options.renewMargin().compareTo(timings.leaseTtl()) >= 0) {
      options = options.withRenewMargin(timings.leaseTtl().dividedBy(2));
    }
    EtcdSubnetManager m = EtcdSubnetManager.connect(options, timings);
    closeables.add(m);
    return m;
  }

  private Lease acquire(EtcdSubnetManager m, String publicIp) throws Exception {
    m.networkConfig();
    return m.acquireLease(attrs(publicIp));
  }

  private String key(String name) {
    return prefix + "/subnets/" + name;
  }

  @Test
  void deliversThePeersThenTheirChangesButNeverItsOwnLease() throws Exception {
    put(client, key("10.5.1.0-24"), attrs("192.168.0.1").toJson());
    put(client, key("10.5.2.0-24"), attrs("192.168.0.2").toJson());
    EtcdSubnetManager m = manager(EtcdTestSupport.timings());
    Lease own = acquire(m, "192.168.0.9");
    EtcdTestSupport.Recorder recorder = new EtcdTestSupport.Recorder();
    LeaseWatch watch = m.watchLeases(recorder);
    closeables.add(watch);

    assertThat(recorder.take(2, WAIT))
        .extracting(EtcdTestSupport::describe)
        .containsExactlyInAnyOrder("+10.5.1.0/24", "+10.5.2.0/24");
    assertThat(recorder.peers().keySet())
        .containsExactly(Ip4Net.parse("10.5.1.0/24"), Ip4Net.parse("10.5.2.0/24"));
    assertThat(recorder.peers().get(Ip4Net.parse("10.5.1.0/24")).attrs())
        .isEqualTo(attrs("192.168.0.1"));

    put(client, key("10.5.3.0-24"), attrs("192.168.0.3").toJson()); // new peer
    put(client, key("10.5.1.0-24"), attrs("192.168.0.11").toJson()); // changed peer
    put(client, key("10.5.2.0-24"), attrs("192.168.0.2").toJson()); // renewal: unchanged
    EtcdTestSupport.delete(client, key("10.5.2.0-24")); // gone
    List<String> changes = recorder.take(3, WAIT).stream().map(EtcdTestSupport::describe).toList();
    assertThat(changes).containsExactlyInAnyOrder("+10.5.3.0/24", "+10.5.1.0/24", "-10.5.2.0/24");
    recorder.assertNoMoreEvents(Duration.ofMillis(500));
    assertThat(recorder.peers().get(Ip4Net.parse("10.5.1.0/24")).attrs())
        .isEqualTo(attrs("192.168.0.11"));

    assertThat(recorder.all).noneMatch(e -> e.lease().subnet().equals(own.subnet()));
    assertThat(recorder.threads).hasSize(1).allMatch(t -> t.startsWith("jflannel-etcd-leases-"));
    assertThat(m.currentLeases())
        .extracting(Lease::subnet)
        .containsExactlyInAnyOrder(Ip4Net.parse("10.5.1.0/24"), Ip4Net.parse("10.5.3.0/24"));
  }

  @Test
  void periodicReListsNeitherRepeatNorLoseEventsAndCurrentLeasesAnswersFromTheWatch()
      throws Exception {
    put(client, key("10.5.1.0-24"), attrs("192.168.0.1").toJson());
    EtcdSubnetManager m =
        manager(EtcdTestSupport.timings().withRelistPeriod(Duration.ofMillis(100)));
    acquire(m, "192.168.0.9");
    EtcdTestSupport.Recorder recorder = new EtcdTestSupport.Recorder();
    closeables.add(m.watchLeases(recorder));
    assertThat(recorder.take(1, WAIT))
        .extracting(EtcdTestSupport::describe)
        .containsExactly("+10.5.1.0/24");

    recorder.assertNoMoreEvents(Duration.ofMillis(600)); // several re-lists: nothing new
    put(client, key("10.5.2.0-24"), attrs("192.168.0.2").toJson());
    EtcdTestSupport.delete(client, key("10.5.1.0-24"));
    assertThat(recorder.take(2, WAIT))
        .extracting(EtcdTestSupport::describe)
        .containsExactlyInAnyOrder("+10.5.2.0/24", "-10.5.1.0/24");
    recorder.assertNoMoreEvents(Duration.ofMillis(400));
    assertThat(m.currentLeases())
        .extracting(Lease::subnet)
        .containsExactly(Ip4Net.parse("10.5.2.0/24"));
  }

  @Test
  void skipsAGarbageValueWithOneWarningAndDeliversTheOthers() throws Exception {
    put(client, key("10.5.1.0-24"), attrs("192.168.0.1").toJson());
    put(client, key("10.5.66.0-24"), "this is not JSON");
    put(client, key("not-a-subnet"), attrs("192.168.0.77").toJson());
    EtcdSubnetManager m = manager(EtcdTestSupport.timings());
    acquire(m, "192.168.0.9");
    EtcdTestSupport.Recorder recorder = new EtcdTestSupport.Recorder();
    closeables.add(m.watchLeases(recorder));

    assertThat(recorder.take(1, WAIT))
        .extracting(EtcdTestSupport::describe)
        .containsExactly("+10.5.1.0/24");
    put(client, key("10.5.66.0-24"), "{\"PublicIP\": 42}"); // still bad: no second warning
    put(client, key("10.5.2.0-24"), attrs("192.168.0.2").toJson());
    assertThat(recorder.take(1, WAIT))
        .extracting(EtcdTestSupport::describe)
        .containsExactly("+10.5.2.0/24");
    assertThat(m.badKeys()).containsExactlyInAnyOrder(key("10.5.66.0-24"), key("not-a-subnet"));
    assertThat(m.currentLeases())
        .extracting(Lease::subnet)
        .containsExactlyInAnyOrder(Ip4Net.parse("10.5.1.0/24"), Ip4Net.parse("10.5.2.0/24"));
    put(client, key("10.5.66.0-24"), attrs("192.168.0.66").toJson()); // repaired
    assertThat(recorder.take(1, WAIT))
        .extracting(EtcdTestSupport::describe)
        .containsExactly("+10.5.66.0/24");
    assertThat(m.badKeys()).containsExactly(key("not-a-subnet"));
  }

  @Test
  void keepsAPeerWhoseValueTurnsToGarbage() throws Exception {
    put(client, key("10.5.1.0-24"), attrs("192.168.0.1").toJson());
    EtcdSubnetManager m = manager(EtcdTestSupport.timings());
    acquire(m, "192.168.0.9");
    EtcdTestSupport.Recorder recorder = new EtcdTestSupport.Recorder();
    closeables.add(m.watchLeases(recorder));
    recorder.take(1, WAIT);

    put(client, key("10.5.1.0-24"), "{broken");
    recorder.assertNoMoreEvents(Duration.ofMillis(500));
    assertThat(recorder.peers()).containsKey(Ip4Net.parse("10.5.1.0/24"));
    EtcdTestSupport.delete(client, key("10.5.1.0-24"));
    assertThat(recorder.take(1, WAIT))
        .extracting(EtcdTestSupport::describe)
        .containsExactly("-10.5.1.0/24");
  }

  @Test
  void seesTtlExpiryAsRemoval() throws Exception {
    // a peer with a 2 s lease that nobody renews (etcd's minimum TTL is about 2 s)
    EtcdSubnetManager peer = manager(EtcdTestSupport.timings().withLeaseTtl(Duration.ofSeconds(2)));
    Lease peerLease = acquire(peer, "192.168.0.5");
    EtcdSubnetManager m = manager(EtcdTestSupport.timings());
    acquire(m, "192.168.0.9");
    EtcdTestSupport.Recorder recorder = new EtcdTestSupport.Recorder();
    closeables.add(m.watchLeases(recorder));

    List<LeaseEvent> events = recorder.take(2, WAIT);
    assertThat(events.get(0)).isInstanceOf(LeaseEvent.Added.class);
    assertThat(events.get(1)).isInstanceOf(LeaseEvent.Removed.class);
    assertThat(events.get(1).lease().subnet()).isEqualTo(peerLease.subnet());
    assertThat(events.get(1).lease().attrs())
        .as("the last known state")
        .isEqualTo(attrs("192.168.0.5"));
  }

  @Test
  void closingTheWatchStopsDelivery() throws Exception {
    EtcdSubnetManager m = manager(EtcdTestSupport.timings());
    acquire(m, "192.168.0.9");
    EtcdTestSupport.Recorder recorder = new EtcdTestSupport.Recorder();
    LeaseWatch watch = m.watchLeases(recorder);
    put(client, key("10.5.1.0-24"), attrs("192.168.0.1").toJson());
    recorder.take(1, WAIT);
    watch.close();
    watch.close();
    put(client, key("10.5.2.0-24"), attrs("192.168.0.2").toJson());
    recorder.assertNoMoreEvents(Duration.ofMillis(500));
  }

  @Test
  void aClosedWatchHoldsNoPeerStateEvenWhileJetcdKeepsItsWatcher() throws Exception {
    for (int i = 1; i <= 50; i++) {
      put(client, key("10.5." + i + ".0-24"), attrs("192.168.0." + i).toJson());
    }
    EtcdSubnetManager m = manager(EtcdTestSupport.timings());
    acquire(m, "192.168.1.1");
    EtcdTestSupport.Recorder recorder = new EtcdTestSupport.Recorder();
    LeaseWatch watch = m.watchLeases(recorder);
    recorder.take(50, WAIT);
    assertThat(((EtcdLeaseWatch) watch).peerCount()).isEqualTo(50);
    watch.close();
    assertThat(((EtcdLeaseWatch) watch).peerCount()).isZero();

    WeakReference<LeaseWatch> ref = new WeakReference<>(watch);
    watch = null;
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              System.gc();
              return ref.get() == null;
            });
  }

  @Test
  void aKeyWithAnUnreadableValueStillOccupiesItsSubnet() throws Exception {
    put(
        client,
        prefix + "/config",
        "{\"Network\": \"10.5.0.0/28\", \"SubnetLen\": 30, \"Backend\": {\"Type\": \"vxlan\"}}");
    put(client, key("10.5.0.4-30"), "garbage");
    put(client, key("10.5.0.8-30"), "{}"); // no PublicIP: readable, but nobody's
    EtcdSubnetManager m = manager(EtcdTestSupport.timings());
    assertThat(acquire(m, "192.168.0.9").subnet()).isEqualTo(Ip4Net.parse("10.5.0.12/30"));
    EtcdSubnetManager full = manager(EtcdTestSupport.timings());
    assertThatThrownBy(() -> acquire(full, "192.168.0.10"))
        .hasMessageStartingWith("out of subnets");
  }
}
