package io.jflannel.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.netlink.testing.RootOnly;
import java.time.Duration;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Kube mode (the mock API server, the DaemonSet's flags) on the wireguard backend, userspace path:
 * three hosts, every pod pings every other, each Node carries upstream's annotations with {@code
 * {"PublicKey":...}} as backend data, each host holds exactly one WireGuard peer per other Node; a
 * fourth host joins and its Node is then deleted, and the others drop its peer.
 */
@ExtendWith(RootOnly.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WireguardKubeIT {
  private Cluster cluster;
  private KubeApiServer kube;

  @BeforeAll
  void startCluster() {
    cluster = Cluster.withKube("kube-wireguard", Backend.WIREGUARD, 3);
    kube = cluster.kube();
  }

  @AfterAll
  void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void fromAConvergedCluster() {
    cluster.awaitConverged();
  }

  @Test
  @Order(1)
  void everyPodReachesEveryOtherPodAndNodesCarryThePublicKey() {
    cluster.assertPodsReachEachOther();
    SoftAssertions s = new SoftAssertions();
    for (Host h : cluster.hosts()) {
      String name = KubeApiServer.nodeName(h);
      Map<String, String> annotations = kube.node(name).getMetadata().getAnnotations();
      Map<String, String> want =
          UpstreamShapes.nodeAnnotations(Backend.WIREGUARD, h.publicIp(), Wireguard.publicKey(h));
      want.forEach(
          (k, v) -> s.assertThat(annotations).as("%s annotations", name).containsEntry(k, v));
    }
    s.assertAll();
  }

  @Test
  @Order(2)
  void aFourthHostJoinsAndItsDeletedNodeIsForgotten() {
    Host joiner = cluster.addHost();
    cluster.start(joiner);
    cluster.awaitConverged();
    cluster.assertPodsReachEachOther();
    String key = Wireguard.publicKey(joiner);

    assertThat(joiner.daemon().terminate()).as("exit status after SIGTERM").isZero();
    kube.deleteNode(KubeApiServer.nodeName(joiner));
    cluster.awaitConverged(Duration.ofSeconds(15));
    for (Host h : cluster.hosts()) {
      if (h != joiner) {
        assertThat(String.join("\n", Wireguard.dump(h)))
            .as("%s still has the deleted node's peer", h.name())
            .doesNotContain(key);
      }
    }
    cluster.removeHost(joiner);
    cluster.assertPodsReachEachOther();
  }
}
