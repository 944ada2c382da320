package io.jflannel.daemon.bench;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Writes the benchmark's Nodes into a real kube-apiserver (StartBench's kube mode): one Node per
 * peer with flannel's annotations as upstream flanneld writes them ({@code
 * flannel.alpha.coreos.com/backend-type}, {@code backend-data}, {@code kube-subnet-manager}, {@code
 * public-ip}), {@code spec.podCIDR} set, and the labels and addresses a kubeadm Node has, about 1
 * KB of JSON each; plus the Node of the host under test ({@link #SELF}, podCIDR {@link
 * #SELF_CIDR}). Every Node it makes carries the label {@code jflannel-bench=1}, by which they are
 * all deleted.
 */
final class KubeSeeder implements AutoCloseable {
  static final String SELF = "bench-self";
  static final String SELF_CIDR = "10.255.255.0/24";
  private static final String P = "flannel.alpha.coreos.com/";

  private final KubernetesClient client;

  KubeSeeder(Path kubeconfig) throws Exception {
    this.client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
            .build();
  }

  /** Deletes every Node this seeder made and waits until they are gone. */
  void clear() throws Exception {
    client.nodes().withLabel("jflannel-bench", "1").delete();
    for (int i = 0; i < 600; i++) {
      if (client.nodes().withLabel("jflannel-bench", "1").list().getItems().isEmpty()) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    throw new IllegalStateException("bench Nodes still there 60 s after their deletion");
  }

  /** The Node of the host under test, without flannel's annotations (the daemon adds them). */
  void self() {
    client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName(SELF)
                .addToLabels("jflannel-bench", "1")
                .addToLabels("kubernetes.io/hostname", SELF)
                .endMetadata()
                .withNewSpec()
                .withPodCIDR(SELF_CIDR)
                .withPodCIDRs(SELF_CIDR)
                .endSpec()
                .build())
        .create();
  }

  /** Creates the peers' Nodes, 8 requests at a time. */
  void seed(List<Peer> peers, String backend) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> all = new ArrayList<>();
      for (Peer p : peers) {
        all.add(pool.submit(() -> create(p, backend)));
      }
      for (Future<?> f : all) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Creates one peer's Node and returns when the API server has stored it. */
  void create(Peer p, String backend) {
    boolean vxlan = backend.equals("vxlan");
    String name = "peer-" + p.k();
    Node n =
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .addToLabels("jflannel-bench", "1")
            .addToLabels("kubernetes.io/hostname", name)
            .addToLabels("kubernetes.io/os", "linux")
            .addToLabels("kubernetes.io/arch", "amd64")
            .addToLabels("beta.kubernetes.io/os", "linux")
            .addToLabels("beta.kubernetes.io/arch", "amd64")
            .addToLabels("node.kubernetes.io/instance-type", "bench")
            .addToAnnotations(
                P + "backend-data", vxlan ? "{\"VNI\":1,\"VtepMAC\":\"" + p.mac() + "\"}" : "null")
            .addToAnnotations(P + "backend-type", backend)
            .addToAnnotations(P + "kube-subnet-manager", "true")
            .addToAnnotations(P + "public-ip", p.publicIp())
            .addToAnnotations(
                "kubeadm.alpha.kubernetes.io/cri-socket", "unix:///run/containerd/containerd.sock")
            .addToAnnotations("node.alpha.kubernetes.io/ttl", "0")
            .addToAnnotations("volumes.kubernetes.io/controller-managed-attach-detach", "true")
            .endMetadata()
            .withNewSpec()
            .withPodCIDR(p.subnet())
            .withPodCIDRs(p.subnet())
            .endSpec()
            .build();
    client.nodes().resource(n).create();
  }

  @Override
  public void close() {
    client.close();
  }
}
