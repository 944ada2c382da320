package io.jflannel.subnet.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.jflannel.core.subnet.SubnetException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API calls on this node's own Node object: read it (and its annotations), wait for its pod
 * CIDR, publish the lease annotations, set the NetworkUnavailable condition.
 *
 * <p>Writes go through the {@code nodes/status} subresource, as upstream's do, because that is all
 * the flannel ClusterRole of kube-flannel.yml may patch ({@code nodes}: get, list, watch; {@code
 * nodes/status}: patch):
 *
 * <ul>
 *   <li>Annotations: a JSON merge patch {@code {"metadata":{"annotations":{...}}}} holding only the
 *       changed keys, so other annotations are left alone. Upstream sends a strategic merge patch;
 *       for a map the two are the same, and fabric8's mock API server refuses strategic merge
 *       (415). A real API server keeps metadata changes made through {@code nodes/status} (its node
 *       status strategy resets only {@code spec}); fabric8's mock keeps only the status stanza. So
 *       the response is checked, and if the annotations did not stick, the same patch is sent to
 *       the Node itself (which needs {@code patch} on {@code nodes}).
 *   <li>The condition: fabric8's {@code editStatus}, i.e. read, change the one condition, send the
 *       JSON Patch difference with the resourceVersion as a precondition, retried on conflict. A
 *       merge patch would replace the whole conditions list (kubelet's Ready and the pressure
 *       conditions with it); upstream's strategic merge keys the list by type, which the mock
 *       cannot do.
 * </ul>
 *
 * <p>Thread-safe (the client is); stateless apart from its settings.
 */
final class OwnNode {

  private static final Logger log = LoggerFactory.getLogger(OwnNode.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CONFLICT_ATTEMPTS = 5;

  static final String CONDITION_TYPE = "NetworkUnavailable";
  static final String CONDITION_REASON = "FlannelIsUp";
  static final String CONDITION_MESSAGE = "Flannel is running on this node";

  private final KubernetesClient client;
  private final String name;
  private final Clock clock;

  OwnNode(KubernetesClient client, String name, Clock clock) {
    this.client = client;
    this.name = name;
    this.clock = clock;
  }

  /** Returns the node's name. */
  String name() {
    return name;
  }

  /**
   * Reads the Node.
   *
   * @throws SubnetException if it does not exist or cannot be read
   */
  Node get() throws SubnetException {
    Node node;
    try {
      node = client.nodes().withName(name).get();
    } catch (KubernetesClientException e) {
      throw new SubnetException("cannot get node " + name + ": " + e.getMessage(), e);
    }
    if (node == null) {
      throw new SubnetException(
          "node "
              + name
              + " not found: NODE_NAME (or the pod's spec.nodeName) must name this node");
    }
    return node;
  }

  /**
   * Reads the Node until it has a pod CIDR, for at most {@code timeout}.
   *
   * @param network the net config's network(s), for the fix in the error message
   * @throws SubnetException if the node is missing, unreadable or without a pod CIDR when the time
   *     is up; the message names the cause and the fix
   */
  Node awaitPodCidr(Duration timeout, Duration interval, String network)
      throws SubnetException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Node node = null;
      KubernetesClientException failure = null;
      try {
        node = client.nodes().withName(name).get();
      } catch (KubernetesClientException e) {
        failure = e;
        throwIfInterrupted(e);
      }
      if (node != null && hasPodCidr(node)) {
        return node;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        if (failure != null) {
          throw new SubnetException(
              "cannot get node " + name + " (tried for " + timeout + "): " + failure.getMessage(),
              failure);
        }
        if (node == null) {
          throw new SubnetException(
              "node "
                  + name
                  + " not found (waited "
                  + timeout
                  + "): NODE_NAME (or the pod's spec.nodeName) must name a registered node");
        }
        throw new SubnetException(
            "node \""
                + name
                + "\" pod cidr not assigned (waited "
                + timeout
                + "): run kube-controller-manager with --allocate-node-cidrs=true and a"
                + " --cluster-cidr inside Network "
                + network
                + " (kubeadm: kubeadm init --pod-network-cidr="
                + network
                + "), or set spec.podCIDR on the node");
      }
      log.debug("node {} has no pod CIDR yet; looking again", name);
      Thread.sleep(Math.max(1, Math.min(interval.toMillis(), left / 1_000_000)));
    }
  }

  /**
   * Publishes annotation values on the Node, leaving its other annotations alone.
   *
   * @param changes the annotations to set (only those that differ)
   * @param expected all the values that must be present afterwards
   * @throws SubnetException if the API server refuses both ways of writing them
   */
  void publish(Map<String, String> changes, OwnAnnotations expected) throws SubnetException {
    String patch;
    try {
      patch = JSON.writeValueAsString(Map.of("metadata", Map.of("annotations", changes)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an annotation patch", e);
    }
    PatchContext merge = PatchContext.of(PatchType.JSON_MERGE);
    Node after;
    try {
      after = client.nodes().withName(name).subresource("status").patch(merge, patch);
    } catch (KubernetesClientException e) {
      throw new SubnetException(
          "cannot patch annotations of node "
              + name
              + " through nodes/status: "
              + e.getMessage()
              + "; the flannel ClusterRole needs patch on nodes/status",
          e);
    }
    if (expected.appliedTo(after.getMetadata().getAnnotations())) {
      return;
    }
    log.debug(
        "node {}: the API server dropped annotations sent to nodes/status; patching the node",
        name);
    try {
      after = client.nodes().withName(name).patch(merge, patch);
    } catch (KubernetesClientException e) {
      throw new SubnetException(
          "cannot patch annotations of node "
              + name
              + ": the API server ignored them on nodes/status and refused them on the node: "
              + e.getMessage(),
          e);
    }
    if (!expected.appliedTo(after.getMetadata().getAnnotations())) {
      throw new SubnetException(
          "the API server accepted the annotations of node " + name + " but did not keep them");
    }
  }

  /** Returns the node's annotations as the API server has them now; empty when it has none. */
  Map<String, String> annotations() throws SubnetException {
    Map<String, String> annotations = get().getMetadata().getAnnotations();
    return annotations == null ? Map.of() : annotations;
  }

  /**
   * Sets the condition {@code NetworkUnavailable=False}, reason {@code FlannelIsUp}, keeping every
   * other condition of the node.
   *
   * @throws SubnetException if the status cannot be patched
   */
  void setNetworkAvailable() throws SubnetException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
      try {
        client.nodes().withName(name).editStatus(node -> withCondition(node, now));
        return;
      } catch (KubernetesClientException e) {
        throwIfInterrupted(e);
        if (e.getCode() == HttpURLConnection.HTTP_CONFLICT && attempt < CONFLICT_ATTEMPTS) {
          log.debug("node {} changed while setting its condition; trying again", name);
          continue;
        }
        throw new SubnetException(
            "cannot set condition NetworkUnavailable=False on node "
                + name
                + ": "
                + e.getMessage()
                + "; the flannel ClusterRole needs patch on nodes/status (or run with"
                + " --set-node-network-unavailable=false)",
            e);
      }
    }
  }

  private static Node withCondition(Node node, String now) {
    if (node.getStatus() == null) {
      node.setStatus(new NodeStatus());
    }
    List<NodeCondition> conditions =
        node.getStatus().getConditions() == null
            ? new ArrayList<>()
            : new ArrayList<>(node.getStatus().getConditions());
    NodeCondition condition =
        new NodeConditionBuilder()
            .withType(CONDITION_TYPE)
            .withStatus("False")
            .withReason(CONDITION_REASON)
            .withMessage(CONDITION_MESSAGE)
            .withLastTransitionTime(now)
            .withLastHeartbeatTime(now)
            .build();
    boolean replaced = false;
    for (int i = 0; i < conditions.size(); i++) {
      if (CONDITION_TYPE.equals(conditions.get(i).getType())) {
        conditions.set(i, condition);
        replaced = true;
      }
    }
    if (!replaced) {
      conditions.add(condition);
    }
    node.getStatus().setConditions(conditions);
    return node;
  }

  static boolean hasPodCidr(Node node) {
    if (node.getSpec() == null) {
      return false;
    }
    String cidr = node.getSpec().getPodCIDR();
    List<String> cidrs = node.getSpec().getPodCIDRs();
    return (cidr != null && !cidr.isEmpty()) || (cidrs != null && !cidrs.isEmpty());
  }

  private static void throwIfInterrupted(KubernetesClientException e) throws InterruptedException {
    if (Thread.currentThread().isInterrupted() || e.getCause() instanceof InterruptedException) {
      Thread.interrupted();
      InterruptedException interrupted =
          new InterruptedException("interrupted talking to the API server");
      interrupted.initCause(e);
      throw interrupted;
    }
  }
}
