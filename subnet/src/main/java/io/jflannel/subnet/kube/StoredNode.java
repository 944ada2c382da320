package io.jflannel.subnet.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.subnet.NodeRecord;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what this node's annotations kept from before into a {@link NodeRecord}: the addresses an
 * operator pinned ({@code node-public-ip}, {@code node-public-ipv6}, upstream's {@code
 * GetStoredPublicIP}) and what flannel advertised last time ({@code public-ip}, {@code
 * public-ipv6}, {@code backend-type}, {@code backend-data}, {@code backend-v6-data}).
 *
 * <p>Lenient: a value that cannot be read is left out with one warning naming the annotation and
 * the fix, and the rest is still used; the backend data is passed on as JSON without looking inside
 * (it is the backend's to read). A node that never ran flannel has no previous attributes.
 *
 * <p>Stateless and thread-safe.
 */
final class StoredNode {
  private static final Logger log = LoggerFactory.getLogger(StoredNode.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private StoredNode() {}

  /** The record kept in {@code annotations} of node {@code node}. */
  static NodeRecord read(String node, Map<String, String> annotations, KubeAnnotations names) {
    Ip4 pinned = address(node, annotations, names.nodePublicIp(), Ip4::parse);
    Ip6 pinnedV6 = address(node, annotations, names.nodePublicIpv6(), Ip6::parse);
    String type = annotations.get(names.backendType());
    JsonNode data = json(node, annotations, names.backendData());
    JsonNode dataV6 = json(node, annotations, names.backendV6Data());
    LeaseAttrs previous = null;
    if (type != null || data != null || dataV6 != null) {
      previous =
          new LeaseAttrs(
              address(node, annotations, names.publicIp(), Ip4::parse),
              address(node, annotations, names.publicIpv6(), Ip6::parse),
              type,
              data,
              dataV6);
    }
    return new NodeRecord(pinned, pinnedV6, previous);
  }

  private static <T> T address(
      String node, Map<String, String> annotations, String key, Function<String, T> parse) {
    String text = annotations.get(key);
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      return parse.apply(text);
    } catch (IllegalArgumentException e) {
      log.warn("node {}: ignoring annotation {}: {}; fix or remove it", node, key, e.getMessage());
      return null;
    }
  }

  private static JsonNode json(String node, Map<String, String> annotations, String key) {
    String text = annotations.get(key);
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      log.warn(
          "node {}: ignoring annotation {}: not JSON; it is rewritten when the lease is acquired",
          node,
          key);
      return null;
    }
  }
}
