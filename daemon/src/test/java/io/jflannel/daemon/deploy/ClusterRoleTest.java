package io.jflannel.daemon.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.subnet.LeaseWatch;
import io.jflannel.subnet.kube.KubeOptions;
import io.jflannel.subnet.kube.KubeSubnetManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ClusterRole in deploy/ grants exactly what the kube subnet manager uses: a realistic run
 * against the mock API server (read the own node's stored public IP and VTEP MAC, read the net
 * config, acquire the lease with an annotation patch, watch all nodes with the informer, read the
 * current leases, set the NetworkUnavailable condition), once with {@code NODE_NAME} and once with
 * {@code POD_NAME}/{@code POD_NAMESPACE}, records every request the server received, maps each to
 * its RBAC (resource, verb) and compares the set with the role's rules: nothing missing (the daemon
 * would get 403 in a real cluster) and nothing extra (least privilege).
 */
@EnableKubernetesMockClient(crud = true, https = false)
class ClusterRoleTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String P = "flannel.alpha.coreos.com/";

  KubernetesClient client;
  KubernetesMockServer server;
  @TempDir Path dir;
  private Path netConf;
  private int seen; // requests taken from the server so far

  @BeforeEach
  void setUp() throws Exception {
    netConf = dir.resolve("net-conf.json");
    Files.writeString(
        netConf,
        "{\"Network\":\"10.244.0.0/16\",\"EnableNFTables\":false,\"Backend\":{\"Type\":\"vxlan\"}}");
  }

  private static Node node(String name, String podCidr, boolean flannel, int i) {
    NodeBuilder b =
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .addToLabels("kubernetes.io/hostname", name)
            .endMetadata()
            .withNewSpec()
            .withPodCIDR(podCidr)
            .withPodCIDRs(podCidr)
            .endSpec()
            .withNewStatus()
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .withReason("KubeletReady")
            .endCondition()
            .endStatus();
    if (flannel) {
      b.editMetadata()
          .addToAnnotations(P + "kube-subnet-manager", "true")
          .addToAnnotations(P + "backend-type", "vxlan")
          .addToAnnotations(
              P + "backend-data", "{\"VNI\":1,\"VtepMAC\":\"0e:00:00:00:00:0" + i + "\"}")
          .addToAnnotations(P + "public-ip", "192.168.0." + i)
          .endMetadata();
    }
    return b.build();
  }

  private void cluster(String own) {
    client.nodes().resource(node(own, "10.244.1.0/24", false, 1)).create();
    client.nodes().resource(node("peer-2", "10.244.2.0/24", true, 2)).create();
    client.nodes().resource(node("peer-3", "10.244.3.0/24", true, 3)).create();
  }

  /**
   * Runs the daemon's kube-mode sequence (Daemon.start) on its own client, as in production, and
   * returns its requests: all the server received meanwhile but the test's own edit of a peer, made
   * while the daemon only holds its watch open.
   */
  private List<RecordedRequest> runDaemonSequence(Map<String, String> env, String peer3Ip)
      throws Exception {
    List<RecordedRequest> daemon = new ArrayList<>();
    KubeOptions options =
        KubeOptions.defaults()
            .withApiUrl(server.url("/"))
            .withNetConfigPath(netConf)
            .withEnv(env::get)
            .withPodCidrWait(Duration.ofSeconds(5), Duration.ofMillis(50));
    try (KubeSubnetManager m = KubeSubnetManager.connect(options)) {
      m.networkConfig();
      m.nodeRecord(); // before interface selection and the backend's device
      Lease lease =
          m.acquireLease(
              new LeaseAttrs(
                  Ip4.parse("192.168.0.1"),
                  null,
                  "vxlan",
                  JSON.readTree("{\"VNI\":1,\"VtepMAC\":\"0e:00:00:00:00:01\"}"),
                  null));
      Set<String> peers = ConcurrentHashMap.newKeySet();
      try (LeaseWatch watch =
          m.watchLeases(
              events ->
                  events.forEach(
                      e -> {
                        if (e instanceof LeaseEvent.Added) {
                          peers.add(e.lease().subnets());
                        }
                      }))) {
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> peers.containsAll(Set.of("10.244.2.0/24", "10.244.3.0/24")));
        // the reconcile's source: the cache, no call
        assertThat(m.currentLeases()).hasSizeGreaterThanOrEqualTo(2);
        m.completeLease(lease, lost -> {});
        daemon.addAll(takeRequests());
        // a peer changes while we watch: arrives on the open watch, no new request
        client
            .nodes()
            .withName("peer-3")
            .edit(
                n -> {
                  n.getMetadata().getAnnotations().put(P + "public-ip", peer3Ip);
                  return n;
                });
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    m.currentLeases().stream()
                        .anyMatch(l -> l.attrs().publicIp().equals(Ip4.parse(peer3Ip))));
        takeRequests(); // the edit's GET and PATCH
      }
    }
    daemon.addAll(takeRequests());
    return daemon;
  }

  /** Every request since the last call, in arrival order. */
  private List<RecordedRequest> takeRequests() throws InterruptedException {
    List<RecordedRequest> out = new ArrayList<>();
    int total = server.getRequestCount();
    for (; seen < total; seen++) {
      RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
      if (r == null) {
        break;
      }
      out.add(r);
    }
    return out;
  }

  /**
   * The (resource, verb) set of the daemon's requests, less one artefact of the mock: fabric8's
   * mock API server keeps only the status stanza of a {@code nodes/status} patch, so OwnNode sees
   * its annotations dropped and sends the same merge patch to the node itself (fabric8 reads the
   * node first). A real API server keeps metadata written through {@code nodes/status} (its node
   * status strategy resets only spec; upstream flannel relies on the same), so that fallback, and
   * the patch on {@code nodes} it would need, never happen there. It is recognised by its exact
   * shape: {@code PATCH nodes/N/status}, {@code GET nodes/N}, {@code PATCH nodes/N}.
   */
  private static Set<ApiCall> calls(List<RecordedRequest> requests) {
    Set<ApiCall> calls = new LinkedHashSet<>();
    for (int i = 0; i < requests.size(); i++) {
      RecordedRequest r = requests.get(i);
      boolean mockFallback =
          i >= 2
              && r.getMethod().equals("PATCH")
              && r.getPath().matches("/api/v1/nodes/[^/?]+")
              && requests.get(i - 1).getMethod().equals("GET")
              && requests.get(i - 1).getPath().equals(r.getPath())
              && requests.get(i - 2).getMethod().equals("PATCH")
              && requests.get(i - 2).getPath().equals(r.getPath() + "/status");
      if (!mockFallback) {
        calls.add(ApiCall.of(r.getMethod(), r.getPath()));
      }
    }
    return calls;
  }

  private Set<ApiCall> granted() {
    ClusterRole role = Manifests.only(Manifests.loadAll(client), ClusterRole.class, "flannel");
    Set<ApiCall> granted = new LinkedHashSet<>();
    for (PolicyRule rule : role.getRules()) {
      assertThat(rule.getResourceNames()).as("no resourceNames: node names vary").isNullOrEmpty();
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            assertThat(List.of(group, resource, verb)).as("no wildcards").doesNotContain("*");
            granted.add(new ApiCall(group, resource, verb));
          }
        }
      }
    }
    return granted;
  }

  private static Set<String> sorted(Set<ApiCall> calls) {
    Set<String> s = new TreeSet<>();
    calls.forEach(c -> s.add(c.toString()));
    return s;
  }

  @Test
  void clusterRoleGrantsExactlyTheCallsOfAKubeModeRunWithEitherWayOfFindingTheNode()
      throws Exception {
    cluster("n1");
    client
        .pods()
        .inNamespace("kube-flannel")
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("kube-flannel-ds-x7k2p")
                .withNamespace("kube-flannel")
                .endMetadata()
                .withNewSpec()
                .withNodeName("n2")
                .addNewContainer()
                .withName("kube-flannel")
                .withImage("ghcr.io/jflannel/jflannel:v0.1.0")
                .endContainer()
                .endSpec()
                .build())
        .create();
    client.nodes().resource(node("n2", "10.244.4.0/24", false, 4)).create();
    takeRequests(); // the set-up's own requests

    Set<ApiCall> withNodeName = calls(runDaemonSequence(Map.of("NODE_NAME", "n1"), "192.168.0.33"));
    Set<ApiCall> withPodName =
        calls(
            runDaemonSequence(
                Map.of("POD_NAME", "kube-flannel-ds-x7k2p", "POD_NAMESPACE", "kube-flannel"),
                "192.168.0.34"));

    assertThat(sorted(withNodeName))
        .containsExactly("nodes/status:patch", "nodes:get", "nodes:list", "nodes:watch");
    assertThat(sorted(withPodName)).contains("pods:get");
    Set<ApiCall> used = new LinkedHashSet<>(withNodeName);
    used.addAll(withPodName);
    assertThat(sorted(granted()))
        .as("ClusterRole flannel in deploy/ against the calls of a recorded run")
        .isEqualTo(sorted(used));
  }

  @Test
  void mapsRequestsToTheirRbacResourceAndVerb() {
    assertThat(ApiCall.of("GET", "/api/v1/nodes/n1")).hasToString("nodes:get");
    assertThat(ApiCall.of("GET", "/api/v1/nodes?resourceVersion=0")).hasToString("nodes:list");
    assertThat(ApiCall.of("GET", "/api/v1/nodes?allowWatchBookmarks=true&watch=true"))
        .hasToString("nodes:watch");
    assertThat(ApiCall.of("PATCH", "/api/v1/nodes/n1/status")).hasToString("nodes/status:patch");
    assertThat(ApiCall.of("GET", "/api/v1/namespaces/kube-flannel/pods/p")).hasToString("pods:get");
    assertThat(ApiCall.of("PUT", "/apis/apps/v1/namespaces/ns/daemonsets/ds"))
        .hasToString("apps/daemonsets:update");
    assertThat(ApiCall.of("DELETE", "/api/v1/nodes")).hasToString("nodes:deletecollection");
    assertThatThrownBy(() -> ApiCall.of("GET", "/version"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
