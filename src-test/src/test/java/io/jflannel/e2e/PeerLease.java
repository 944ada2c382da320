package io.jflannel.e2e;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One node's lease as every other node sees it, per family: its IPv4 subnet ({@code
 * 10.244.3.0/24}), public IP and, for vxlan, VTEP MAC; its IPv6 subnet ({@code fd10:0:0:3::/64}),
 * public IPv6 and IPv6 VTEP MAC; and its backend type. A field a lease lacks is null (an IPv4-only
 * lease has no IPv6 fields; an IPv6-only one no IPv4 fields, its {@code "PublicIP":"0.0.0.0"} read
 * as none, as upstream reads it). {@code value} is the stored JSON verbatim (etcd) or the
 * backend-data annotation (kube).
 */
record PeerLease(
    String subnet,
    String publicIp,
    String backendType,
    String vtepMac,
    String value,
    String subnet6,
    String publicIpv6,
    String vtepMac6) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** An IPv4-only lease. */
  PeerLease(String subnet, String publicIp, String backendType, String vtepMac, String value) {
    this(subnet, publicIp, backendType, vtepMac, value, null, null, null);
  }

  /**
   * Parses flannel's LeaseAttrs JSON stored under the key naming {@code subnet} and {@code subnet6}
   * (either may be null); returns null if {@code value} does not look like it.
   */
  static PeerLease parse(String subnet, String subnet6, String value) {
    JsonNode json;
    try {
      json = JSON.readTree(value);
    } catch (JsonProcessingException e) {
      return null;
    }
    if (json == null || !json.isObject() || !json.path("PublicIP").isTextual()) {
      return null;
    }
    String publicIp = json.get("PublicIP").asText();
    String publicIpv6 =
        json.path("PublicIPv6").isTextual() ? json.get("PublicIPv6").asText() : null;
    return new PeerLease(
        subnet,
        publicIp.equals("0.0.0.0") ? null : publicIp,
        json.path("BackendType").asText(""),
        vtepMac(json.get("BackendData")),
        value,
        subnet6,
        publicIpv6,
        vtepMac(json.get("BackendV6Data")));
  }

  /** The lower-case {@code VtepMAC} of backend data, or null. */
  static String vtepMac(JsonNode data) {
    JsonNode mac = data == null ? null : data.get("VtepMAC");
    return mac == null || !mac.isTextual() ? null : mac.asText().toLowerCase();
  }

  /** Whether a backend has everything it needs to program this peer in {@code family}. */
  boolean complete(Family family, Backend backend) {
    boolean vxlan = backend == Backend.VXLAN;
    return family == Family.V4
        ? subnet != null && publicIp != null && (!vxlan || vtepMac != null)
        : subnet6 != null && publicIpv6 != null && (!vxlan || vtepMac6 != null);
  }

  /** Whether this is the lease of the node whose subnet.env is {@code env}. */
  boolean isOf(SubnetEnv env) {
    return (subnet != null && subnet.equals(env.lease()))
        || (subnet6 != null && subnet6.equals(env.lease6()));
  }
}
