package io.jflannel.subnet.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import java.util.List;
import java.util.Map;

/**
 * Turns a Node into the lease it advertises (upstream's {@code nodeToLease}), or into one line
 * saying why it advertises none; the only place that reads a peer's Node.
 *
 * <p>A node yields a lease when it carries {@code <prefix>kube-subnet-manager: "true"}, has a pod
 * CIDR of every family the net config enables, and its {@code public-ip} (and, with IPv6, {@code
 * public-ipv6}) annotation is an address. The backend data annotations must be JSON when present;
 * upstream passes them on unparsed and the backend fails later, here the node is skipped up front
 * so the problem is reported once, by name. The backend type string is interned: every node of a
 * cluster shares the same few.
 *
 * <p>Immutable and thread-safe.
 */
final class NodeProjector {

  private static final ObjectReader JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).reader();

  private final KubeAnnotations names;
  private final boolean ipv4;
  private final boolean ipv6;

  /**
   * Creates a projector.
   *
   * @param names the annotation names
   * @param ipv4 whether the net config enables IPv4 (the lease then needs the IPv4 parts)
   * @param ipv6 whether it enables IPv6
   */
  NodeProjector(KubeAnnotations names, boolean ipv4, boolean ipv6) {
    this.names = names;
    this.ipv4 = ipv4;
    this.ipv6 = ipv6;
  }

  /**
   * A node's lease, or the reason it has none.
   *
   * @param lease the lease; null exactly when {@code problem} is set
   * @param problem why the node is skipped, e.g. {@code "no spec.podCIDR assigned"}
   */
  /** The reason's tail for nodes flannel does not run on (yet): normal, not worth a warning. */
  static final String NOT_STARTED = "(flannel has not started there yet)";

  record Result(Lease lease, String problem) {
    static Result skip(String problem) {
      return new Result(null, problem);
    }
  }

  /**
   * A node's pod CIDRs by family.
   *
   * @param ipv4 the IPv4 pod CIDR, or null
   * @param ipv6 the IPv6 pod CIDR, or null
   */
  record PodCidrs(Ip4Net ipv4, Ip6Net ipv6) {}

  /** Returns the lease {@code node} advertises, or why it advertises none. Never throws. */
  Result project(Node node) {
    Map<String, String> annotations = node.getMetadata().getAnnotations();
    if (annotations == null) {
      annotations = Map.of();
    }
    if (!"true".equals(annotations.get(names.kubeSubnetManager()))) {
      return Result.skip("no " + names.kubeSubnetManager() + "=\"true\" annotation " + NOT_STARTED);
    }
    PodCidrs cidrs;
    try {
      cidrs = podCidrs(node.getSpec());
    } catch (IllegalArgumentException e) {
      return Result.skip(e.getMessage());
    }
    if (cidrs == null) {
      return Result.skip("no spec.podCIDR assigned");
    }
    try {
      Ip4 publicIp = null;
      JsonNode backendData = null;
      if (ipv4) {
        if (cidrs.ipv4() == null) {
          return Result.skip("no IPv4 pod CIDR although the net config enables IPv4");
        }
        publicIp = address(annotations, names.publicIp(), Ip4::parse);
        if (publicIp.isAny()) {
          return Result.skip(names.publicIp() + " is 0.0.0.0, which peers cannot reach");
        }
        backendData = json(annotations, names.backendData());
      }
      Ip6 publicIpv6 = null;
      JsonNode backendV6Data = null;
      if (ipv6) {
        if (cidrs.ipv6() == null) {
          return Result.skip("no IPv6 pod CIDR although the net config enables IPv6");
        }
        publicIpv6 = address(annotations, names.publicIpv6(), Ip6::parse);
        backendV6Data = json(annotations, names.backendV6Data());
      }
      String backendType = annotations.getOrDefault(names.backendType(), "").intern();
      LeaseAttrs attrs =
          new LeaseAttrs(publicIp, publicIpv6, backendType, backendData, backendV6Data);
      return new Result(
          new Lease(ipv4 ? cidrs.ipv4() : null, ipv6 ? cidrs.ipv6() : null, attrs, null, 0), null);
    } catch (IllegalArgumentException e) {
      return Result.skip(e.getMessage());
    }
  }

  /**
   * Returns the node's pod CIDRs: {@code spec.podCIDRs} (one per family), or {@code spec.podCIDR}
   * when the list is empty; null when neither is set. Like Go's {@code net.ParseCIDR}, host bits
   * are cleared.
   *
   * @throws IllegalArgumentException if there are more than two, two of one family, or one is not a
   *     CIDR; the message says which
   */
  static PodCidrs podCidrs(NodeSpec spec) {
    List<String> texts = spec == null ? List.of() : spec.getPodCIDRs();
    if ((texts == null || texts.isEmpty()) && spec != null && notEmpty(spec.getPodCIDR())) {
      texts = List.of(spec.getPodCIDR());
    }
    if (texts == null || texts.isEmpty()) {
      return null;
    }
    if (texts.size() > 2) {
      throw new IllegalArgumentException(
          "spec.podCIDRs " + texts + " should be IPv4/IPv6 only or dualstack");
    }
    Ip4Net v4 = null;
    Ip6Net v6 = null;
    for (String text : texts) {
      if (text != null && text.indexOf(':') >= 0) {
        if (v6 != null) {
          throw new IllegalArgumentException("spec.podCIDRs " + texts + " has two IPv6 CIDRs");
        }
        v6 = Ip6Net.parseContaining(text);
      } else {
        if (v4 != null) {
          throw new IllegalArgumentException("spec.podCIDRs " + texts + " has two IPv4 CIDRs");
        }
        v4 = Ip4Net.parseContaining(text);
      }
    }
    return new PodCidrs(v4, v6);
  }

  private static <T> T address(
      Map<String, String> annotations, String key, java.util.function.Function<String, T> parse) {
    String text = annotations.get(key);
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("no " + key + " annotation");
    }
    try {
      return parse.apply(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  private static JsonNode json(Map<String, String> annotations, String key) {
    String text = annotations.get(key);
    if (text == null) {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(text);
      if (node == null || node.isMissingNode()) {
        throw new IllegalArgumentException(key + " is empty, not JSON");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          key + " is not JSON: " + String.valueOf(e.getOriginalMessage()).replaceAll("\\s+", " "),
          e);
    }
  }

  private static boolean notEmpty(String s) {
    return s != null && !s.isEmpty();
  }
}
