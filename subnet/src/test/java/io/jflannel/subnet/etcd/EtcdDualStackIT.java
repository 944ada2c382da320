package io.jflannel.subnet.etcd;

import static io.jflannel.subnet.etcd.EtcdTestSupport.get;
import static io.jflannel.subnet.etcd.EtcdTestSupport.put;
import static io.jflannel.subnet.etcd.EtcdTestSupport.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.lease.LeaseKey;
import io.jflannel.core.subnet.SubnetException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Dual-stack and IPv6-only networks against a real etcd, mixed with leases written in upstream's
 * exact format: the keys {@code 10.5.52.0-24&fc00::-64} and {@code 0.0.0.0-0&fc00::-64}, and the
 * values upstream's vxlan backend writes for such nodes.
 */
class EtcdDualStackIT {

  @RegisterExtension static final EtcdServer ETCD = new EtcdServer();

  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Own leases from 10.5.100.0 and fc00:0:0:100:: up, so they never land on the test's peers. */
  private static final String DUAL_STACK =
      "{\"Network\": \"10.5.0.0/16\", \"SubnetMin\": \"10.5.100.0\", \"EnableIPv6\": true,"
          + " \"IPv6Network\": \"fc00::/48\", \"IPv6SubnetMin\": \"fc00:0:0:100::\","
          + " \"Backend\": {\"Type\": \"vxlan\"}}";

  private static final String IPV6_ONLY =
      "{\"EnableIPv4\": false, \"EnableIPv6\": true, \"IPv6Network\": \"fc00::/48\","
          + " \"IPv6SubnetMin\": \"fc00:0:0:100::\", \"Backend\": {\"Type\": \"vxlan\"}}";

  /** What upstream's vxlan backend writes for a dual-stack node. */
  private static final String UPSTREAM_DUAL_STACK_VALUE =
      "{\"PublicIP\":\"192.168.1.2\",\"PublicIPv6\":\"fd00::2\",\"BackendType\":\"vxlan\","
          + "\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"0e:8c:5f:1a:2b:3c\"},"
          + "\"BackendV6Data\":{\"VNI\":1,\"VtepMAC\":\"0e:8c:5f:1a:2b:3d\"}}";

  /** What upstream's vxlan backend writes for an IPv6-only node: PublicIP is its zero IP4. */
  private static final String UPSTREAM_IPV6_ONLY_VALUE =
      "{\"PublicIP\":\"0.0.0.0\",\"PublicIPv6\":\"fd00::3\",\"BackendType\":\"vxlan\","
          + "\"BackendV6Data\":{\"VNI\":1,\"VtepMAC\":\"0e:8c:5f:1a:2b:3e\"}}";

  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();
  private String prefix;
  private Client client;

  @BeforeEach
  void connect() {
    prefix = EtcdTestSupport.freshPrefix();
    client = ETCD.client();
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private EtcdSubnetManager manager(Optional<Ip4Net> previous, Optional<Ip6Net> previousV6)
      throws SubnetException {
    EtcdSubnetManager m =
        EtcdSubnetManager.connect(
            ETCD.options(prefix).withPreviousSubnets(previous, previousV6),
            EtcdTestSupport.timings());
    closeables.add(m);
    return m;
  }

  private EtcdSubnetManager manager() throws SubnetException {
    return manager(Optional.empty(), Optional.empty());
  }

  private static ObjectNode vxlanData(String mac) {
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    data.put("VNI", 1);
    data.put("VtepMAC", mac);
    return data;
  }

  /** The attributes of a jflannel vxlan node; a null address means that family is off. */
  private static LeaseAttrs attrs(String publicIp, String publicIpv6, String macSuffix) {
    return new LeaseAttrs(
        publicIp == null ? null : Ip4.parse(publicIp),
        publicIpv6 == null ? null : Ip6.parse(publicIpv6),
        "vxlan",
        publicIp == null ? null : vxlanData("aa:bb:cc:dd:04:" + macSuffix),
        publicIpv6 == null ? null : vxlanData("aa:bb:cc:dd:06:" + macSuffix));
  }

  private String key(String name) {
    return prefix + "/subnets/" + name;
  }

  private Lease acquire(EtcdSubnetManager m, LeaseAttrs attrs) throws Exception {
    m.networkConfig();
    return m.acquireLease(attrs);
  }

  private static LeaseEvent.Added added(List<LeaseEvent> events, LeaseKey key) {
    return events.stream()
        .filter(e -> e instanceof LeaseEvent.Added && e.lease().key().equals(key))
        .map(LeaseEvent.Added.class::cast)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no Added for " + key + " in " + events));
  }

  @Test
  void aDualStackNodeWritesUpstreamsKeyAndValueAndSeesUpstreamsPeers() throws Exception {
    put(client, prefix + "/config", DUAL_STACK);
    put(client, key("10.5.52.0-24&fc00:0:0:52::-64"), UPSTREAM_DUAL_STACK_VALUE);
    EtcdSubnetManager m = manager();
    LeaseAttrs mine = attrs("192.168.1.9", "fd00::9", "09");
    Lease own = acquire(m, mine);

    assertThat(own.subnet()).isNotNull();
    assertThat(own.ipv6Subnet()).isNotNull();
    String name = own.subnet().ip() + "-24&" + own.ipv6Subnet().ip() + "-64";
    assertThat(SubnetKeys.name(own.key())).isEqualTo(name);
    KeyValue kv = get(client, key(name)).orElseThrow();
    assertThat(value(kv)).isEqualTo(mine.toJson());
    assertThat(value(kv))
        .startsWith("{\"PublicIP\":\"192.168.1.9\",\"PublicIPv6\":\"fd00::9\",\"BackendType\"")
        .endsWith(",\"BackendV6Data\":{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:06:09\"}}");

    EtcdTestSupport.Recorder recorder = new EtcdTestSupport.Recorder();
    closeables.add(m.watchLeases(recorder));
    LeaseKey first = new LeaseKey(Ip4Net.parse("10.5.52.0/24"), Ip6Net.parse("fc00:0:0:52::/64"));
    Lease peer = added(recorder.take(1, WAIT), first).lease();
    assertThat(peer.attrs().publicIp()).isEqualTo(Ip4.parse("192.168.1.2"));
    assertThat(peer.attrs().publicIpv6()).isEqualTo(Ip6.parse("fd00::2"));
    assertThat(peer.attrs().backendV6Data().get("VtepMAC").asText()).isEqualTo("0e:8c:5f:1a:2b:3d");
    assertThat(peer.attrs().toJson()).isEqualTo(UPSTREAM_DUAL_STACK_VALUE);

    String later = UPSTREAM_DUAL_STACK_VALUE.replace("192.168.1.2", "192.168.1.3");
    put(client, key("10.5.53.0-24&fc00:0:0:53::-64"), later.replace("fd00::2", "fd00::3"));
    LeaseKey second = new LeaseKey(Ip4Net.parse("10.5.53.0/24"), Ip6Net.parse("fc00:0:0:53::/64"));
    Lease watched = added(recorder.take(1, WAIT), second).lease();
    assertThat(watched.attrs().publicIpv6()).isEqualTo(Ip6.parse("fd00::3"));
    assertThat(m.currentLeases()).extracting(Lease::key).containsExactlyInAnyOrder(first, second);
  }

  @Test
  void anIpv6OnlyNodeWritesUpstreamsKeyAndValueAndSeesUpstreamsPeers() throws Exception {
    put(client, prefix + "/config", IPV6_ONLY);
    put(client, key("0.0.0.0-0&fc00:0:0:3::-64"), UPSTREAM_IPV6_ONLY_VALUE);
    EtcdSubnetManager m = manager();
    LeaseAttrs mine = attrs(null, "fd00::9", "09");
    Lease own = acquire(m, mine);

    assertThat(own.subnet()).isNull();
    assertThat(Ip6Net.parse("fc00::/48").contains(own.ipv6Subnet())).isTrue();
    String name = "0.0.0.0-0&" + own.ipv6Subnet().ip() + "-64";
    assertThat(SubnetKeys.name(own.key())).isEqualTo(name);
    KeyValue kv = get(client, key(name)).orElseThrow();
    assertThat(value(kv))
        .isEqualTo(
            "{\"PublicIP\":\"0.0.0.0\",\"PublicIPv6\":\"fd00::9\",\"BackendType\":\"vxlan\","
                + "\"BackendV6Data\":{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:06:09\"}}");
    assertThat(EtcdTestSupport.remainingTtl(client, kv.getLease())).isGreaterThan(86_000L);

    EtcdTestSupport.Recorder recorder = new EtcdTestSupport.Recorder();
    closeables.add(m.watchLeases(recorder));
    LeaseKey first = new LeaseKey(null, Ip6Net.parse("fc00:0:0:3::/64"));
    Lease peer = added(recorder.take(1, WAIT), first).lease();
    assertThat(peer.attrs().publicIp()).isNull();
    assertThat(peer.attrs().publicIpv6()).isEqualTo(Ip6.parse("fd00::3"));
    assertThat(peer.attrs().toJson()).isEqualTo(UPSTREAM_IPV6_ONLY_VALUE);

    put(
        client,
        key("0.0.0.0-0&fc00:0:0:4::-64"),
        UPSTREAM_IPV6_ONLY_VALUE.replace("fd00::3", "fd00::4"));
    LeaseKey second = new LeaseKey(null, Ip6Net.parse("fc00:0:0:4::/64"));
    assertThat(added(recorder.take(1, WAIT), second).lease().attrs().publicIpv6())
        .isEqualTo(Ip6.parse("fd00::4"));
    EtcdTestSupport.delete(client, key("0.0.0.0-0&fc00:0:0:3::-64"));
    assertThat(recorder.take(1, WAIT)).containsExactly(new LeaseEvent.Removed(peer));
    assertThat(m.currentLeases()).extracting(Lease::key).containsExactly(second);
  }

  @Test
  void ipv6OnlyNodesGetTheirOwnSubnetsAndFindThemAgainByPublicIpv6() throws Exception {
    put(client, prefix + "/config", IPV6_ONLY);
    // an upstream IPv6-only node's lease: its PublicIP 0.0.0.0 is every IPv6-only node's
    put(client, key("0.0.0.0-0&fc00:0:0:3::-64"), UPSTREAM_IPV6_ONLY_VALUE);
    Lease a = acquire(manager(), attrs(null, "fd00::a", "0a"));
    Lease b = acquire(manager(), attrs(null, "fd00::b", "0b"));
    assertThat(a.subnet()).isNull();
    assertThat(b.subnet()).isNull();
    assertThat(a.ipv6Subnet()).isNotEqualTo(b.ipv6Subnet());
    assertThat(value(get(client, key("0.0.0.0-0&fc00:0:0:3::-64")).orElseThrow()))
        .as("the upstream node's lease is not taken over")
        .isEqualTo(UPSTREAM_IPV6_ONLY_VALUE);

    Lease again = acquire(manager(), attrs(null, "fd00::b", "1b"));
    assertThat(again.key()).isEqualTo(b.key());
    assertThat(value(get(client, key(SubnetKeys.name(b.key()))).orElseThrow()))
        .contains("\"VtepMAC\":\"aa:bb:cc:dd:06:1b\"");
  }

  @Test
  void ipv6OnlyReusesThePreviousIpv6SubnetFromSubnetEnv() throws Exception {
    put(client, prefix + "/config", IPV6_ONLY);
    Ip6Net previous = Ip6Net.parse("fc00:0:0:177::/64");
    Lease lease =
        acquire(manager(Optional.empty(), Optional.of(previous)), attrs(null, "fd00::c", "0c"));
    assertThat(lease.key()).isEqualTo(new LeaseKey(null, previous));
    assertThat(get(client, key("0.0.0.0-0&fc00:0:0:177::-64"))).isPresent();
  }

  @Test
  void ipv6OnlyNeedsAPublicIpv6Address() throws Exception {
    put(client, prefix + "/config", IPV6_ONLY);
    assertThatThrownBy(() -> acquire(manager(), attrs("192.168.1.1", null, "01")))
        .isInstanceOf(SubnetException.class)
        .hasMessageStartingWith(
            "etcd mode finds an IPv6-only node's lease by its public IPv6 address, and none was"
                + " given");
  }
}
