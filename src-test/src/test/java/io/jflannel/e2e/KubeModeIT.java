package io.jflannel.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.jflannel.netlink.testing.RootOnly;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kube mode, vxlan: three hosts whose daemons run with the DaemonSet's flags ({@code --ip-masq
 * --kube-subnet-mgr}, health on 8081) against fabric8's mock API server ({@link KubeApiServer}),
 * finding their node through {@code NODE_NAME} (h1, h3) or through their pod ({@code POD_NAME},
 * {@code POD_NAMESPACE}: h2), and sharing one cluster for the class as the etcd-mode scenarios do.
 * Each scenario starts from a converged cluster and leaves it that way: nodes and hosts it adds are
 * removed again.
 *
 * <p>The mock cannot do strategic merge patches (it answers 415), so what is compared with upstream
 * is the result on the Node, not the requests.
 */
@ExtendWith(RootOnly.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubeModeIT {
  private static final Logger log = LoggerFactory.getLogger(KubeModeIT.class);
  static final Backend BACKEND = Backend.VXLAN;

  Cluster cluster;
  KubeApiServer kube;

  @BeforeAll
  void startCluster() {
    cluster = newCluster();
    kube = cluster.kube();
  }

  /** The class's cluster: three vxlan hosts on the mock API server. */
  Cluster newCluster() {
    return Cluster.withKube("kube-" + BACKEND.type(), BACKEND, 3);
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
  void everyPodReachesEveryOtherPodAndEachNodeCarriesUpstreamsAnnotationsAndCondition() {
    cluster.assertPodsReachEachOther();

    List<Host> hosts = cluster.hosts();
    SoftAssertions s = new SoftAssertions();
    s.assertThat(kube.leases()).as("nodes advertising a lease").hasSize(hosts.size());
    for (Host h : hosts) {
      String name = KubeApiServer.nodeName(h);
      String podCidr = KubeApiServer.podCidr(h);
      Node registered = KubeApiServer.registeredNode(name, podCidr, h.publicIp());
      Node node = kube.node(name);
      String mac = h.kernel().linkMac(KernelState.VXLAN_DEVICE);

      Map<String, String> annotations = new TreeMap<>(registered.getMetadata().getAnnotations());
      annotations.putAll(UpstreamShapes.nodeAnnotations(BACKEND, h.publicIp(), mac));
      s.assertThat(node.getMetadata().getAnnotations())
          .as("%s annotations: upstream's four flannel ones plus the node's own", name)
          .isEqualTo(annotations);
      s.assertThat(node.getMetadata().getLabels())
          .as("%s labels", name)
          .isEqualTo(registered.getMetadata().getLabels());
      s.assertThat(node.getSpec()).as("%s spec", name).isEqualTo(registered.getSpec());
      s.assertThat(node.getStatus().getAddresses())
          .as("%s addresses", name)
          .isEqualTo(registered.getStatus().getAddresses());

      List<NodeCondition> conditions = node.getStatus().getConditions();
      s.assertThat(conditions)
          .as("%s conditions", name)
          .extracting(NodeCondition::getType)
          .containsExactlyInAnyOrder("Ready", UpstreamShapes.CONDITION_TYPE);
      s.assertThat(conditions)
          .as("%s Ready condition, as kubelet set it", name)
          .filteredOn(c -> c.getType().equals("Ready"))
          .containsExactlyElementsOf(registered.getStatus().getConditions());
      s.assertThat(conditions)
          .as("%s NetworkUnavailable condition", name)
          .filteredOn(c -> c.getType().equals(UpstreamShapes.CONDITION_TYPE))
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.getStatus()).as("status").isEqualTo("False");
                assertThat(c.getReason()).as("reason").isEqualTo(UpstreamShapes.CONDITION_REASON);
                assertThat(c.getMessage())
                    .as("message")
                    .isEqualTo(UpstreamShapes.CONDITION_MESSAGE);
                assertThat(c.getLastTransitionTime()).as("lastTransitionTime").isNotBlank();
              });

      s.assertThat(h.lease().text())
          .as("%s subnet.env (the node's pod CIDR, --ip-masq)", name)
          .isEqualTo(UpstreamShapes.subnetEnv(BACKEND, podCidr, true));
      ProgrammedPeers.assertUpstreamShaped(s, BACKEND, h, hosts);

      KernelState k = h.kernel();
      s.assertThat(k.iptablesRules("nat", "POSTROUTING"))
          .as("%s flannel's rules in nat POSTROUTING", name)
          .filteredOn(r -> r.contains("flannel") || r.contains("FLANNEL"))
          .containsExactly(UpstreamShapes.MASQ_JUMP);
      s.assertThat(k.iptablesRules("nat", "FLANNEL-POSTRTG"))
          .as("%s nat FLANNEL-POSTRTG (--ip-masq)", name)
          .containsExactlyElementsOf(UpstreamShapes.masqRules(podCidr));
      s.assertThat(k.iptablesRules("filter", "FORWARD"))
          .as("%s flannel's rules in filter FORWARD", name)
          .filteredOn(r -> r.contains("flannel") || r.contains("FLANNEL"))
          .containsExactly(UpstreamShapes.FORWARD_JUMP);
      s.assertThat(k.iptablesRules("filter", "FLANNEL-FWD"))
          .as("%s filter FLANNEL-FWD", name)
          .containsExactlyElementsOf(UpstreamShapes.forwardRules());
    }
    s.assertAll();
  }

  @Test
  @Order(2)
  void removesRouteArpAndFdbOfNodeDeletedWhileItsDaemonWasDown() {
    Host leaver = cluster.addHost();
    cluster.start(leaver);
    cluster.awaitConverged();
    cluster.assertPodsReachEachOther();
    String gone = leaver.lease().lease();
    String goneMac = leaver.kernel().linkMac(KernelState.VXLAN_DEVICE);

    assertThat(leaver.daemon().terminate())
        .as("leaver exit status after SIGTERM\n%s", leaver.daemon().logTail(20))
        .isZero();
    kube.deleteNode(KubeApiServer.nodeName(leaver));
    long t0 = System.nanoTime();
    cluster.awaitConverged(Duration.ofSeconds(15));
    log.info(
        "kube: running hosts forgot the deleted node in {} ms",
        (System.nanoTime() - t0) / 1_000_000);

    SoftAssertions s = new SoftAssertions();
    for (Host h : cluster.hosts()) {
      if (h == leaver) {
        continue;
      }
      KernelState k = h.kernel();
      s.assertThat(k.overlayRoutes(Backend.NETWORK))
          .as("%s routes to the deleted node's %s", h.name(), gone)
          .noneMatch(r -> r.startsWith(gone + " "));
      s.assertThat(k.neighbours(KernelState.VXLAN_DEVICE))
          .as("%s ARP entries of the deleted node", h.name())
          .noneMatch(n -> n.startsWith(Ip4.address(gone) + " ") || n.contains(goneMac));
      s.assertThat(k.fdb(KernelState.VXLAN_DEVICE))
          .as("%s FDB entries of the deleted node", h.name())
          .noneMatch(f -> f.startsWith(goneMac) || f.contains(" dst " + leaver.publicIp() + " "));
    }
    s.assertAll();
    cluster.removeHost(leaver);
    cluster.assertPodsReachEachOther();
  }

  /**
   * Two nodes flannel must skip, each with one kind of garbage: a public-ip that is not an address,
   * and backend-data that is not JSON (with an otherwise valid lease, so a daemon that did not
   * check it would program a peer).
   */
  @Test
  @Order(3)
  void skipsNodesWithGarbageAnnotationsWithWarningAndKeepsEveryOtherPeerWorking() {
    String p = KubeApiServer.ANNOTATION_PREFIX;
    Map<String, Map<String, String>> garbage = new LinkedHashMap<>();
    garbage.put(
        "garbage-ip",
        Map.of(
            p + "kube-subnet-manager", "true",
            p + "backend-type", "vxlan",
            p + "backend-data", "{\"VNI\":1,\"VtepMAC\":\"02:00:00:00:fa:01\"}",
            p + "public-ip", "not-an-ip"));
    garbage.put(
        "garbage-data",
        Map.of(
            p + "kube-subnet-manager", "true",
            p + "backend-type", "vxlan",
            p + "backend-data", "{",
            p + "public-ip", "192.168.100.99"));
    int third = 250;
    for (Map.Entry<String, Map<String, String>> g : garbage.entrySet()) {
      Node node =
          KubeApiServer.registeredNode(g.getKey(), "10.244." + third++ + ".0/24", "192.168.100.99");
      node.getMetadata().getAnnotations().putAll(g.getValue());
      kube.createNode(node);
    }
    try {
      for (Host h : cluster.hosts()) {
        garbage.keySet().forEach(h::awaitWarningNaming);
      }
      cluster.awaitConverged(); // exactly the real peers: nothing for 10.244.250/251.0/24
      cluster.assertPodsReachEachOther();

      // a daemon that starts while the garbage is there meets it in its first list
      Host h = cluster.host(2);
      assertThat(h.daemon().terminate())
          .as("exit status after SIGTERM\n%s", h.daemon().logTail(20))
          .isZero();
      cluster.start(h);
      garbage.keySet().forEach(h::awaitWarningNaming);
      cluster.awaitConverged();
      cluster.assertPodsReachEachOther();
    } finally {
      garbage.keySet().forEach(kube::deleteNode);
    }
  }

  @Test
  @Order(4)
  void exitsOneWithOneClearLineWhenNetworkDoesNotContainPodCidr() {
    Host h = cluster.addHost();
    String name = KubeApiServer.nodeName(h);
    String outside = "10.99.0.0/24";
    try {
      // re-registered rather than patched: the mock merges a merge patch's lists into the old ones
      kube.deleteNode(name);
      kube.createNode(KubeApiServer.registeredNode(name, outside, h.publicIp()));
      List<String> flags = new ArrayList<>(cluster.daemonFlags(h));
      int v = flags.indexOf("-v");
      flags.subList(v, v + 2).clear(); // what an operator sees by default
      Daemon d = cluster.launch(h, flags);
      int exit = d.awaitExit(Duration.ofSeconds(60));
      String out = d.output();
      List<String> errorLines =
          out.lines()
              .filter(l -> l.startsWith("flanneld: ") || l.matches("\\S+ ERROR .*"))
              .toList();
      Node node = kube.node(name);

      SoftAssertions s = new SoftAssertions();
      s.assertThat(exit).as("exit status; output:\n%s", out).isEqualTo(1);
      s.assertThat(errorLines).as("error lines; output:\n%s", out).hasSize(1);
      if (errorLines.size() == 1) {
        s.assertThat(errorLines.get(0))
            .as("the error line names the problem, the node, both CIDRs and the fix")
            .contains("doesn't contain", name, outside, Backend.NETWORK, "net-conf.json");
      }
      s.assertThat(out.lines())
          .as("stack trace lines in the output")
          .noneMatch(l -> l.matches("\\s+at [\\w.$]+\\(.*"));
      s.assertThat(h.subnetEnv()).as("subnet.env").isEmpty();
      s.assertThat(node.getMetadata().getAnnotations())
          .as("annotations of %s", name)
          .isEqualTo(
              KubeApiServer.registeredNode(name, outside, h.publicIp())
                  .getMetadata()
                  .getAnnotations());
      s.assertThat(node.getStatus().getConditions())
          .as("conditions of %s", name)
          .extracting(NodeCondition::getType)
          .containsExactly("Ready");
      s.assertAll();
    } finally {
      cluster.removeHost(h);
      kube.deleteNode(name);
    }
  }
}
