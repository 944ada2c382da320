package io.jflannel.subnet.kube;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * The settings of a {@link KubeSubnetManager}: the kube-mode flags of flanneld plus the few knobs
 * tests need (how long to wait for a pod CIDR, where environment variables come from).
 *
 * <p>Start from {@link #defaults()}, which holds upstream's flag defaults, and change fields with
 * the {@code with*} methods. The annotation prefix is validated on construction, so a bad {@code
 * --kube-annotation-prefix} fails before anything connects.
 *
 * <p>Immutable and thread-safe (provided the {@code env} function is).
 *
 * @param apiUrl {@code --kube-api-url}: the API server URL; empty to take it from the kubeconfig or
 *     the in-cluster service account
 * @param kubeconfigFile {@code --kubeconfig-file}; null to use the in-cluster service account, or
 *     else {@code $KUBECONFIG} / {@code ~/.kube/config}
 * @param annotationPrefix {@code --kube-annotation-prefix} as given, e.g. {@code
 *     flannel.alpha.coreos.com}
 * @param netConfigPath {@code --net-config-path}: the net-conf.json file (the kube-flannel-cfg
 *     ConfigMap mount)
 * @param setNodeNetworkUnavailable {@code --set-node-network-unavailable}: whether {@link
 *     KubeSubnetManager#completeLease} sets the node condition {@code NetworkUnavailable=False}
 * @param podCidrTimeout how long {@link KubeSubnetManager#acquireLease} waits for the node to exist
 *     and have {@code spec.podCIDR}
 * @param podCidrPollInterval how often it looks while waiting
 * @param env where {@code NODE_NAME}, {@code POD_NAME} and {@code POD_NAMESPACE} are read from;
 *     returns null for an unset variable
 */
public record KubeOptions(
    String apiUrl,
    Path kubeconfigFile,
    String annotationPrefix,
    Path netConfigPath,
    boolean setNodeNetworkUnavailable,
    Duration podCidrTimeout,
    Duration podCidrPollInterval,
    Function<String, String> env) {

  /** Upstream's {@code --net-config-path} default. */
  public static final Path DEFAULT_NET_CONFIG_PATH = Path.of("/etc/kube-flannel/net-conf.json");

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException if the annotation prefix is invalid (see {@link
   *     KubeAnnotations#forPrefix}) or a duration is not positive
   * @throws NullPointerException if a field other than {@code kubeconfigFile} is null
   */
  public KubeOptions {
    Objects.requireNonNull(apiUrl, "apiUrl");
    Objects.requireNonNull(netConfigPath, "netConfigPath");
    Objects.requireNonNull(env, "env");
    KubeAnnotations.forPrefix(annotationPrefix);
    requirePositive(podCidrTimeout, "podCidrTimeout");
    requirePositive(podCidrPollInterval, "podCidrPollInterval");
  }

  /**
   * Returns upstream's defaults: in-cluster or kubeconfig discovery, prefix {@code
   * flannel.alpha.coreos.com}, {@code /etc/kube-flannel/net-conf.json}, the NetworkUnavailable
   * condition set, 30 s to wait for the pod CIDR (upstream waits 30 s for the node), polling every
   * second, the process environment.
   */
  public static KubeOptions defaults() {
    return new KubeOptions(
        "",
        null,
        KubeAnnotations.DEFAULT_PREFIX,
        DEFAULT_NET_CONFIG_PATH,
        true,
        Duration.ofSeconds(30),
        Duration.ofSeconds(1),
        System::getenv);
  }

  /** Returns the annotation names for {@link #annotationPrefix}. */
  public KubeAnnotations annotations() {
    return KubeAnnotations.forPrefix(annotationPrefix);
  }

  /** Returns a copy with {@code --kube-api-url} set; empty means "not given". */
  public KubeOptions withApiUrl(String value) {
    return new KubeOptions(
        value,
        kubeconfigFile,
        annotationPrefix,
        netConfigPath,
        setNodeNetworkUnavailable,
        podCidrTimeout,
        podCidrPollInterval,
        env);
  }

  /** Returns a copy with {@code --kubeconfig-file} set; null means "not given". */
  public KubeOptions withKubeconfigFile(Path value) {
    return new KubeOptions(
        apiUrl,
        value,
        annotationPrefix,
        netConfigPath,
        setNodeNetworkUnavailable,
        podCidrTimeout,
        podCidrPollInterval,
        env);
  }

  /** Returns a copy with {@code --kube-annotation-prefix} set. */
  public KubeOptions withAnnotationPrefix(String value) {
    return new KubeOptions(
        apiUrl,
        kubeconfigFile,
        value,
        netConfigPath,
        setNodeNetworkUnavailable,
        podCidrTimeout,
        podCidrPollInterval,
        env);
  }

  /** Returns a copy with {@code --net-config-path} set. */
  public KubeOptions withNetConfigPath(Path value) {
    return new KubeOptions(
        apiUrl,
        kubeconfigFile,
        annotationPrefix,
        value,
        setNodeNetworkUnavailable,
        podCidrTimeout,
        podCidrPollInterval,
        env);
  }

  /** Returns a copy with {@code --set-node-network-unavailable} set. */
  public KubeOptions withSetNodeNetworkUnavailable(boolean value) {
    return new KubeOptions(
        apiUrl,
        kubeconfigFile,
        annotationPrefix,
        netConfigPath,
        value,
        podCidrTimeout,
        podCidrPollInterval,
        env);
  }

  /** Returns a copy that waits {@code timeout} for the pod CIDR, looking every {@code interval}. */
  public KubeOptions withPodCidrWait(Duration timeout, Duration interval) {
    return new KubeOptions(
        apiUrl,
        kubeconfigFile,
        annotationPrefix,
        netConfigPath,
        setNodeNetworkUnavailable,
        timeout,
        interval,
        env);
  }

  /** Returns a copy that reads environment variables from {@code value} instead of the process. */
  public KubeOptions withEnv(Function<String, String> value) {
    return new KubeOptions(
        apiUrl,
        kubeconfigFile,
        annotationPrefix,
        netConfigPath,
        setNodeNetworkUnavailable,
        podCidrTimeout,
        podCidrPollInterval,
        value);
  }

  private static void requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }
}
