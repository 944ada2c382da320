package io.jflannel.subnet.etcd;

import static io.jflannel.subnet.etcd.EtcdTestSupport.CONFIG;
import static io.jflannel.subnet.etcd.EtcdTestSupport.attrs;
import static io.jflannel.subnet.etcd.EtcdTestSupport.get;
import static io.jflannel.subnet.etcd.EtcdTestSupport.put;
import static io.jflannel.subnet.etcd.EtcdTestSupport.remainingTtl;
import static io.jflannel.subnet.etcd.EtcdTestSupport.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseKey;
import io.jflannel.core.subnet.SubnetException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Acquisition, reuse, reservations, races, renewal and loss against a real etcd. */
class EtcdSubnetManagerIT {

  @RegisterExtension static final EtcdServer ETCD = new EtcdServer();

  private final List<EtcdSubnetManager> managers = new CopyOnWriteArrayList<>();
  private String prefix;
  private Client client;

  @BeforeEach
  void writeConfig() throws Exception {
    prefix = EtcdTestSupport.freshPrefix();
    client = ETCD.client();
    put(client, prefix + "/config", CONFIG);
  }

  @AfterEach
  void closeManagers() {
    managers.forEach(EtcdSubnetManager::close);
  }

  private EtcdSubnetManager manager() throws SubnetException {
    return manager(UnaryOperator.identity(), EtcdTestSupport.timings());
  }

  private EtcdSubnetManager manager(UnaryOperator<EtcdOptions> options, EtcdTimings timings)
      throws SubnetException {
    EtcdSubnetManager m = EtcdSubnetManager.connect(options.apply(ETCD.options(prefix)), timings);
    managers.add(m);
    return m;
  }

  private Lease acquire(EtcdSubnetManager m, String publicIp) throws Exception {
    m.networkConfig();
    return m.acquireLease(attrs(publicIp));
  }

  private String leaseKey(String name) {
    return prefix + "/subnets/" + name;
  }

  @Test
  void readsTheNetworkConfigFromPrefixConfig() throws Exception {
    assertThat(manager().networkConfig().network()).isEqualTo(Ip4Net.parse("10.5.0.0/16"));
  }

  @Test
  void anEndpointThatCannotBeReachedIsPassedOverForTheNext() throws Exception {
    EtcdSubnetManager m =
        manager(
            o -> o.withEndpoints(List.of("http://127.0.0.1:1", ETCD.endpoint())),
            EtcdTestSupport.timings());
    Lease lease = acquire(m, "192.168.1.7");

    KeyValue kv =
        get(client, leaseKey(SubnetKeys.name(new LeaseKey(lease.subnet(), null)))).orElseThrow();
    assertThat(value(kv)).isEqualTo(attrs("192.168.1.7").toJson());
  }

  @Test
  void anEtcdThatCannotBeReachedIsNamedWithTheFlag() throws Exception {
    EtcdSubnetManager m =
        manager(o -> o.withEndpoints(List.of("http://127.0.0.1:1")), EtcdTestSupport.timings());
    assertThatThrownBy(m::networkConfig)
        .isInstanceOf(SubnetException.class)
        .hasMessageStartingWith(
            "etcd: read " + prefix + "/config: cannot reach etcd at [http://127.0.0.1:1] (")
        .hasMessageEndingWith("); is etcd running and reachable (--etcd-endpoints)?");
  }

  @Test
  void missingConfigSaysHowToWriteItWithTheV3Api() throws Exception {
    EtcdTestSupport.delete(client, prefix + "/config");
    EtcdSubnetManager m = manager();
    assertThatThrownBy(m::networkConfig)
        .isInstanceOf(SubnetException.class)
        .hasMessageStartingWith(
            "flannel config not found in etcd store at "
                + prefix
                + "/config. Did you create your config using etcdv3 API?")
        .hasMessageContaining("ETCDCTL_API=3 etcdctl --endpoints=" + ETCD.endpoint())
        .hasMessageContaining("put " + prefix + "/config '{\"Network\"");
  }

  @Test
  void acquiresAFreeSubnetWithAnUpstreamValueAndA24HourLease() throws Exception {
    Instant before = Instant.now();
    Lease lease = acquire(manager(), "192.168.1.1");

    assertThat(lease.subnet().prefixLength()).isEqualTo(24);
    assertThat(Ip4Net.parse("10.5.0.0/16").contains(lease.subnet())).isTrue();
    assertThat(lease.subnet()).isNotEqualTo(Ip4Net.parse("10.5.0.0/24")); // below SubnetMin
    assertThat(lease.expiration())
        .isBetween(
            before.plus(Duration.ofHours(24)).minusSeconds(5),
            Instant.now().plus(Duration.ofHours(24)));
    KeyValue kv =
        get(client, leaseKey(SubnetKeys.name(new LeaseKey(lease.subnet(), null)))).orElseThrow();
    assertThat(value(kv)).isEqualTo(attrs("192.168.1.1").toJson());
    assertThat(value(kv))
        .startsWith("{\"PublicIP\":\"192.168.1.1\",\"PublicIPv6\":null,\"BackendType\":\"vxlan\"");
    assertThat(remainingTtl(client, kv.getLease())).isBetween(86_390L, 86_400L);
    assertThat(kv.getCreateRevision()).isEqualTo(lease.revision());
  }

  @Test
  void reusesTheLeaseOfItsPublicIpAfterARestart() throws Exception {
    EtcdSubnetManager first = manager();
    Lease lease = acquire(first, "192.168.1.2");
    first.close();

    EtcdSubnetManager second = manager();
    Lease again = second.acquireLease(attrs("192.168.1.2"));
    assertThat(again.subnet()).isEqualTo(lease.subnet());
    KeyValue kv = get(client, leaseKey(SubnetKeys.name(again.key()))).orElseThrow();
    assertThat(kv.getLease()).as("refreshed with a new etcd lease").isNotZero();
    assertThat(remainingTtl(client, kv.getLease())).isGreaterThan(86_000L);
  }

  @Test
  void reusesThePreviousSubnetFromSubnetEnv() throws Exception {
    Ip4Net previous = Ip4Net.parse("10.5.77.0/24");
    EtcdSubnetManager m =
        manager(
            o -> o.withPreviousSubnets(Optional.of(previous), Optional.empty()),
            EtcdTestSupport.timings());
    assertThat(acquire(m, "192.168.1.3").subnet()).isEqualTo(previous);
  }

  @Test
  void ignoresThePreviousSubnetWhenAnotherNodeHasIt() throws Exception {
    Ip4Net previous = acquire(manager(), "192.168.1.4").subnet();
    EtcdSubnetManager m =
        manager(
            o -> o.withPreviousSubnets(Optional.of(previous), Optional.empty()),
            EtcdTestSupport.timings());
    assertThat(acquire(m, "192.168.1.5").subnet()).isNotEqualTo(previous);
  }

  @Test
  void takesItsReservationAndLeavesItWithoutTtl() throws Exception {
    put(client, leaseKey("10.5.200.0-24"), "{\"PublicIP\":\"192.168.1.6\"}");
    Lease lease = acquire(manager(), "192.168.1.6");

    assertThat(lease.subnet()).isEqualTo(Ip4Net.parse("10.5.200.0/24"));
    assertThat(lease.expiration()).as("a reservation never expires").isNull();
    KeyValue kv = get(client, leaseKey("10.5.200.0-24")).orElseThrow();
    assertThat(kv.getLease()).as("still without TTL").isZero();
    assertThat(value(kv)).isEqualTo(attrs("192.168.1.6").toJson());
  }

  @Test
  void deletesItsLeaseWhenItNoLongerFitsTheConfig() throws Exception {
    put(client, leaseKey("10.5.8.0-23"), attrs("192.168.1.7").toJson()); // an older SubnetLen
    Lease lease = acquire(manager(), "192.168.1.7");
    assertThat(lease.subnet().prefixLength()).isEqualTo(24);
    assertThat(get(client, leaseKey("10.5.8.0-23"))).isEmpty();
  }

  @Test
  void racingManagersNeverShareASubnetAndTheLosersAreOutOfSubnets() throws Exception {
    put(
        client,
        prefix + "/config",
        "{\"Network\": \"10.5.0.0/28\", \"SubnetLen\": 30, \"Backend\": {\"Type\": \"vxlan\"}}");
    // subnets .4/30, .8/30, .12/30 (the first, .0/30, is below SubnetMin): 3 for 8 nodes
    int nodes = 8;
    List<EtcdSubnetManager> racers = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      EtcdSubnetManager m = manager();
      m.networkConfig();
      racers.add(m);
    }
    ExecutorService pool = Executors.newFixedThreadPool(nodes);
    try {
      List<Future<Lease>> results = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        EtcdSubnetManager m = racers.get(i);
        String ip = "192.168.2." + (i + 1);
        results.add(pool.submit((Callable<Lease>) () -> m.acquireLease(attrs(ip))));
      }
      Set<Ip4Net> won = new HashSet<>();
      int outOfSubnets = 0;
      for (Future<Lease> result : results) {
        try {
          assertThat(won.add(result.get().subnet())).as("no subnet handed out twice").isTrue();
        } catch (java.util.concurrent.ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(SubnetException.class);
          assertThat(e.getCause().getMessage()).startsWith("out of subnets: every /30 subnet");
          outOfSubnets++;
        }
      }
      assertThat(won)
          .containsExactlyInAnyOrder(
              Ip4Net.parse("10.5.0.4/30"),
              Ip4Net.parse("10.5.0.8/30"),
              Ip4Net.parse("10.5.0.12/30"));
      assertThat(outOfSubnets).isEqualTo(nodes - 3);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void acquiresADualStackKey() throws Exception {
    put(
        client,
        prefix + "/config",
        "{\"Network\": \"10.5.0.0/16\", \"EnableIPv6\": true, \"IPv6Network\": \"fc00::/48\","
            + " \"Backend\": {\"Type\": \"vxlan\"}}");
    Lease lease = acquire(manager(), "192.168.1.8");
    assertThat(lease.ipv6Subnet()).isNotNull();
    assertThat(Ip6Net.parse("fc00::/48").contains(lease.ipv6Subnet())).isTrue();
    String name = lease.subnet().ip() + "-24&" + lease.ipv6Subnet().ip() + "-64";
    assertThat(get(client, leaseKey(name))).isPresent();

    EtcdSubnetManager again = manager();
    assertThat(acquire(again, "192.168.1.8").ipv6Subnet()).isEqualTo(lease.ipv6Subnet());
  }

  @Test
  void currentLeasesListsThePeersButNotItself() throws Exception {
    Lease a = acquire(manager(), "192.168.3.1");
    Lease b = acquire(manager(), "192.168.3.2");
    EtcdSubnetManager m = manager();
    Lease mine = acquire(m, "192.168.3.3");
    assertThat(m.currentLeases())
        .extracting(Lease::subnet)
        .containsExactlyInAnyOrder(a.subnet(), b.subnet())
        .doesNotContain(mine.subnet());
  }

  @Test
  void renewsBeforeTheTtlRunsOut() throws Exception {
    EtcdSubnetManager m =
        manager(
            o -> o.withRenewMargin(Duration.ofSeconds(2)),
            EtcdTestSupport.timings().withLeaseTtl(Duration.ofSeconds(3)));
    Lease lease = acquire(m, "192.168.4.1");
    String key = leaseKey(SubnetKeys.name(lease.key()));
    long firstLease = get(client, key).orElseThrow().getLease();
    assertThat(m.leaseRenewals()).isZero();
    m.completeLease(lease, lost -> {});

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> get(client, key).map(kv -> kv.getLease() != firstLease).orElse(false));
    // three TTLs later the key is still there, with the same create revision
    await()
        .during(Duration.ofSeconds(6))
        .atMost(Duration.ofSeconds(8))
        .until(
            () ->
                get(client, key)
                    .map(kv -> kv.getCreateRevision() == lease.revision())
                    .orElse(false));
    assertThat(m.keptLease().orElseThrow().lease().expiration()).isAfter(lease.expiration());
    // a renewal every TTL − margin = 1 s: several in the 6+ s above
    assertThat(m.leaseRenewals()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void reportsTheLossOfItsKeyOnce() throws Exception {
    EtcdSubnetManager m = manager();
    Lease lease = acquire(m, "192.168.4.2");
    List<Lease> lost = new CopyOnWriteArrayList<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    m.completeLease(
        lease,
        l -> {
          lost.add(l);
          threads.add(Thread.currentThread().getName());
        });

    EtcdTestSupport.delete(client, leaseKey(SubnetKeys.name(lease.key())));
    await().atMost(Duration.ofSeconds(5)).until(() -> lost.size() == 1);
    assertThat(lost.get(0).subnet()).isEqualTo(lease.subnet());
    assertThat(threads).containsExactly("jflannel-etcd-lease");
    // re-creating the key (another node taking the subnet) does not report a second loss
    put(client, leaseKey(SubnetKeys.name(lease.key())), attrs("192.168.4.99").toJson());
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(1))
        .until(() -> lost.size() == 1);
  }

  @Test
  void closeLeavesTheKeyInPlace() throws Exception {
    EtcdSubnetManager m = manager();
    Lease lease = acquire(m, "192.168.4.3");
    m.completeLease(lease, l -> {});
    m.close();
    m.close(); // idempotent
    assertThat(get(client, leaseKey(SubnetKeys.name(lease.key())))).isPresent();
    assertThatThrownBy(m::currentLeases).isInstanceOf(IllegalStateException.class);
  }
}
