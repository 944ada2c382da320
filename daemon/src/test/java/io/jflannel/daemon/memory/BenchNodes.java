package io.jflannel.daemon.memory;

import io.fabric8.kubernetes.api.model.ContainerImage;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Realistic Nodes for the memory benchmark, about 15 KB of JSON each as a cloud node of a
 * kubeadm/kubelet cluster looks: a dozen labels, kubeadm's and flannel's annotations, three
 * managedFields entries, capacity, five conditions, addresses, node info and 50 cached images
 * (kubelet's nodeStatusMaxImages).
 *
 * <p>Node {@code i} has pod CIDR {@code 10.(i>>8).(i&255).0/24} (inside Network 10.0.0.0/8), and,
 * if it is a flannel peer, a vxlan lease with public IP {@code 172.16.(i>>8).(i&255)} and VTEP MAC
 * {@code 0e:00:00:00:hh:ll}.
 */
final class BenchNodes {
  private BenchNodes() {}

  static final String P = "flannel.alpha.coreos.com/";

  static String name(int i) {
    return String.format(Locale.ROOT, "bench-node-%05d", i);
  }

  static String podCidr(int i) {
    return "10." + (i >> 8) + "." + (i & 255) + ".0/24";
  }

  static String publicIp(int i) {
    return "172.16." + (i >> 8) + "." + (i & 255);
  }

  /** Node {@code i}; with {@code flannel}, annotated as a running flannel vxlan node. */
  static Node node(int i, boolean flannel) {
    String name = name(i);
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("beta.kubernetes.io/arch", "amd64");
    labels.put("beta.kubernetes.io/instance-type", "n2-standard-8");
    labels.put("beta.kubernetes.io/os", "linux");
    labels.put("failure-domain.beta.kubernetes.io/region", "europe-west4");
    labels.put("failure-domain.beta.kubernetes.io/zone", "europe-west4-" + "abc".charAt(i % 3));
    labels.put("kubernetes.io/arch", "amd64");
    labels.put("kubernetes.io/hostname", name);
    labels.put("kubernetes.io/os", "linux");
    labels.put("node.kubernetes.io/instance-type", "n2-standard-8");
    labels.put("topology.kubernetes.io/region", "europe-west4");
    labels.put("topology.kubernetes.io/zone", "europe-west4-" + "abc".charAt(i % 3));
    labels.put("cloud.example.com/nodepool", "pool-" + (i % 7));
    labels.put("cloud.example.com/machine-family", "n2");
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(
        "kubeadm.alpha.kubernetes.io/cri-socket", "unix:///run/containerd/containerd.sock");
    annotations.put("node.alpha.kubernetes.io/ttl", "0");
    annotations.put("volumes.kubernetes.io/controller-managed-attach-detach", "true");
    annotations.put(
        "csi.volume.kubernetes.io/nodeid",
        "{\"pd.csi.storage.gke.io\":\"projects/bench/zones/europe-west4-a/instances/"
            + name
            + "\"}");
    if (flannel) {
      annotations.put(
          P + "backend-data",
          String.format(
              Locale.ROOT, "{\"VNI\":1,\"VtepMAC\":\"0e:00:00:00:%02x:%02x\"}", i >> 8, i & 255));
      annotations.put(P + "backend-type", "vxlan");
      annotations.put(P + "kube-subnet-manager", "true");
      annotations.put(P + "public-ip", publicIp(i));
    }
    String ts = "2026-11-21T08:00:00Z";
    List<NodeCondition> conditions = new ArrayList<>();
    conditions.add(
        condition(
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
            ts));
    conditions.add(
        condition(
            "DiskPressure",
            "False",
            "KubeletHasNoDiskPressure",
            "kubelet has no disk pressure",
            ts));
    conditions.add(
        condition(
            "PIDPressure",
            "False",
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available",
            ts));
    conditions.add(
        condition(
            "Ready",
            "True",
            "KubeletReady",
            "kubelet is posting ready status. AppArmor enabled",
            ts));
    if (flannel) {
      conditions.add(
          condition(
              "NetworkUnavailable", "False", "FlannelIsUp", "Flannel is running on this node", ts));
    } else {
      conditions.add(
          condition(
              "NetworkUnavailable", "True", "NoRouteCreated", "Node created without a route", ts));
    }
    List<ContainerImage> images = new ArrayList<>();
    for (int k = 0; k < 50; k++) { // kubelet reports at most 50 (nodeStatusMaxImages)
      String repo = "registry.example.com/platform/component-" + k;
      images.add(
          new ContainerImage(
              List.of(repo + "@sha256:" + hex64(i * 31 + k), repo + ":v1." + k + ".3"),
              30_000_000L + 1_000_003L * k));
    }
    Map<String, Quantity> capacity = new LinkedHashMap<>();
    capacity.put("cpu", new Quantity("8"));
    capacity.put("ephemeral-storage", new Quantity("98831908Ki"));
    capacity.put("hugepages-1Gi", new Quantity("0"));
    capacity.put("hugepages-2Mi", new Quantity("0"));
    capacity.put("memory", new Quantity("32869108Ki"));
    capacity.put("pods", new Quantity("110"));
    Map<String, Quantity> allocatable = new LinkedHashMap<>(capacity);
    allocatable.put("cpu", new Quantity("7910m"));
    allocatable.put("memory", new Quantity("29094644Ki"));
    String internal = "192.168." + (i >> 8) + "." + (i & 255);
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .withUid(uuid(i))
        .withCreationTimestamp(ts)
        .withLabels(labels)
        .withAnnotations(annotations)
        .withManagedFields(
            managed(
                "kubelet",
                "Update",
                "{\"f:metadata\":{\"f:annotations\":{\".\":{},"
                    + "\"f:node.alpha.kubernetes.io/ttl\":{},\"f:volumes.kubernetes.io/controller-managed-attach-detach\":{}},"
                    + "\"f:labels\":{\".\":{},\"f:beta.kubernetes.io/arch\":{},\"f:beta.kubernetes.io/os\":{},"
                    + "\"f:kubernetes.io/arch\":{},\"f:kubernetes.io/hostname\":{},\"f:kubernetes.io/os\":{}}},"
                    + "\"f:spec\":{\"f:providerID\":{}}}",
                ts,
                null),
            managed(
                "kube-controller-manager",
                "Update",
                "{\"f:spec\":{\"f:podCIDR\":{},\"f:podCIDRs\":{\".\":{},\"v:\\\""
                    + podCidr(i)
                    + "\\\"\":{}}}}",
                ts,
                null),
            managed(
                "kubelet",
                "Update",
                "{\"f:status\":{\"f:allocatable\":{\"f:ephemeral-storage\":{},\"f:memory\":{}},"
                    + "\"f:capacity\":{\"f:ephemeral-storage\":{}},\"f:conditions\":{\"k:{\\\"type\\\":\\\"DiskPressure\\\"}\":"
                    + "{\"f:lastHeartbeatTime\":{}},\"k:{\\\"type\\\":\\\"MemoryPressure\\\"}\":{\"f:lastHeartbeatTime\":{}},"
                    + "\"k:{\\\"type\\\":\\\"PIDPressure\\\"}\":{\"f:lastHeartbeatTime\":{}},\"k:{\\\"type\\\":\\\"Ready\\\"}\":"
                    + "{\"f:lastHeartbeatTime\":{},\"f:lastTransitionTime\":{},\"f:message\":{},\"f:reason\":{},\"f:status\":{}}},"
                    + "\"f:images\":{},\"f:nodeInfo\":{\"f:bootID\":{},\"f:containerRuntimeVersion\":{},\"f:kernelVersion\":{},"
                    + "\"f:kubeProxyVersion\":{},\"f:kubeletVersion\":{},\"f:osImage\":{}}}}",
                ts,
                "status"))
        .endMetadata()
        .withNewSpec()
        .withPodCIDR(podCidr(i))
        .withPodCIDRs(podCidr(i))
        .withProviderID("gce://bench/europe-west4-a/" + name)
        .endSpec()
        .withNewStatus()
        .withCapacity(capacity)
        .withAllocatable(allocatable)
        .withConditions(conditions)
        .withAddresses(
            new NodeAddress(internal, "InternalIP"),
            new NodeAddress("34.90." + (i >> 8) + "." + (i & 255), "ExternalIP"),
            new NodeAddress(name, "Hostname"))
        .withNewDaemonEndpoints()
        .withNewKubeletEndpoint(10250)
        .endDaemonEndpoints()
        .withNewNodeInfo()
        .withArchitecture("amd64")
        .withBootID(uuid(i + 1_000_000))
        .withContainerRuntimeVersion("containerd://1.7.24")
        .withKernelVersion("6.1.0-28-cloud-amd64")
        .withKubeProxyVersion("v1.31.4")
        .withKubeletVersion("v1.31.4")
        .withMachineID(hex64(i).substring(0, 32))
        .withOperatingSystem("linux")
        .withOsImage("Debian GNU/Linux 12 (bookworm)")
        .withSystemUUID(uuid(i + 2_000_000))
        .endNodeInfo()
        .withImages(images)
        .endStatus()
        .build();
  }

  private static NodeCondition condition(
      String type, String status, String reason, String message, String ts) {
    NodeCondition c = new NodeCondition();
    c.setType(type);
    c.setStatus(status);
    c.setReason(reason);
    c.setMessage(message);
    c.setLastHeartbeatTime(ts);
    c.setLastTransitionTime(ts);
    return c;
  }

  private static ManagedFieldsEntry managed(
      String manager, String op, String fields, String ts, String subresource) {
    ManagedFieldsEntry e = new ManagedFieldsEntry();
    e.setManager(manager);
    e.setOperation(op);
    e.setApiVersion("v1");
    e.setTime(ts);
    e.setFieldsType("FieldsV1");
    FieldsV1 f = new FieldsV1();
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> tree =
          new com.fasterxml.jackson.databind.ObjectMapper().readValue(fields, Map.class);
      tree.forEach(f::setAdditionalProperty);
    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    }
    e.setFieldsV1(f);
    e.setSubresource(subresource);
    return e;
  }

  private static String hex64(int seed) {
    StringBuilder b = new StringBuilder(64);
    long x = 0x9E3779B97F4A7C15L * (seed + 1);
    while (b.length() < 64) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      b.append(String.format(Locale.ROOT, "%016x", x));
    }
    return b.substring(0, 64);
  }

  private static String uuid(int seed) {
    String h = hex64(seed);
    return h.substring(0, 8)
        + "-"
        + h.substring(8, 12)
        + "-"
        + h.substring(12, 16)
        + "-"
        + h.substring(16, 20)
        + "-"
        + h.substring(20, 32);
  }
}
