package io.jflannel.subnet.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.subnet.LeaseSnapshot;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What flanneld diagnose reads in kube mode: every Node's lease, this node's among them. */
@EnableKubernetesMockClient(
    crud = true,
    https = false,
    kubernetesClientBuilderCustomizer = OnSockets.class)
class KubeSubnetManagerInspectTest {
  KubernetesClient client;
  @TempDir Path dir;
  private KubeTestSupport support;

  @BeforeEach
  void setUp() {
    support = new KubeTestSupport(dir);
  }

  @Test
  void readsEveryNodesLeaseAndThisNodesOwnWithoutWritingAnything() throws Exception {
    client
        .nodes()
        .resource(TestNodes.peer("n1", "10.244.1.0/24", "192.168.0.1", "aa:bb:cc:dd:ee:01").build())
        .create();
    client
        .nodes()
        .resource(TestNodes.peer("n2", "10.244.2.0/24", "192.168.0.2", "aa:bb:cc:dd:ee:02").build())
        .create();
    client.nodes().resource(TestNodes.node("n3").podCidrs("10.244.3.0/24").build()).create();
    String before = client.nodes().list().getMetadata().getResourceVersion();

    try (KubeSubnetManager m = support.manager(client, support.options("n1"))) {
      m.networkConfig();
      LeaseSnapshot snapshot = m.inspect(null);

      assertThat(snapshot.leases())
          .extracting(Lease::subnet)
          .as("n3 carries no flannel annotations: no lease")
          .containsExactlyInAnyOrder(Ip4Net.parse("10.244.1.0/24"), Ip4Net.parse("10.244.2.0/24"));
      Lease own = snapshot.own().orElseThrow();
      assertThat(own.subnet()).isEqualTo(Ip4Net.parse("10.244.1.0/24"));
      assertThat(own.attrs().publicIp()).isEqualTo(Ip4.parse("192.168.0.1"));
      assertThat(own.expiration()).as("kube leases never lapse").isNull();
    }
    assertThat(client.nodes().list().getMetadata().getResourceVersion())
        .as("nothing written")
        .isEqualTo(before);
  }

  @Test
  void aNodeWithoutItsFlannelAnnotationsHasNoOwnLease() throws Exception {
    client.nodes().resource(TestNodes.node("n1").podCidrs("10.244.1.0/24").build()).create();
    try (KubeSubnetManager m = support.manager(client, support.options("n1"))) {
      m.networkConfig();
      assertThat(m.inspect(null).own()).isEmpty();
    }
  }
}
