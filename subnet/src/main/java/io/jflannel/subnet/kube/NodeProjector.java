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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a Node into the lease it advertises (upstream's {@code nodeToLease}), or into one line
 * saying why it advertises none; the only place that reads a peer's Node.
 *
 * <p>A node yields a lease when it carries {@code <prefix>kube-subnet-manager: "true"} and at least
 * one family this node needs (the families of this node's own lease) is present on it: a pod CIDR
 * of that family and its public address annotation ({@code public-ip}, not {@code 0.0.0.0}; {@code
 * public-ipv6}). The backend data annotations must be JSON when present; upstream passes them on
 * unparsed and the backend fails later, here the node is skipped up front so the problem is
 * reported once, by name. The backend type string is interned: every node of a cluster shares the
 * same few.
 *
 * <p>A node that has one needed family and lacks the other (a dual-stack peer without {@code
 * public-ipv6}, or without an IPv6 pod CIDR) is kept for the family it has, and the lack is
 * reported as a {@linkplain Result#gaps gap}. Upstream's {@code nodeToLease} fails the whole node
 * instead, which also cuts its IPv4 traffic. The lease keeps its identity, the node's pod CIDRs:
 * both subnets stay in it when the node has both CIDRs, and only the missing family's public
 * address and backend data are left out (null), so backends skip that family; a node without the
 * IPv6 pod CIDR itself yields a lease with the IPv4 subnet only. A node with no usable family is
 * skipped, as before. A value that is present but unreadable (an address that does not parse,
 * backend data that is not JSON) still skips the whole node: that is a fault to fix, and a node
 * that had a lease keeps its last one meanwhile ({@link PeerTracker}).
 *
 * <p>Immutable and thread-safe.
 */
final class NodeProjector {

  private static final ObjectReader JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).reader();

  /** The reason's tail for nodes flannel does not run on (yet): normal, not worth a warning. */
  static final String NOT_STARTED = "(flannel has not started there yet)";

  private final KubeAnnotations names;
  private final boolean ipv4;
  private final boolean ipv6;

  /**
   * Creates a projector.
   *
   * @param names the annotation names
   * @param ipv4 whether this node needs its peers' IPv4 parts (its lease has an IPv4 subnet)
   * @param ipv6 whether it needs their IPv6 parts
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
   * @param gaps the needed families the lease lacks, one line each, e.g. {@code "no
   *     flannel.alpha.coreos.com/public-ipv6 annotation: its IPv6 pod traffic is not routed; IPv4
   *     is"}; empty when the lease is complete or there is none
   */
  record Result(Lease lease, String problem, List<Gap> gaps) {
    Result {
      gaps = List.copyOf(gaps);
    }

    static Result skip(String problem) {
      return new Result(null, problem, List.of());
    }
  }

  /**
   * A needed family a peer's lease lacks.
   *
   * @param family {@code "IPv4"} or {@code "IPv6"}
   * @param line what is missing and what it means, for the warning
   */
  record Gap(String family, String line) {}

  /**
   * A node's pod CIDRs by family.
   *
   * @param ipv4 the IPv4 pod CIDR, or null
   * @param ipv6 the IPv6 pod CIDR, or null
   */
  record PodCidrs(Ip4Net ipv4, Ip6Net ipv6) {}

  /**
   * One family of a node: its public address and backend data, or what it lacks.
   *
   * @param publicIp the address; null exactly when {@code missing} is set
   * @param data the backend data; null if the annotation is absent or the family is missing
   * @param missing what the node lacks for this family, e.g. {@code "no
   *     flannel.alpha.coreos.com/public-ip annotation"}; null if it has the family
   */
  private record Family<T>(T publicIp, JsonNode data, String missing) {
    static <T> Family<T> lacking(String missing) {
      return new Family<>(null, null, missing);
    }
  }

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
    Family<Ip4> v4;
    Family<Ip6> v6;
    try {
      cidrs = podCidrs(node.getSpec());
      if (cidrs == null) {
        return Result.skip("no spec.podCIDR assigned");
      }
      v4 = ipv4 ? ipv4Family(cidrs, annotations) : null;
      v6 = ipv6 ? ipv6Family(cidrs, annotations) : null;
    } catch (IllegalArgumentException e) {
      return Result.skip(e.getMessage());
    }
    boolean has4 = v4 != null && v4.missing() == null;
    boolean has6 = v6 != null && v6.missing() == null;
    if (!has4 && !has6) {
      return Result.skip(v4 != null ? v4.missing() : v6.missing());
    }
    List<Gap> gaps = new ArrayList<>(1);
    if (v4 != null && !has4) {
      gaps.add(new Gap("IPv4", v4.missing() + ": its IPv4 pod traffic is not routed; IPv6 is"));
    }
    if (v6 != null && !has6) {
      gaps.add(new Gap("IPv6", v6.missing() + ": its IPv6 pod traffic is not routed; IPv4 is"));
    }
    String backendType = annotations.getOrDefault(names.backendType(), "").intern();
    LeaseAttrs attrs =
        new LeaseAttrs(
            has4 ? v4.publicIp() : null,
            has6 ? v6.publicIp() : null,
            backendType,
            has4 ? v4.data() : null,
            has6 ? v6.data() : null);
    Ip4Net subnet = ipv4 ? cidrs.ipv4() : null;
    Ip6Net ipv6Subnet = ipv6 ? cidrs.ipv6() : null;
    return new Result(new Lease(subnet, ipv6Subnet, attrs, null, 0), null, gaps);
  }

  /**
   * The node's IPv4 family, or what it lacks.
   *
   * @throws IllegalArgumentException if public-ip is not an address or backend-data is not JSON
   */
  private Family<Ip4> ipv4Family(PodCidrs cidrs, Map<String, String> annotations) {
    if (cidrs.ipv4() == null) {
      return Family.lacking("no IPv4 pod CIDR although the net config enables IPv4");
    }
    String key = names.publicIp();
    if (empty(annotations.get(key))) {
      return Family.lacking("no " + key + " annotation");
    }
    Ip4 publicIp = address(annotations, key, Ip4::parse);
    if (publicIp.isAny()) {
      return Family.lacking(key + " is 0.0.0.0, which peers cannot reach");
    }
    return new Family<>(publicIp, json(annotations, names.backendData()), null);
  }

  /**
   * The node's IPv6 family, or what it lacks.
   *
   * @throws IllegalArgumentException if public-ipv6 is not an address or backend-v6-data is not
   *     JSON
   */
  private Family<Ip6> ipv6Family(PodCidrs cidrs, Map<String, String> annotations) {
    if (cidrs.ipv6() == null) {
      return Family.lacking("no IPv6 pod CIDR although the net config enables IPv6");
    }
    String key = names.publicIpv6();
    if (empty(annotations.get(key))) {
      return Family.lacking("no " + key + " annotation");
    }
    Ip6 publicIpv6 = address(annotations, key, Ip6::parse);
    return new Family<>(publicIpv6, json(annotations, names.backendV6Data()), null);
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
    try {
      return parse.apply(annotations.get(key));
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

  private static boolean empty(String s) {
    return s == null || s.isEmpty();
  }
}
