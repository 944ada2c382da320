package io.jflannel.subnet.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.jflannel.core.subnet.SubnetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * How a {@link KubeSubnetManager} finds its API server and its node, as upstream's {@code
 * NewSubnetManager} does.
 *
 * <ul>
 *   <li>Client config, like {@code clientcmd.BuildConfigFromFlags}: {@code --kubeconfig-file} if
 *       given; else, with only {@code --kube-api-url}, that URL and no credentials; else the
 *       in-cluster service account, falling back to {@code $KUBECONFIG} / {@code ~/.kube/config}.
 *       {@code --kube-api-url} always overrides the server.
 *   <li>Node name: {@code NODE_NAME}; else {@code GET pods/<POD_NAMESPACE>/<POD_NAME>} and its
 *       {@code spec.nodeName} (which is why the flannel ClusterRole grants {@code get} on pods).
 *   <li>JSON: the client's mapping knows only the kinds flanneld reads ({@link #serialization}).
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
final class KubeConnect {

  /** The kinds a manager's client reads by their {@code kind} field (watch events, errors). */
  private static final List<Class<? extends KubernetesResource>> KINDS =
      List.of(Node.class, NodeList.class, Pod.class, Status.class);

  private KubeConnect() {}

  /**
   * The client's JSON mapping, told the {@link #KINDS} flanneld reads instead of searching the
   * class path for every kind fabric8 models: that search, made the first time a kind is looked up,
   * loads about 530 model classes (admission policies, Gateway API, flow control, ...) that flannel
   * never reads, 0.1-0.2 s of a start (BENCHMARKS.md). A kind not listed is read as a {@code
   * GenericKubernetesResource}. Typed requests ({@code nodes()}, {@code pods()}) read their own
   * class either way. Parsing a kubeconfig file still goes through fabric8's shared mapping, which
   * searches; the in-cluster service account, as the DaemonSet runs, does not.
   */
  static KubernetesSerialization serialization() {
    KubernetesSerialization serialization = new KubernetesSerialization(new ObjectMapper(), false);
    KINDS.forEach(serialization::registerKubernetesResource);
    return serialization;
  }

  /**
   * Builds the client configuration from the kube-mode flags.
   *
   * @throws SubnetException if the kubeconfig file cannot be read or parsed
   */
  static Config clientConfig(KubeOptions options) throws SubnetException {
    Config config;
    Path kubeconfig = options.kubeconfigFile();
    if (kubeconfig != null) {
      if (!Files.isReadable(kubeconfig)) {
        throw new SubnetException(
            "cannot read --kubeconfig-file "
                + kubeconfig
                + ": missing or not readable; point it at a readable kubeconfig, or leave it empty"
                + " to use the in-cluster service account");
      }
      try {
        config = Config.fromKubeconfig(kubeconfig.toFile());
      } catch (RuntimeException e) {
        throw new SubnetException(
            "--kubeconfig-file " + kubeconfig + " is not a usable kubeconfig: " + e.getMessage(),
            e);
      }
    } else if (!options.apiUrl().isEmpty()) {
      config = Config.empty();
    } else {
      config = Config.autoConfigure(null);
    }
    if (!options.apiUrl().isEmpty()) {
      config.setMasterUrl(options.apiUrl());
    }
    return config;
  }

  /**
   * Finds the name of the node this process runs on.
   *
   * @throws SubnetException if neither {@code NODE_NAME} nor {@code POD_NAME} and {@code
   *     POD_NAMESPACE} are set, or the pod cannot be read or is not scheduled
   */
  static String nodeName(KubernetesClient client, Function<String, String> env)
      throws SubnetException {
    String nodeName = env.apply("NODE_NAME");
    if (nodeName != null && !nodeName.isEmpty()) {
      return nodeName;
    }
    String podName = env.apply("POD_NAME");
    String namespace = env.apply("POD_NAMESPACE");
    if (podName == null || podName.isEmpty() || namespace == null || namespace.isEmpty()) {
      throw new SubnetException(
          "env variables POD_NAME and POD_NAMESPACE must be set: in the DaemonSet set them from"
              + " the downward API (fieldRef metadata.name and metadata.namespace), or set"
              + " NODE_NAME (fieldRef spec.nodeName)");
    }
    Pod pod;
    try {
      pod = client.pods().inNamespace(namespace).withName(podName).get();
    } catch (KubernetesClientException e) {
      throw new SubnetException(
          "error retrieving pod spec for '"
              + namespace
              + "/"
              + podName
              + "': "
              + e.getMessage()
              + "; the flannel ClusterRole needs get on pods",
          e);
    }
    if (pod == null) {
      throw new SubnetException(
          "pod '"
              + namespace
              + "/"
              + podName
              + "' not found: POD_NAME and POD_NAMESPACE must name the flannel pod itself");
    }
    String name = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    if (name == null || name.isEmpty()) {
      throw new SubnetException(
          "node name not present in pod spec '" + namespace + "/" + podName + "'");
    }
    return name;
  }
}
