package io.jflannel.subnet.kube;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jflannel.core.subnet.SubnetException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
final class KubeConnect {

  private KubeConnect() {}

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
