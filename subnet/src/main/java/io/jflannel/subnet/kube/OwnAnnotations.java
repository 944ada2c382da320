package io.jflannel.subnet.kube;

import com.fasterxml.jackson.databind.JsonNode;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.lease.LeaseAttrs;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The annotations this node publishes for its lease, computed as upstream's {@code AcquireLease}
 * computes them, and the subset that differs from what the Node already carries.
 *
 * <p>Values, for backend type {@code t} and the node's existing annotations:
 *
 * <ul>
 *   <li>{@code kube-subnet-manager: "true"}, {@code backend-type: t}.
 *   <li>Unless {@code t} is vxlan without IPv4 backend data (an IPv6-only vxlan node): {@code
 *       backend-data} (the JSON text, {@code null} for host-gw) and {@code public-ip}, which is the
 *       value of {@code public-ip-overwrite} when that is set, else the detected address ({@code
 *       0.0.0.0} when there is none, as upstream writes it).
 *   <li>When the node has an IPv6 address and {@code t} is vxlan or wireguard with IPv6 backend
 *       data, or host-gw or extension: {@code backend-v6-data} and {@code public-ipv6} (overwritten
 *       by {@code public-ipv6-overwrite}).
 * </ul>
 *
 * <p>Where this differs from upstream: upstream patches whenever a compound condition holds, which
 * is true on every restart of a node with {@code public-ip-overwrite} set (the detected address
 * never equals the overwrite) and of an IPv6-only vxlan node; here only values that differ are
 * patched. An overwrite value that is not an address is refused instead of being published, since
 * every peer would skip it.
 *
 * <p>JSON text is what Go's {@code json.Marshal} writes, byte for byte: it is cut out of {@link
 * LeaseAttrs#toJson}, whose format is documented as upstream's.
 *
 * <p>Immutable and thread-safe.
 *
 * @param values every annotation this node publishes, in upstream's order
 * @param advertised the attributes peers will read back: {@code attrs} with the overwrites applied
 */
record OwnAnnotations(Map<String, String> values, LeaseAttrs advertised) {

  private static final String DATA_PREFIX =
      "{\"PublicIP\":\"0.0.0.0\",\"PublicIPv6\":null,\"BackendData\":";

  OwnAnnotations {
    values = Map.copyOf(values);
  }

  /**
   * Computes the annotations for {@code attrs} on a node that currently carries {@code existing}.
   *
   * @throws IllegalArgumentException if an overwrite annotation is set but is not an address of its
   *     family; the message names the annotation and its value
   */
  static OwnAnnotations of(LeaseAttrs attrs, Map<String, String> existing, KubeAnnotations names) {
    Map<String, String> values = new LinkedHashMap<>();
    String type = attrs.backendType();
    values.put(names.kubeSubnetManager(), "true");
    values.put(names.backendType(), type);
    Ip4 publicIp = attrs.publicIp();
    String data = jsonText(attrs.backendData());
    if (!type.equals("vxlan") || !data.equals("null")) {
      values.put(names.backendData(), data);
      String overwrite = existing.get(names.publicIpOverwrite());
      if (overwrite != null && !overwrite.isEmpty()) {
        publicIp = parse(overwrite, names.publicIpOverwrite(), Ip4::parse);
      }
      values.put(names.publicIp(), publicIp == null ? Ip4.ANY.toString() : publicIp.toString());
    }
    Ip6 publicIpv6 = attrs.publicIpv6();
    String v6Data = jsonText(attrs.backendV6Data());
    boolean v6 =
        publicIpv6 != null
            && (((type.equals("vxlan") || type.equals("wireguard")) && !v6Data.equals("null"))
                || type.equals("host-gw")
                || type.equals("extension"));
    if (v6) {
      values.put(names.backendV6Data(), v6Data);
      String overwrite = existing.get(names.publicIpv6Overwrite());
      if (overwrite != null && !overwrite.isEmpty()) {
        publicIpv6 = parse(overwrite, names.publicIpv6Overwrite(), Ip6::parse);
      }
      values.put(names.publicIpv6(), publicIpv6.toString());
    }
    LeaseAttrs advertised =
        new LeaseAttrs(publicIp, publicIpv6, type, attrs.backendData(), attrs.backendV6Data());
    return new OwnAnnotations(values, advertised);
  }

  /** Returns the annotations whose value differs from {@code existing}, in upstream's order. */
  Map<String, String> changes(Map<String, String> existing) {
    Map<String, String> changes = new LinkedHashMap<>();
    values.forEach(
        (key, value) -> {
          if (!Objects.equals(existing.get(key), value)) {
            changes.put(key, value);
          }
        });
    return changes;
  }

  /** Returns true if {@code current} carries every value this node publishes. */
  boolean appliedTo(Map<String, String> current) {
    return current != null && changes(current).isEmpty();
  }

  /**
   * Returns the JSON text Go writes for backend data: {@code null} for none, else the compact JSON
   * with Go's escaping.
   */
  static String jsonText(JsonNode data) {
    if (data == null) {
      return "null";
    }
    String json = new LeaseAttrs(null, null, "", data, null).toJson();
    if (!json.startsWith(DATA_PREFIX) || !json.endsWith("}")) {
      throw new IllegalStateException("unexpected lease attributes JSON: " + json);
    }
    return json.substring(DATA_PREFIX.length(), json.length() - 1);
  }

  private static <T> T parse(
      String text, String key, java.util.function.Function<String, T> parser) {
    try {
      return parser.apply(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "annotation " + key + ": " + e.getMessage() + "; fix or remove it", e);
    }
  }
}
