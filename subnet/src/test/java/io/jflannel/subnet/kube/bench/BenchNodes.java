package io.jflannel.subnet.kube.bench;

import io.fabric8.kubernetes.api.model.ContainerImage;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Realistic cloud Nodes for the benchmark: labels and annotations as kubeadm, a cloud provider and
 * flannel leave them, managedFields, capacity, five conditions, four addresses, node info, twelve
 * container images with long registry names and digests, attached CSI volumes; about 15 KB of JSON
 * each. Node {@code i} gets pod CIDR {@code 10.<i/256>.<i%256>.0/24} of network 10.0.0.0/8 and
 * public IP {@code 172.16.<i/256>.<i%256>}.
 */
final class BenchNodes {

  static final String P = "flannel.alpha.coreos.com/";

  private BenchNodes() {}

  static String name(int i) {
    return String.format("ip-10-20-%d-%d.eu-west-1.compute.internal", i / 256, i % 256);
  }

  static String podCidr(int i) {
    return "10." + (i / 256) + "." + (i % 256) + ".0/24";
  }

  static String publicIp(int i) {
    return "172.16." + (i / 256) + "." + (i % 256);
  }

  static String mac(int i, int generation) {
    return String.format(
        "0a:%02x:%02x:%02x:%02x:%02x",
        generation & 0xff, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff, 7);
  }

  static String backendData(int i, int generation) {
    return "{\"VNI\":1,\"VtepMAC\":\"" + mac(i, generation) + "\"}";
  }

  static Node node(int i) {
    String name = name(i);
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("beta.kubernetes.io/arch", "amd64");
    labels.put("beta.kubernetes.io/instance-type", "m6i.2xlarge");
    labels.put("beta.kubernetes.io/os", "linux");
    labels.put("eks.amazonaws.com/capacityType", "ON_DEMAND");
    labels.put("eks.amazonaws.com/nodegroup", "workers-general-purpose-" + (i % 7));
    labels.put("eks.amazonaws.com/nodegroup-image", "ami-0c2b8ca1dad447f8a");
    labels.put("eks.amazonaws.com/sourceLaunchTemplateId", "lt-0a1b2c3d4e5f67890");
    labels.put("failure-domain.beta.kubernetes.io/region", "eu-west-1");
    labels.put("failure-domain.beta.kubernetes.io/zone", "eu-west-1" + "abc".charAt(i % 3));
    labels.put("k8s.io/cloud-provider-aws", "a1b2c3d4e5f60718293a4b5c6d7e8f90");
    labels.put("kubernetes.io/arch", "amd64");
    labels.put("kubernetes.io/hostname", name);
    labels.put("kubernetes.io/os", "linux");
    labels.put("node-role.kubernetes.io/worker", "");
    labels.put("node.kubernetes.io/lifecycle", "normal");
    labels.put("karpenter.k8s.aws/instance-category", "m");
    labels.put("karpenter.k8s.aws/instance-family", "m6i");
    labels.put("karpenter.k8s.aws/instance-generation", "6");
    labels.put("karpenter.sh/capacity-type", "on-demand");
    labels.put("karpenter.sh/nodepool", "general-purpose-" + (i % 7));
    labels.put("node.kubernetes.io/instance-type", "m6i.2xlarge");
    labels.put("topology.ebs.csi.aws.com/zone", "eu-west-1" + "abc".charAt(i % 3));
    labels.put("topology.kubernetes.io/region", "eu-west-1");
    labels.put("topology.kubernetes.io/zone", "eu-west-1" + "abc".charAt(i % 3));
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("alpha.kubernetes.io/provided-node-ip", "10.20." + (i / 256) + "." + (i % 256));
    annotations.put(
        "csi.volume.kubernetes.io/nodeid",
        "{\"ebs.csi.aws.com\":\"i-0"
            + Long.toHexString(0x1234567890L + i)
            + "\",\"efs.csi.aws.com\":\"i-0"
            + Long.toHexString(0x1234567890L + i)
            + "\"}");
    annotations.put(
        "kubeadm.alpha.kubernetes.io/cri-socket", "unix:///run/containerd/containerd.sock");
    annotations.put(
        "k3s.io/node-args",
        "[\"agent\",\"--node-label\",\"node-role.kubernetes.io/worker=true\",\"--kubelet-arg\","
            + "\"max-pods=110\",\"--kubelet-arg\",\"eviction-hard=memory.available<500Mi\","
            + "\"--kubelet-arg\",\"system-reserved=cpu=250m,memory=512Mi\",\"--kubelet-arg\","
            + "\"kube-reserved=cpu=250m,memory=768Mi\",\"--node-taint\",\"dedicated=general:NoSchedule\","
            + "\"--flannel-iface\",\"ens5\",\"--server\",\"https://k3s-api.internal.example.com:6443\","
            + "\"--token\",\"********\",\"--data-dir\",\"/var/lib/rancher/k3s\"]");
    annotations.put(
        "k3s.io/node-config-hash", "QWERTYUIOPASDFGHJKLZXCVBNM234567QWERTYUIOPASDFGHJKLZ====");
    annotations.put(
        "k3s.io/node-env",
        "{\"K3S_DATA_DIR\":\"/var/lib/rancher/k3s/data/7f4b3c2a1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b\"}");
    annotations.put("node.alpha.kubernetes.io/ttl", "0");
    annotations.put("volumes.kubernetes.io/controller-managed-attach-detach", "true");
    annotations.put(P + "backend-data", backendData(i, 0));
    annotations.put(P + "backend-type", "vxlan");
    annotations.put(P + "kube-subnet-manager", "true");
    annotations.put(P + "public-ip", publicIp(i));
    List<NodeCondition> conditions = new ArrayList<>();
    conditions.add(
        condition("NetworkUnavailable", "False", "FlannelIsUp", "Flannel is running on this node"));
    conditions.add(
        condition(
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available"));
    conditions.add(
        condition(
            "DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"));
    conditions.add(
        condition(
            "PIDPressure",
            "False",
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available"));
    conditions.add(
        condition(
            "Ready", "True", "KubeletReady", "kubelet is posting ready status. AppArmor enabled"));
    List<NodeAddress> addresses =
        List.of(
            new NodeAddress("10.20." + (i / 256) + "." + (i % 256), "InternalIP"),
            new NodeAddress(publicIp(i), "ExternalIP"),
            new NodeAddress(name, "Hostname"),
            new NodeAddress(name, "InternalDNS"));
    Map<String, Quantity> capacity = new LinkedHashMap<>();
    capacity.put("cpu", new Quantity("8"));
    capacity.put("ephemeral-storage", new Quantity("104845292Ki"));
    capacity.put("hugepages-1Gi", new Quantity("0"));
    capacity.put("hugepages-2Mi", new Quantity("0"));
    capacity.put("memory", new Quantity("32386524Ki"));
    capacity.put("pods", new Quantity("110"));
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .withUid(UUID.nameUUIDFromBytes(name.getBytes()).toString())
        .withCreationTimestamp("2026-11-20T08:15:30Z")
        .withLabels(labels)
        .withAnnotations(annotations)
        .withManagedFields(managedFields())
        .endMetadata()
        .withNewSpec()
        .withPodCIDR(podCidr(i))
        .withPodCIDRs(podCidr(i))
        .withProviderID(
            "aws:///eu-west-1" + "abc".charAt(i % 3) + "/i-0" + Long.toHexString(0x1234567890L + i))
        .withTaints(new Taint("NoSchedule", "dedicated", null, "general"))
        .endSpec()
        .withNewStatus()
        .withCapacity(capacity)
        .withAllocatable(capacity)
        .withConditions(conditions)
        .withAddresses(addresses)
        .withNewDaemonEndpoints()
        .withNewKubeletEndpoint(10250)
        .endDaemonEndpoints()
        .withNewNodeInfo()
        .withArchitecture("amd64")
        .withBootID(UUID.nameUUIDFromBytes(("boot" + i).getBytes()).toString())
        .withContainerRuntimeVersion("containerd://1.7.27")
        .withKernelVersion("6.1.141-155.222.amzn2023.x86_64")
        .withKubeProxyVersion("v1.33.4-eks-3abbec1")
        .withKubeletVersion("v1.33.4-eks-3abbec1")
        .withMachineID("ec2" + Long.toHexString(0xabcdef0123456L + i) + "0000000000000000")
        .withOperatingSystem("linux")
        .withOsImage("Amazon Linux 2023.8.20250818")
        .withSystemUUID(
            "ec2" + UUID.nameUUIDFromBytes(("sys" + i).getBytes()).toString().substring(3))
        .endNodeInfo()
        .withImages(images(i))
        .withVolumesInUse(volumes(i))
        .withVolumesAttached(attached(i))
        .endStatus()
        .build();
  }

  private static NodeCondition condition(
      String type, String status, String reason, String message) {
    NodeCondition c = new NodeCondition();
    c.setType(type);
    c.setStatus(status);
    c.setReason(reason);
    c.setMessage(message);
    c.setLastHeartbeatTime("2026-11-21T09:41:07Z");
    c.setLastTransitionTime("2026-11-20T08:16:02Z");
    return c;
  }

  private static List<ContainerImage> images(int i) {
    String[] repos = {
      "602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni",
      "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/kube-proxy",
      "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/aws-ebs-csi-driver",
      "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/csi-node-driver-registrar",
      "ghcr.io/flannel-io/flannel",
      "ghcr.io/flannel-io/flannel-cni-plugin",
      "quay.io/prometheus/node-exporter",
      "registry.k8s.io/ingress-nginx/controller",
      "docker.io/grafana/promtail",
      "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/observability/otel-collector-contrib",
      "registry.k8s.io/pause",
      "docker.io/rancher/mirrored-coredns-coredns",
    };
    List<ContainerImage> images = new ArrayList<>();
    for (int k = 0; k < repos.length; k++) {
      String digest = sha(i * 31 + k);
      String mirror = "mirror.registry.internal.example.com:5000/cache/" + repos[k];
      String tag = ":v1." + (20 + k) + ".3-eksbuild." + (k + 1);
      images.add(
          new ContainerImage(
              List.of(
                  repos[k] + "@sha256:" + digest,
                  mirror + "@sha256:" + digest,
                  repos[k] + tag,
                  mirror + tag),
              40_000_000L + 1_234_567L * k));
    }
    return images;
  }

  private static List<String> volumes(int i) {
    List<String> volumes = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      volumes.add(
          "kubernetes.io/csi/ebs.csi.aws.com^vol-0" + Long.toHexString(0xabc0000000L + i * 8L + k));
    }
    return volumes;
  }

  private static List<io.fabric8.kubernetes.api.model.AttachedVolume> attached(int i) {
    List<io.fabric8.kubernetes.api.model.AttachedVolume> attached = new ArrayList<>();
    List<String> volumes = volumes(i);
    for (int k = 0; k < volumes.size(); k++) {
      attached.add(
          new io.fabric8.kubernetes.api.model.AttachedVolume(
              "/dev/xvd" + (char) ('b' + k), volumes.get(k)));
    }
    return attached;
  }

  private static String sha(int seed) {
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

  private static List<ManagedFieldsEntry> managedFields() {
    Map<String, Object> kubelet = new LinkedHashMap<>();
    kubelet.put(
        "f:metadata",
        Map.of(
            "f:annotations",
            Map.of(
                "f:alpha.kubernetes.io/provided-node-ip", Map.of(),
                "f:csi.volume.kubernetes.io/nodeid", Map.of(),
                "f:node.alpha.kubernetes.io/ttl", Map.of(),
                "f:volumes.kubernetes.io/controller-managed-attach-detach", Map.of()),
            "f:labels",
            Map.of(
                "f:beta.kubernetes.io/arch",
                Map.of(),
                "f:beta.kubernetes.io/instance-type",
                Map.of(),
                "f:beta.kubernetes.io/os",
                Map.of(),
                "f:kubernetes.io/arch",
                Map.of(),
                "f:kubernetes.io/hostname",
                Map.of(),
                "f:kubernetes.io/os",
                Map.of(),
                "f:node.kubernetes.io/instance-type",
                Map.of(),
                "f:topology.kubernetes.io/region",
                Map.of(),
                "f:topology.kubernetes.io/zone",
                Map.of())));
    kubelet.put("f:spec", Map.of("f:providerID", Map.of()));
    Map<String, Object> status = new LinkedHashMap<>();
    status.put(
        "f:conditions",
        Map.of(
            "k:{\"type\":\"DiskPressure\"}",
                Map.of(
                    "f:lastHeartbeatTime",
                    Map.of(),
                    "f:lastTransitionTime",
                    Map.of(),
                    "f:message",
                    Map.of(),
                    "f:reason",
                    Map.of(),
                    "f:status",
                    Map.of()),
            "k:{\"type\":\"MemoryPressure\"}",
                Map.of(
                    "f:lastHeartbeatTime",
                    Map.of(),
                    "f:lastTransitionTime",
                    Map.of(),
                    "f:message",
                    Map.of(),
                    "f:reason",
                    Map.of(),
                    "f:status",
                    Map.of()),
            "k:{\"type\":\"PIDPressure\"}",
                Map.of(
                    "f:lastHeartbeatTime",
                    Map.of(),
                    "f:lastTransitionTime",
                    Map.of(),
                    "f:message",
                    Map.of(),
                    "f:reason",
                    Map.of(),
                    "f:status",
                    Map.of()),
            "k:{\"type\":\"Ready\"}",
                Map.of(
                    "f:lastHeartbeatTime",
                    Map.of(),
                    "f:lastTransitionTime",
                    Map.of(),
                    "f:message",
                    Map.of(),
                    "f:reason",
                    Map.of(),
                    "f:status",
                    Map.of())));
    status.put(
        "f:addresses",
        Map.of(
            "k:{\"type\":\"ExternalIP\"}",
                Map.of(".", Map.of(), "f:address", Map.of(), "f:type", Map.of()),
            "k:{\"type\":\"Hostname\"}",
                Map.of(".", Map.of(), "f:address", Map.of(), "f:type", Map.of()),
            "k:{\"type\":\"InternalDNS\"}",
                Map.of(".", Map.of(), "f:address", Map.of(), "f:type", Map.of()),
            "k:{\"type\":\"InternalIP\"}",
                Map.of(".", Map.of(), "f:address", Map.of(), "f:type", Map.of())));
    Map<String, Object> resources = new LinkedHashMap<>();
    for (String r :
        List.of("cpu", "ephemeral-storage", "hugepages-1Gi", "hugepages-2Mi", "memory", "pods")) {
      resources.put("f:" + r, Map.of());
    }
    status.put("f:allocatable", resources);
    status.put("f:capacity", resources);
    status.put("f:daemonEndpoints", Map.of("f:kubeletEndpoint", Map.of("f:Port", Map.of())));
    status.put("f:images", Map.of());
    Map<String, Object> nodeInfo = new LinkedHashMap<>();
    for (String f :
        List.of(
            "architecture",
            "bootID",
            "containerRuntimeVersion",
            "kernelVersion",
            "kubeProxyVersion",
            "kubeletVersion",
            "machineID",
            "operatingSystem",
            "osImage",
            "systemUUID")) {
      nodeInfo.put("f:" + f, Map.of());
    }
    status.put("f:nodeInfo", nodeInfo);
    status.put("f:volumesAttached", Map.of());
    status.put("f:volumesInUse", Map.of());
    Map<String, Object> flannel =
        Map.of(
            "f:metadata",
            Map.of(
                "f:annotations",
                Map.of(
                    "f:flannel.alpha.coreos.com/backend-data",
                    Map.of(),
                    "f:flannel.alpha.coreos.com/backend-type",
                    Map.of(),
                    "f:flannel.alpha.coreos.com/kube-subnet-manager",
                    Map.of(),
                    "f:flannel.alpha.coreos.com/public-ip",
                    Map.of())),
            "f:status",
            Map.of(
                "f:conditions",
                Map.of(
                    "k:{\"type\":\"NetworkUnavailable\"}",
                    Map.of(
                        "f:lastHeartbeatTime",
                        Map.of(),
                        "f:lastTransitionTime",
                        Map.of(),
                        "f:message",
                        Map.of(),
                        "f:reason",
                        Map.of(),
                        "f:status",
                        Map.of()))));
    return List.of(
        entry("kubelet", "Update", null, kubelet),
        entry("kubelet", "Update", "status", Map.of("f:status", status)),
        entry("flanneld", "Update", "status", flannel),
        entry(
            "kube-controller-manager",
            "Update",
            null,
            Map.of(
                "f:spec",
                Map.of(
                    "f:podCIDR",
                    Map.of(),
                    "f:podCIDRs",
                    Map.of(".", Map.of(), "v:\"10.0.0.0/24\"", Map.of())))));
  }

  private static ManagedFieldsEntry entry(
      String manager, String op, String subresource, Map<String, Object> fields) {
    ManagedFieldsEntry e = new ManagedFieldsEntry();
    e.setManager(manager);
    e.setOperation(op);
    e.setApiVersion("v1");
    e.setFieldsType("FieldsV1");
    e.setSubresource(subresource);
    e.setTime("2026-11-21T09:41:07Z");
    FieldsV1 f = new FieldsV1();
    fields.forEach(f::setAdditionalProperty);
    e.setFieldsV1(f);
    return e;
  }
}
