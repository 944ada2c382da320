package io.jflannel.core.lease;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip6;
import java.util.Objects;

/**
 * What a node advertises to its peers with its subnet: its public addresses and the backend data
 * peers need to reach it (for vxlan the VNI and the VTEP MAC).
 *
 * <p>The JSON form is upstream's etcd value ({@code pkg/lease/lease.go} {@code LeaseAttrs}), byte
 * for byte:
 *
 * <pre>{@code
 * {"PublicIP":"192.168.64.3","PublicIPv6":null,"BackendType":"vxlan","BackendData":{"VNI":1,"VtepMAC":"aa:bb:cc:dd:ee:ff"}}
 * }</pre>
 *
 * <ul>
 *   <li>{@code PublicIP} is always written; upstream's IPv4 type cannot be null and a v6-only node
 *       writes {@code "0.0.0.0"}, so a null {@link #publicIp} is written as {@code "0.0.0.0"} and
 *       {@code "0.0.0.0"} reads back as null. Upstream fails to read {@code "PublicIP":null}.
 *   <li>{@code PublicIPv6} is always written, {@code null} when absent.
 *   <li>{@code BackendType} is left out when empty (the udp backend advertises no type).
 *   <li>{@code BackendData} and {@code BackendV6Data} are raw JSON, left out when the Java value is
 *       null and written as {@code null} when it is a JSON null: upstream's host-gw writes no
 *       BackendData to etcd, while its node annotation {@code backend-data} is the text {@code
 *       null}, which reads back as a JSON null.
 * </ul>
 *
 * <p>Reading, like Go, matches keys case-insensitively, ignores unknown keys and lets the later of
 * two equal keys win. Strings are escaped as Go escapes them ({@code <} as <code>&#92;u003c</code>,
 * ...).
 *
 * <p>Immutable and thread-safe: the JSON values are copied on the way in and out.
 *
 * @param publicIp the IPv4 address peers send traffic to; null when the node has none (v6-only)
 * @param publicIpv6 the IPv6 address peers send traffic to; null when the node has none
 * @param backendType the backend that serves this lease, e.g. {@code "vxlan"}; empty for udp
 * @param backendData backend data for IPv4, e.g. {@code {"VNI":1,"VtepMAC":"..."}}; null if none
 * @param backendV6Data backend data for IPv6; null if none
 */
@JsonSerialize(using = LeaseAttrsJson.Writer.class)
@JsonDeserialize(using = LeaseAttrsJson.Reader.class)
public record LeaseAttrs(
    Ip4 publicIp,
    Ip6 publicIpv6,
    String backendType,
    JsonNode backendData,
    JsonNode backendV6Data) {

  private static final ObjectMapper MAPPER = LeaseAttrsJson.mapper();

  /** Maps a null {@code backendType} to empty and copies the JSON values. */
  public LeaseAttrs {
    backendType = backendType == null ? "" : backendType;
    backendData = backendData == null ? null : backendData.deepCopy();
    backendV6Data = backendV6Data == null ? null : backendV6Data.deepCopy();
  }

  /**
   * Reads upstream's JSON form.
   *
   * @throws IllegalArgumentException if {@code json} is not a JSON object, or an address or the
   *     backend type has the wrong form; the message says which
   */
  public static LeaseAttrs fromJson(String json) {
    try {
      LeaseAttrs attrs = MAPPER.readValue(json, LeaseAttrs.class);
      if (attrs == null) {
        throw new IllegalArgumentException("lease attributes must be a JSON object, not null");
      }
      return attrs;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "lease attributes are not valid: "
              + Objects.toString(e.getOriginalMessage(), "malformed JSON").replaceAll("\\s+", " "),
          e);
    }
  }

  /** Returns upstream's JSON form, byte for byte what upstream writes for the same values. */
  public String toJson() {
    try {
      return MAPPER.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write lease attributes as JSON", e);
    }
  }

  /** Returns a copy of the IPv4 backend data, or null if there is none. */
  @Override
  public JsonNode backendData() {
    return backendData == null ? null : backendData.deepCopy();
  }

  /** Returns a copy of the IPv6 backend data, or null if there is none. */
  @Override
  public JsonNode backendV6Data() {
    return backendV6Data == null ? null : backendV6Data.deepCopy();
  }
}
