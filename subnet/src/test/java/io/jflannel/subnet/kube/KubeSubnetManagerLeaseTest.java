package io.jflannel.subnet.kube;

import static io.jflannel.subnet.kube.TestNodes.P;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.jflannel.core.config.ConfigException;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.subnet.NodeRecord;
import io.jflannel.core.subnet.SubnetException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(
    crud = true,
    https = false,
    kubernetesClientBuilderCustomizer = OnSockets.class)
@SuppressWarnings("try") // watches are opened for their side effect, closed by try
class KubeSubnetManagerLeaseTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  KubernetesClient client;
  KubernetesMockServer server;
  @TempDir Path dir;
  private KubeTestSupport support;

  @BeforeEach
  void setUp() {
    support = new KubeTestSupport(dir);
  }

  private static LeaseAttrs vxlan(String ip, String mac) throws Exception {
    return new LeaseAttrs(
        Ip4.parse(ip),
        null,
        "vxlan",
        JSON.readTree("{\"VNI\":1,\"VtepMAC\":\"" + mac + "\"}"),
        null);
  }

  private void create(TestNodes node) {
    client.nodes().resource(node.build()).create();
  }

  private Map<String, String> annotationsOf(String name) {
    return client.nodes().withName(name).get().getMetadata().getAnnotations();
  }

  @Test
  void acquiresThePodCidrAndWritesUpstreamsAnnotationsLeavingOthersAlone() throws Exception {
    create(TestNodes.node("n1").podCidrs("10.244.1.0/24").annotation("team", "net"));
    try (KubeSubnetManager m = support.manager(client, support.options("n1"))) {
      assertThat(m.networkConfig().network()).isEqualTo(Ip4Net.parse("10.244.0.0/16"));
      Lease lease = m.acquireLease(vxlan("192.168.0.1", "aa:bb:cc:dd:ee:01"));
      assertThat(lease.subnet()).isEqualTo(Ip4Net.parse("10.244.1.0/24"));
      assertThat(lease.ipv6Subnet()).isNull();
      assertThat(lease.revision()).isZero();
      assertThat(lease.expiration())
          .isCloseTo(Instant.now().plus(Duration.ofHours(24)), within(1, ChronoUnit.MINUTES));
      assertThat(annotationsOf("n1"))
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(
                  "team",
                  "net",
                  "node.alpha.kubernetes.io/ttl",
                  "0",
                  P + "kube-subnet-manager",
                  "true",
                  P + "backend-type",
                  "vxlan",
                  P + "backend-data",
                  "{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:01\"}",
                  P + "public-ip",
                  "192.168.0.1"));
    }
  }

  @Test
  void acquireWithoutNetworkConfigCallReadsTheFileItself() throws Exception {
    create(TestNodes.node("n1").podCidrs("10.244.1.0/24"));
    try (KubeSubnetManager m = support.manager(client, support.options("n1"))) {
      assertThat(m.acquireLease(vxlan("192.168.0.1", "aa:bb:cc:dd:ee:01")).subnet())
          .isEqualTo(Ip4Net.parse("10.244.1.0/24"));
    }
  }

  @Test
  void waitsForAPodCidrAssignedWhileWaiting() throws Exception {
    create(TestNodes.node("n1"));
    KubeOptions options =
        support.options("n1").withPodCidrWait(Duration.ofSeconds(20), Duration.ofMillis(20));
    try (KubeSubnetManager m = support.manager(client, options)) {
      m.networkConfig();
      int before = server.getRequestCount();
      CompletableFuture<Lease> lease =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return m.acquireLease(vxlan("192.168.0.1", "aa:bb:cc:dd:ee:01"));
                } catch (Exception e) {
                  throw new RuntimeException(e);
                }
              });
      await().atMost(Duration.ofSeconds(10)).until(() -> server.getRequestCount() > before + 2);
      assertThat(lease).isNotDone();
      client
          .nodes()
          .withName("n1")
          .edit(
              n -> {
                n.getSpec().setPodCIDR("10.244.7.0/24");
                n.getSpec().setPodCIDRs(List.of("10.244.7.0/24"));
                return n;
              });
      assertThat(lease.get(10, TimeUnit.SECONDS).subnet()).isEqualTo(Ip4Net.parse("10.244.7.0/24"));
    }
  }

  @Test
  void failsWithTheFixWhenNoPodCidrIsAssigned() throws Exception {
    create(TestNodes.node("n1"));
    try (KubeSubnetManager m = support.manager(client, support.options("n1"))) {
      assertThatThrownBy(() -> m.acquireLease(vxlan("192.168.0.1", "aa:bb:cc:dd:ee:01")))
          .isInstanceOf(SubnetException.class)
          .hasMessageStartingWith("node \"n1\" pod cidr not assigned (waited PT0.4S)")
          .hasMessageContaining("--allocate-node-cidrs=true")
          .hasMessageContaining("--cluster-cidr inside Network 10.244.0.0/16")
          .hasMessageContaining("kubeadm init --pod-network-cidr=10.244.0.0/16");
      assertThat(annotationsOf("n1")).doesNotContainKey(P + "kube-subnet-manager");
    }
  }

  @Test
  void failsNamingTheNodeWhenItDoesNotExist() throws Exception {
    try (KubeSubnetManager m = support.manager(client, support.options("ghost"))) {
      assertThatThrownBy(() -> m.acquireLease(vxlan("192.168.0.1", "aa:bb:cc:dd:ee:01")))
          .isInstanceOf(SubnetException.class)
          .hasMessageStartingWith("node ghost not found");
    }
  }

  @Test
  void refusesAPodCidrOutsideTheNetworkWithUpstreamsMessage() throws Exception {
    create(TestNodes.node("n1").podCidrs("10.245.1.0/24"));
    try (KubeSubnetManager m = support.manager(client, support.options("n1"))) {
      assertThatThrownBy(() -> m.acquireLease(vxlan("192.168.0.1", "aa:bb:cc:dd:ee:01")))
          .isInstanceOf(SubnetException.class)
          .hasMessageStartingWith(
              "subnet \"10.244.0.0/16\" specified in the flannel net config doesn't contain"
                  + " \"10.245.1.0/24\" PodCIDR of the \"n1\" node")
          .hasMessageContaining("--cluster-cidr");
      assertThat(annotationsOf("n1")).doesNotContainKey(P + "backend-data");
    }
  }

  @Test
  void dualStackLeaseTakesBothPodCidrsAndWritesTheIpv6Forms() throws Exception {
    create(TestNodes.node("n1").podCidrs("10.244.1.0/24", "fd00:10:244:1::/64"));
    String conf =
        "{\"Network\":\"10.244.0.0/16\",\"EnableIPv6\":true,\"IPv6Network\":\"fd00:10:244::/56\","
            + "\"Backend\":{\"Type\":\"vxlan\"}}";
    try (KubeSubnetManager m = support.manager(client, support.options("n1", conf))) {
      LeaseAttrs attrs =
          new LeaseAttrs(
              Ip4.parse("192.168.0.1"),
              Ip6.parse("fd00::1"),
              "vxlan",
              JSON.readTree("{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:01\"}"),
              JSON.readTree("{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:61\"}"));
      Lease lease = m.acquireLease(attrs);
      assertThat(lease.subnets()).isEqualTo("10.244.1.0/24+fd00:10:244:1::/64");
      assertThat(annotationsOf("n1"))
          .containsEntry(P + "public-ipv6", "fd00::1")
          .containsEntry(P + "backend-v6-data", "{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:61\"}");
    }
  }

  @Test
  void publicIpOverwriteGoesIntoPublicIp() throws Exception {
    create(
        TestNodes.node("n1")
            .podCidrs("10.244.1.0/24")
            .annotation(P + "public-ip-overwrite", "203.0.113.7"));
    try (KubeSubnetManager m = support.manager(client, support.options("n1"))) {
      Lease lease = m.acquireLease(vxlan("192.168.0.1", "aa:bb:cc:dd:ee:01"));
      assertThat(annotationsOf("n1"))
          .containsEntry(P + "public-ip", "203.0.113.7")
          .containsEntry(P + "public-ip-overwrite", "203.0.113.7");
      assertThat(lease.attrs().publicIp()).isEqualTo(Ip4.parse("203.0.113.7"));
    }
  }

  @Test
  void patchesOnlyWhenSomethingDiffersAndOnlyWhatDiffers() throws Exception {
    create(TestNodes.node("n1").podCidrs("10.244.1.0/24"));
    try (KubeSubnetManager m = support.manager(client, support.options("n1"))) {
      m.acquireLease(vxlan("192.168.0.1", "aa:bb:cc:dd:ee:01"));
    }
    String version = client.nodes().withName("n1").get().getMetadata().getResourceVersion();
    try (KubeSubnetManager m = support.manager(client, support.options("n1"))) {
      m.acquireLease(vxlan("192.168.0.1", "aa:bb:cc:dd:ee:01"));
    }
    assertThat(client.nodes().withName("n1").get().getMetadata().getResourceVersion())
        .as("a restart with the same attributes writes nothing")
        .isEqualTo(version);
    client
        .nodes()
        .withName("n1")
        .edit(
            n -> {
              n.getMetadata().getAnnotations().put("added-by-someone", "x");
              return n;
            });
    try (KubeSubnetManager m = support.manager(client, support.options("n1"))) {
      m.acquireLease(vxlan("192.168.0.1", "aa:bb:cc:dd:ee:02"));
    }
    assertThat(annotationsOf("n1"))
        .containsEntry(P + "backend-data", "{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:02\"}")
        .containsEntry("added-by-someone", "x");
  }

  @Test
  void theNodeRecordHoldsThePinnedPublicIpsAndTheLastAdvertisementUnread() throws Exception {
    create(
        TestNodes.node("n1")
            .annotation(P + "node-public-ip", "198.51.100.4")
            .annotation(P + "node-public-ipv6", "2001:db8::4")
            .annotation(P + "public-ip", "192.168.0.1")
            .annotation(P + "backend-type", "vxlan")
            .annotation(P + "backend-data", "{\"VNI\":1,\"VtepMAC\":\"AA:BB:CC:DD:EE:0F\"}")
            .annotation(P + "backend-v6-data", "{\"VNI\":1,\"VtepMAC\":\"nope\"}"));
    create(TestNodes.node("n2").annotation(P + "node-public-ip", "bogus"));
    create(
        TestNodes.node("n3")
            .annotation(P + "backend-type", "vxlan")
            .annotation(P + "backend-data", "{not json"));
    try (KubeSubnetManager m = support.manager(client, support.options("n1"))) {
      NodeRecord r = m.nodeRecord();
      assertThat(r.pinnedPublicIp()).isEqualTo(Ip4.parse("198.51.100.4"));
      assertThat(r.pinnedPublicIpv6()).isEqualTo(Ip6.parse("2001:db8::4"));
      assertThat(r.previousAttrs().publicIp()).isEqualTo(Ip4.parse("192.168.0.1"));
      assertThat(r.previousAttrs().backendType()).isEqualTo("vxlan");
      // passed on as the node kept it: reading the MAC is the backend's business
      assertThat(r.previousAttrs().backendData().toString())
          .isEqualTo("{\"VNI\":1,\"VtepMAC\":\"AA:BB:CC:DD:EE:0F\"}");
      assertThat(r.previousAttrs().backendV6Data().get("VtepMAC").asText()).isEqualTo("nope");
    }
    try (KubeSubnetManager m = support.manager(client, support.options("n2"))) {
      assertThat(m.nodeRecord())
          .as("a bogus pinned IP is ignored, with a warning")
          .isEqualTo(NodeRecord.EMPTY);
    }
    try (KubeSubnetManager m = support.manager(client, support.options("n3"))) {
      NodeRecord r = m.nodeRecord();
      assertThat(r.previousAttrs().backendType()).isEqualTo("vxlan");
      assertThat(r.previousAttrs().backendData()).as("not JSON: left out").isNull();
    }
  }

  @Test
  void setsNetworkUnavailableFalseKeepingTheOtherConditions() throws Exception {
    create(TestNodes.node("n1").podCidrs("10.244.1.0/24").ready());
    try (KubeSubnetManager m = support.manager(client, support.options("n1"))) {
      Lease lease = m.acquireLease(vxlan("192.168.0.1", "aa:bb:cc:dd:ee:01"));
      m.completeLease(
          lease,
          lost -> {
            throw new AssertionError("onLost is never called in kube mode");
          });
      m.completeLease(lease, lost -> {});
    }
    Node node = client.nodes().withName("n1").get();
    assertThat(node.getStatus().getConditions())
        .extracting(NodeCondition::getType)
        .containsExactly("Ready", "MemoryPressure", "NetworkUnavailable");
    NodeCondition c = node.getStatus().getConditions().get(2);
    assertThat(c.getStatus()).isEqualTo("False");
    assertThat(c.getReason()).isEqualTo("FlannelIsUp");
    assertThat(c.getMessage()).isEqualTo("Flannel is running on this node");
    assertThat(Instant.parse(c.getLastHeartbeatTime()))
        .isCloseTo(Instant.now(), within(1, ChronoUnit.MINUTES));
    assertThat(c.getLastTransitionTime()).isNotNull();
    assertThat(node.getStatus().getConditions().get(0).getReason()).isEqualTo("KubeletReady");
    assertThat(node.getMetadata().getAnnotations()).containsEntry(P + "public-ip", "192.168.0.1");
  }

  @Test
  void leavesConditionsAloneWhenTold() throws Exception {
    create(TestNodes.node("n1").podCidrs("10.244.1.0/24").ready());
    KubeOptions options = support.options("n1").withSetNodeNetworkUnavailable(false);
    try (KubeSubnetManager m = support.manager(client, options)) {
      m.completeLease(m.acquireLease(vxlan("192.168.0.1", "aa:bb:cc:dd:ee:01")), lost -> {});
    }
    assertThat(client.nodes().withName("n1").get().getStatus().getConditions()).hasSize(2);
  }

  @Test
  void findsTheNodeNameFromNodeNameOrFromThePod() throws Exception {
    client
        .pods()
        .inNamespace("kube-flannel")
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("kube-flannel-ds-x")
                .withNamespace("kube-flannel")
                .endMetadata()
                .withNewSpec()
                .withNodeName("worker-7")
                .endSpec()
                .build())
        .create();
    KubeOptions base = support.options("ignored");
    try (KubeSubnetManager m =
        support.manager(client, base.withEnv(Map.of("NODE_NAME", "n9")::get))) {
      assertThat(m.nodeName()).isEqualTo("n9");
    }
    Map<String, String> podEnv =
        Map.of("POD_NAME", "kube-flannel-ds-x", "POD_NAMESPACE", "kube-flannel");
    try (KubeSubnetManager m = support.manager(client, base.withEnv(podEnv::get))) {
      assertThat(m.nodeName()).isEqualTo("worker-7");
    }
    assertThatThrownBy(() -> support.manager(client, base.withEnv(Map.of("POD_NAME", "x")::get)))
        .isInstanceOf(SubnetException.class)
        .hasMessageStartingWith("env variables POD_NAME and POD_NAMESPACE must be set")
        .hasMessageContaining("downward API");
    Map<String, String> missing = Map.of("POD_NAME", "gone", "POD_NAMESPACE", "kube-flannel");
    assertThatThrownBy(() -> support.manager(client, base.withEnv(missing::get)))
        .isInstanceOf(SubnetException.class)
        .hasMessageContaining("'kube-flannel/gone' not found");
  }

  @Test
  void reportsAnUnreadableOrMalformedNetConfNamingTheFile() throws Exception {
    create(TestNodes.node("n1"));
    Path absent = dir.resolve("absent.json");
    try (KubeSubnetManager m =
        support.manager(client, support.options("n1").withNetConfigPath(absent))) {
      assertThatThrownBy(m::networkConfig)
          .isInstanceOf(SubnetException.class)
          .hasMessageStartingWith("failed to read net conf " + absent)
          .hasMessageContaining("--net-config-path");
    }
    try (KubeSubnetManager m =
        support.manager(client, support.options("n1", "{\"Network\": 42}"))) {
      assertThatThrownBy(m::networkConfig)
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith(dir.toString());
    }
  }

  @Test
  void watchingOrListingBeforeALeaseIsAProgrammingError() throws Exception {
    try (KubeSubnetManager m = support.manager(client, support.options("n1"))) {
      assertThatThrownBy(() -> m.watchLeases(batch -> {}))
          .isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(m::currentLeases).isInstanceOf(IllegalStateException.class);
    }
  }
}
