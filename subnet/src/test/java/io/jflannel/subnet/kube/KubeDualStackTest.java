package io.jflannel.subnet.kube;

import static io.jflannel.subnet.kube.TestNodes.P;
import static io.jflannel.subnet.kube.TestNodes.peer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.lease.LeaseKey;
import io.jflannel.core.subnet.LeaseWatch;
import io.jflannel.core.subnet.SubnetException;
import io.jflannel.subnet.RecordingListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dual-stack and IPv6-only nodes in kube mode against fabric8's mock API server: the annotations
 * this node writes, as upstream's {@code AcquireLease} writes them for vxlan and host-gw, and the
 * peers it reads, including peers that lack a family.
 */
@EnableKubernetesMockClient(
    crud = true,
    https = false,
    kubernetesClientBuilderCustomizer = OnSockets.class)
@SuppressWarnings("try") // watches are opened for their side effect, closed by try
class KubeDualStackTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static final String DUAL_STACK =
      "{\"Network\":\"10.244.0.0/16\",\"EnableIPv6\":true,\"IPv6Network\":\"fd00:10:244::/56\","
          + "\"Backend\":{\"Type\":\"vxlan\"}}";
  private static final String IPV6_ONLY =
      "{\"EnableIPv4\":false,\"EnableIPv6\":true,\"IPv6Network\":\"fd00:10:244::/56\","
          + "\"Backend\":{\"Type\":\"vxlan\"}}";

  KubernetesClient client;
  KubernetesMockServer server;
  @TempDir Path dir;
  private KubeTestSupport support;

  @BeforeEach
  void setUp() {
    support = new KubeTestSupport(dir);
  }

  private void create(TestNodes node) {
    client.nodes().resource(node.build()).create();
  }

  /** The flannel annotations of node {@code name} (the test nodes' own extra one left out). */
  private Map<String, String> flannelAnnotations(String name) {
    Map<String, String> all =
        new HashMap<>(client.nodes().withName(name).get().getMetadata().getAnnotations());
    all.keySet().removeIf(k -> !k.startsWith(P));
    return all;
  }

  private String resourceVersion(String name) {
    return client.nodes().withName(name).get().getMetadata().getResourceVersion();
  }

  private static LeaseAttrs vxlan(String ip, String ipv6, String mac, String mac6)
      throws Exception {
    return new LeaseAttrs(
        ip == null ? null : Ip4.parse(ip),
        ipv6 == null ? null : Ip6.parse(ipv6),
        "vxlan",
        mac == null ? null : JSON.readTree("{\"VNI\":1,\"VtepMAC\":\"" + mac + "\"}"),
        mac6 == null ? null : JSON.readTree("{\"VNI\":1,\"VtepMAC\":\"" + mac6 + "\"}"));
  }

  @Test
  void aDualStackVxlanNodeWritesUpstreamsSixAnnotationsAndNothingOnRestart() throws Exception {
    create(TestNodes.node("n1").podCidrs("10.244.1.0/24", "fd00:10:244:1::/64"));
    LeaseAttrs attrs = vxlan("192.168.0.1", "fd00::1", "aa:bb:cc:dd:ee:01", "aa:bb:cc:dd:ee:61");
    try (KubeSubnetManager m = support.manager(client, support.options("n1", DUAL_STACK))) {
      Lease lease = m.acquireLease(attrs);
      assertThat(lease.key())
          .isEqualTo(
              new LeaseKey(Ip4Net.parse("10.244.1.0/24"), Ip6Net.parse("fd00:10:244:1::/64")));
      assertThat(lease.attrs()).isEqualTo(attrs);
    }
    assertThat(flannelAnnotations("n1"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                P + "kube-subnet-manager", "true",
                P + "backend-type", "vxlan",
                P + "backend-data", "{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:01\"}",
                P + "public-ip", "192.168.0.1",
                P + "backend-v6-data", "{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:61\"}",
                P + "public-ipv6", "fd00::1"));
    String version = resourceVersion("n1");
    try (KubeSubnetManager m = support.manager(client, support.options("n1", DUAL_STACK))) {
      m.acquireLease(attrs);
    }
    assertThat(resourceVersion("n1")).as("a restart writes nothing").isEqualTo(version);
  }

  @Test
  void theIpv6OverwriteGoesIntoPublicIpv6AndIsWhatPeersAreTold() throws Exception {
    create(
        TestNodes.node("n1")
            .podCidrs("10.244.1.0/24", "fd00:10:244:1::/64")
            .annotation(P + "public-ipv6-overwrite", "2001:db8::7"));
    try (KubeSubnetManager m = support.manager(client, support.options("n1", DUAL_STACK))) {
      Lease lease =
          m.acquireLease(vxlan("192.168.0.1", "fd00::1", "aa:bb:cc:dd:ee:01", "aa:bb:cc:dd:ee:61"));
      assertThat(lease.attrs().publicIpv6()).isEqualTo(Ip6.parse("2001:db8::7"));
      assertThat(lease.attrs().publicIp()).isEqualTo(Ip4.parse("192.168.0.1"));
    }
    assertThat(flannelAnnotations("n1"))
        .containsEntry(P + "public-ipv6", "2001:db8::7")
        .containsEntry(P + "public-ipv6-overwrite", "2001:db8::7")
        .containsEntry(P + "public-ip", "192.168.0.1");
  }

  @Test
  void anIpv6OnlyVxlanNodeWritesNoIpv4AnnotationsAndNothingOnRestart() throws Exception {
    create(TestNodes.node("n1").podCidrs("fd00:10:244:1::/64"));
    LeaseAttrs attrs = vxlan(null, "fd00::1", null, "aa:bb:cc:dd:ee:61");
    try (KubeSubnetManager m = support.manager(client, support.options("n1", IPV6_ONLY))) {
      Lease lease = m.acquireLease(attrs);
      assertThat(lease.key()).isEqualTo(new LeaseKey(null, Ip6Net.parse("fd00:10:244:1::/64")));
      assertThat(lease.attrs().publicIp()).isNull();
    }
    // upstream: vxlan with BackendData "null" writes neither backend-data nor public-ip
    assertThat(flannelAnnotations("n1"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                P + "kube-subnet-manager", "true",
                P + "backend-type", "vxlan",
                P + "backend-v6-data", "{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:61\"}",
                P + "public-ipv6", "fd00::1"));
    String version = resourceVersion("n1");
    try (KubeSubnetManager m = support.manager(client, support.options("n1", IPV6_ONLY))) {
      m.acquireLease(attrs);
    }
    assertThat(resourceVersion("n1"))
        .as("upstream patches on every restart of such a node; here nothing differs")
        .isEqualTo(version);
  }

  @Test
  void anIpv6OnlyHostGwNodeWritesUpstreamsNullDataAndZeroPublicIp() throws Exception {
    create(TestNodes.node("n1").podCidrs("fd00:10:244:1::/64"));
    String conf = IPV6_ONLY.replace("vxlan", "host-gw");
    try (KubeSubnetManager m = support.manager(client, support.options("n1", conf))) {
      m.acquireLease(new LeaseAttrs(null, Ip6.parse("fd00::1"), "host-gw", null, null));
    }
    // upstream: any type but vxlan writes backend-data and public-ip (its zero IP4, 0.0.0.0)
    assertThat(flannelAnnotations("n1"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                P + "kube-subnet-manager", "true",
                P + "backend-type", "host-gw",
                P + "backend-data", "null",
                P + "public-ip", "0.0.0.0",
                P + "backend-v6-data", "null",
                P + "public-ipv6", "fd00::1"));
  }

  @Test
  void aDualStackNodeWithoutItsIpv6PodCidrFailsWithTheFix() throws Exception {
    create(TestNodes.node("n1").podCidrs("10.244.1.0/24"));
    try (KubeSubnetManager m = support.manager(client, support.options("n1", DUAL_STACK))) {
      assertThatThrownBy(
              () ->
                  m.acquireLease(
                      vxlan("192.168.0.1", "fd00::1", "aa:bb:cc:dd:ee:01", "aa:bb:cc:dd:ee:61")))
          .isInstanceOf(SubnetException.class)
          .hasMessageStartingWith("node n1 has no IPv6 pod CIDR but net-conf.json enables IPv6")
          .hasMessageContaining("--cluster-cidr");
    }
    assertThat(flannelAnnotations("n1")).isEmpty();
  }

  @Test
  void aDualStackNodeKeepsAPeerWithoutPublicIpv6ForIpv4AndWarnsOnce() throws Exception {
    create(TestNodes.node("n1").podCidrs("10.244.1.0/24", "fd00:10:244:1::/64"));
    TestNodes n2 =
        peer("n2", "10.244.2.0/24", "192.168.0.2", "aa:bb:cc:dd:ee:02")
            .podCidrs("10.244.2.0/24", "fd00:10:244:2::/64");
    create(n2);
    try (KubeSubnetManager m = support.manager(client, support.options("n1", DUAL_STACK))) {
      m.acquireLease(vxlan("192.168.0.1", "fd00::1", "aa:bb:cc:dd:ee:01", "aa:bb:cc:dd:ee:61"));
      RecordingListener listener = new RecordingListener();
      try (LeaseWatch w = m.watchLeases(listener)) {
        List<LeaseEvent> first = listener.next(WAIT);
        assertThat(first).hasSize(1);
        Lease lease = first.get(0).lease();
        assertThat(lease.subnets()).isEqualTo("10.244.2.0/24+fd00:10:244:2::/64");
        assertThat(lease.attrs().publicIp()).isEqualTo(Ip4.parse("192.168.0.2"));
        assertThat(lease.attrs().publicIpv6()).isNull();
        for (int i = 0; i < 3; i++) {
          client
              .nodes()
              .withName("n2")
              .edit(
                  n -> {
                    n.getMetadata().getLabels().put("heartbeat", "x" + System.nanoTime());
                    return n;
                  });
        }
        support.settle(client, m);
        assertThat(support.warnings)
            .containsExactly(
                "node n2: no flannel.alpha.coreos.com/public-ipv6 annotation: its IPv6 pod"
                    + " traffic is not routed; IPv4 is");
        assertThat(m.watchStats().peers()).isEqualTo(1);
      }
    }
  }

  @Test
  void anIpv6OnlyNodeSeesUpstreamsIpv6OnlyPeer() throws Exception {
    create(TestNodes.node("n1").podCidrs("fd00:10:244:1::/64"));
    create(
        TestNodes.node("n3")
            .podCidrs("fd00:10:244:3::/64")
            .annotation(P + "kube-subnet-manager", "true")
            .annotation(P + "backend-type", "vxlan")
            .annotation(P + "backend-v6-data", "{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:63\"}")
            .annotation(P + "public-ipv6", "fd00::3"));
    try (KubeSubnetManager m = support.manager(client, support.options("n1", IPV6_ONLY))) {
      m.acquireLease(vxlan(null, "fd00::1", null, "aa:bb:cc:dd:ee:61"));
      RecordingListener listener = new RecordingListener();
      try (LeaseWatch w = m.watchLeases(listener)) {
        Lease lease = listener.next(WAIT).get(0).lease();
        assertThat(lease.key()).isEqualTo(new LeaseKey(null, Ip6Net.parse("fd00:10:244:3::/64")));
        assertThat(lease.attrs().publicIpv6()).isEqualTo(Ip6.parse("fd00::3"));
        assertThat(lease.attrs().backendV6Data().get("VtepMAC").asText())
            .isEqualTo("aa:bb:cc:dd:ee:63");
        assertThat(lease.attrs().publicIp()).isNull();
        support.settle(client, m);
        assertThat(support.warnings).isEmpty();
      }
    }
  }
}
