package io.jflannel.core.lease;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip6;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * <p>Immutable and thread-safe: the JSON values are copied on the way in and out. They are kept as
 * their compact JSON text, not as trees: a 50,000-node cluster holds 50,000 of these, and a tree of
 * two fields costs about 400 bytes where its text costs about 80. {@link #backendData()} parses the
 * text again; only a lease that is added or changed is read that way. Two values are equal when
 * their texts are, or, failing that, when their trees are (a different key order is still equal).
 *
 * <p>publicIp: the IPv4 address peers send traffic to; null when the node has none (v6-only) <br>
 * publicIpv6: the IPv6 address peers send traffic to; null when the node has none <br>
 * backendType: the backend that serves this lease, e.g. {@code "vxlan"}; empty for udp <br>
 * backendData: backend data for IPv4, e.g. {@code {"VNI":1,"VtepMAC":"..."}}; null if none <br>
 * backendV6Data: backend data for IPv6; null if none
 */
@JsonSerialize(using = LeaseAttrsJson.Writer.class)
@JsonDeserialize(using = LeaseAttrsJson.Reader.class)
public final class LeaseAttrs {

  private static final ObjectMapper MAPPER = LeaseAttrsJson.mapper();

  private final Ip4 publicIp;
  private final Ip6 publicIpv6;
  private final String backendType;
  private final String backendData; // compact JSON text (Go escapes), "null" for a JSON null
  private final String backendV6Data;

  /**
   * Maps a null {@code backendType} to empty and copies the JSON values.
   *
   * @param publicIp the IPv4 address peers send traffic to; null when the node has none (v6-only)
   * @param publicIpv6 the IPv6 address peers send traffic to; null when the node has none
   * @param backendType the backend that serves this lease, e.g. {@code "vxlan"}; empty for udp
   * @param backendData backend data for IPv4, e.g. {@code {"VNI":1,"VtepMAC":"..."}}; null if none
   * @param backendV6Data backend data for IPv6; null if none
   */
  public LeaseAttrs(
      Ip4 publicIp,
      Ip6 publicIpv6,
      String backendType,
      JsonNode backendData,
      JsonNode backendV6Data) {
    this.publicIp = publicIp;
    this.publicIpv6 = publicIpv6;
    this.backendType = shared(backendType);
    this.backendData = text(backendData);
    this.backendV6Data = text(backendV6Data);
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

  /** Returns the IPv4 address peers send traffic to; null when the node has none (v6-only). */
  public Ip4 publicIp() {
    return publicIp;
  }

  /** Returns the IPv6 address peers send traffic to; null when the node has none. */
  public Ip6 publicIpv6() {
    return publicIpv6;
  }

  /** Returns the backend that serves this lease, e.g. {@code "vxlan"}; empty for udp. */
  public String backendType() {
    return backendType;
  }

  /** Returns a copy of the IPv4 backend data, or null if there is none. */
  public JsonNode backendData() {
    return tree(backendData);
  }

  /** Returns a copy of the IPv6 backend data, or null if there is none. */
  public JsonNode backendV6Data() {
    return tree(backendV6Data);
  }

  /**
   * The IPv4 backend data as compact JSON, or null if there is none; for {@link LeaseAttrsJson}.
   */
  String backendDataJson() {
    return backendData;
  }

  /**
   * The IPv6 backend data as compact JSON, or null if there is none; for {@link LeaseAttrsJson}.
   */
  String backendV6DataJson() {
    return backendV6Data;
  }

  @Override
  public boolean equals(Object o) {
    return o == this
        || o instanceof LeaseAttrs other
            && Objects.equals(publicIp, other.publicIp)
            && Objects.equals(publicIpv6, other.publicIpv6)
            && backendType.equals(other.backendType)
            && sameJson(backendData, other.backendData)
            && sameJson(backendV6Data, other.backendV6Data);
  }

  /** Leaves the JSON values out, so that equal trees written in another key order hash alike. */
  @Override
  public int hashCode() {
    return Objects.hash(
        publicIp, publicIpv6, backendType, backendData == null, backendV6Data == null);
  }

  @Override
  public String toString() {
    return "LeaseAttrs[publicIp="
        + publicIp
        + ", publicIpv6="
        + publicIpv6
        + ", backendType="
        + backendType
        + ", backendData="
        + backendData
        + ", backendV6Data="
        + backendV6Data
        + "]";
  }

  private static boolean sameJson(String a, String b) {
    if (a == null || b == null || a.equals(b)) {
      return Objects.equals(a, b);
    }
    return tree(a).equals(tree(b));
  }

  /** The backend names as shared constants: not one copy of "vxlan" per peer. */
  private static String shared(String backendType) {
    if (backendType == null) {
      return "";
    }
    return switch (backendType) {
      case "" -> "";
      case "vxlan" -> "vxlan";
      case "host-gw" -> "host-gw";
      case "udp" -> "udp";
      default -> backendType;
    };
  }

  private static String text(JsonNode tree) {
    if (tree == null) {
      return null;
    }
    try {
      return MAPPER.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("backend data cannot be written as JSON: " + e, e);
    }
  }

  private static JsonNode tree(String text) {
    if (text == null) {
      return null;
    }
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read back backend data " + text, e);
    }
  }
}
