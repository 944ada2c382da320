package io.jflannel.subnet.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds Nodes for the tests: a name, pod CIDRs, and flannel's annotations as upstream writes them.
 */
final class TestNodes {

  static final String P = "flannel.alpha.coreos.com/";

  private final String name;
  private final Map<String, String> annotations = new LinkedHashMap<>();
  private List<String> podCidrs = List.of();
  private boolean ready;

  private TestNodes(String name) {
    this.name = name;
  }

  static TestNodes node(String name) {
    return new TestNodes(name);
  }

  /** A flannel vxlan peer: managed, public-ip, backend data with the given MAC. */
  static TestNodes peer(String name, String podCidr, String publicIp, String mac) {
    return node(name).podCidrs(podCidr).vxlan(publicIp, mac);
  }

  TestNodes podCidrs(String... cidrs) {
    this.podCidrs = List.of(cidrs);
    return this;
  }

  TestNodes vxlan(String publicIp, String mac) {
    annotations.put(P + "kube-subnet-manager", "true");
    annotations.put(P + "backend-type", "vxlan");
    annotations.put(P + "backend-data", "{\"VNI\":1,\"VtepMAC\":\"" + mac + "\"}");
    annotations.put(P + "public-ip", publicIp);
    return this;
  }

  TestNodes annotation(String key, String value) {
    annotations.put(key, value);
    return this;
  }

  TestNodes without(String key) {
    annotations.remove(key);
    return this;
  }

  /** Adds kubelet's Ready condition, so tests can check it survives. */
  TestNodes ready() {
    this.ready = true;
    return this;
  }

  Node build() {
    NodeBuilder b =
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .withAnnotations(new LinkedHashMap<>(annotations))
            .addToAnnotations("node.alpha.kubernetes.io/ttl", "0")
            .addToLabels("kubernetes.io/hostname", name)
            .endMetadata()
            .withNewSpec()
            .withPodCIDR(podCidrs.isEmpty() ? null : podCidrs.get(0))
            .withPodCIDRs(podCidrs)
            .endSpec();
    if (ready) {
      b.withNewStatus()
          .withConditions(
              new NodeConditionBuilder()
                  .withType("Ready")
                  .withStatus("True")
                  .withReason("KubeletReady")
                  .withMessage("kubelet is posting ready status")
                  .withLastHeartbeatTime("2026-11-21T00:00:00Z")
                  .withLastTransitionTime("2026-11-21T00:00:00Z")
                  .build(),
              new NodeConditionBuilder()
                  .withType("MemoryPressure")
                  .withStatus("False")
                  .withReason("KubeletHasSufficientMemory")
                  .build())
          .endStatus();
    }
    return b.build();
  }
}
