package io.jflannel.subnet.kube;

import java.util.regex.Pattern;

/**
 * The names of the node annotations flannel reads and writes, built from {@code
 * --kube-annotation-prefix} exactly as upstream's {@code newAnnotations} ({@code
 * pkg/subnet/kube/annotations.go}) builds them.
 *
 * <p>Normalisation: a prefix without {@code /} gets one appended ({@code flannel.alpha.coreos.com}
 * → {@code flannel.alpha.coreos.com/}); a prefix that then ends neither with {@code /} nor with
 * {@code -} gets a {@code -} ({@code example.com/net} → {@code example.com/net-}). The result must
 * have the form {@code fqdn/[a-z0-9_-]*}: at most one slash, lower case only, a dotted name before
 * the slash. Upstream's regular expression is not anchored at the start, so it also accepts
 * prefixes such as {@code Xa.com} whose tail happens to match; this class anchors it, which only
 * rejects prefixes Kubernetes itself would refuse as annotation keys.
 *
 * <p>Immutable and thread-safe.
 *
 * @param prefix the normalised prefix, e.g. {@code flannel.alpha.coreos.com/}
 * @param kubeSubnetManager marks a node as managed by flannel; value {@code "true"}
 * @param backendType the backend type, e.g. {@code vxlan}
 * @param backendData the IPv4 backend data as JSON text, e.g. {@code {"VNI":1,"VtepMAC":"..."}}
 * @param backendV6Data the IPv6 backend data as JSON text
 * @param publicIp the IPv4 address peers send traffic to
 * @param publicIpv6 the IPv6 address peers send traffic to
 * @param publicIpOverwrite set by the operator: written into {@code publicIp} instead of the
 *     detected address (NAT)
 * @param publicIpv6Overwrite the IPv6 form of {@code publicIpOverwrite}
 * @param nodePublicIp set by the operator: used as {@code --public-ip} at startup
 * @param nodePublicIpv6 set by the operator: used as {@code --public-ipv6} at startup
 */
public record KubeAnnotations(
    String prefix,
    String kubeSubnetManager,
    String backendType,
    String backendData,
    String backendV6Data,
    String publicIp,
    String publicIpv6,
    String publicIpOverwrite,
    String publicIpv6Overwrite,
    String nodePublicIp,
    String nodePublicIpv6) {

  /** Upstream's default prefix, {@code flannel.alpha.coreos.com}. */
  public static final String DEFAULT_PREFIX = "flannel.alpha.coreos.com";

  private static final Pattern VALID =
      Pattern.compile("^([a-z0-9_-]+\\.)+[a-z0-9_-]+/([a-z0-9_-]+-)?$");

  /**
   * Builds the annotation names for a {@code --kube-annotation-prefix} value.
   *
   * @throws IllegalArgumentException if the prefix has more than one slash or, once normalised,
   *     does not have the form {@code fqdn/[a-z0-9_-]*}; the message names the value and the fix
   */
  public static KubeAnnotations forPrefix(String rawPrefix) {
    if (rawPrefix == null) {
      throw new IllegalArgumentException("--kube-annotation-prefix is missing");
    }
    long slashes = rawPrefix.chars().filter(c -> c == '/').count();
    if (slashes > 1) {
      throw invalid(rawPrefix, "it can contain at most one slash");
    }
    String p = slashes == 0 ? rawPrefix + "/" : rawPrefix;
    if (!p.endsWith("/") && !p.endsWith("-")) {
      p = p + "-";
    }
    if (!VALID.matcher(p).matches()) {
      throw invalid(rawPrefix, "it must be in a format fqdn/[0-9a-z-_]* (lower case)");
    }
    return new KubeAnnotations(
        p,
        p + "kube-subnet-manager",
        p + "backend-type",
        p + "backend-data",
        p + "backend-v6-data",
        p + "public-ip",
        p + "public-ipv6",
        p + "public-ip-overwrite",
        p + "public-ipv6-overwrite",
        p + "node-public-ip",
        p + "node-public-ipv6");
  }

  private static IllegalArgumentException invalid(String rawPrefix, String why) {
    return new IllegalArgumentException(
        "--kube-annotation-prefix \""
            + rawPrefix
            + "\" is not valid: "
            + why
            + ", e.g. "
            + DEFAULT_PREFIX
            + " or example.com/net");
  }
}
