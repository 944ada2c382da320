package io.jflannel.daemon;

import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The Kubernetes flags of {@link FlannelOptions} used with {@code --kube-subnet-mgr}: how to reach
 * the API server, the annotation prefix, where net-conf.json is, and whether to clear the Node's
 * {@code NetworkUnavailable} condition. Same names and defaults as upstream.
 *
 * <p>Filled in by picocli as a mixin of {@link FlannelOptions}; read-only afterwards.
 */
public final class KubeFlags {
  @Option(
      names = "--kube-api-url",
      paramLabel = "<url>",
      defaultValue = "",
      description =
          "Kubernetes API server URL. Does not need to be specified if flannel is running in a pod.")
  private String kubeApiUrl;

  @Option(
      names = "--kube-annotation-prefix",
      paramLabel = "<prefix>",
      defaultValue = "flannel.alpha.coreos.com",
      description =
          "Kubernetes annotation prefix. Can contain single slash \"/\", otherwise it will be appended at the end. (default: ${DEFAULT-VALUE})")
  private String kubeAnnotationPrefix;

  @Option(
      names = "--kubeconfig-file",
      paramLabel = "<file>",
      defaultValue = "",
      description =
          "kubeconfig file location. Does not need to be specified if flannel is running in a pod.")
  private String kubeconfigFile;

  @Option(
      names = "--net-config-path",
      paramLabel = "<file>",
      defaultValue = "/etc/kube-flannel/net-conf.json",
      description = "path to the network configuration file (default: ${DEFAULT-VALUE})")
  private String netConfigPath;

  @Option(
      names = "--set-node-network-unavailable",
      arity = "0..1",
      paramLabel = "<bool>",
      fallbackValue = "true",
      defaultValue = "true",
      description = "set NodeNetworkUnavailable after ready (default: true; turn off with =false)")
  private boolean setNodeNetworkUnavailable;

  /** {@code --kube-api-url}; empty means in-cluster configuration. */
  public Optional<String> apiUrl() {
    return FlannelOptions.nonEmpty(kubeApiUrl);
  }

  /** {@code --kube-annotation-prefix}, e.g. {@code flannel.alpha.coreos.com}. */
  public String annotationPrefix() {
    return kubeAnnotationPrefix;
  }

  /** {@code --kubeconfig-file}; empty means in-cluster configuration. */
  public Optional<String> kubeconfigFile() {
    return FlannelOptions.nonEmpty(kubeconfigFile);
  }

  /** {@code --net-config-path}: net-conf.json. */
  public String netConfigPath() {
    return netConfigPath;
  }

  /** {@code --set-node-network-unavailable}: set {@code NetworkUnavailable=False} once up. */
  public boolean setNodeNetworkUnavailable() {
    return setNodeNetworkUnavailable;
  }
}
