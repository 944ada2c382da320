package io.jflannel.core.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.ip.Ip6Net;
import java.util.Objects;

/**
 * The cluster-wide network configuration: the pod networks, how they are cut into per-node subnets,
 * and which backend carries the traffic; read from net-conf.json (kube mode) or {@code
 * <prefix>/config} (etcd mode).
 *
 * <p>{@link #parse} accepts the same JSON as upstream flannel ({@code pkg/subnet/config.go}): keys
 * match case-insensitively, unknown keys are ignored, a {@code null} value counts as absent. It
 * then applies upstream's defaults and validation (flannel.md §2) in both kube and etcd modes
 * (upstream validates only in etcd mode):
 *
 * <ul>
 *   <li>{@code SubnetLen}: 24, or the Network's prefix length + 2 when the prefix is longer than
 *       /22; {@code IPv6SubnetLen}: 64, or prefix + 2 when longer than /62. 0 means "default".
 *   <li>{@code SubnetMin}: the second subnet of the Network (the first is skipped so no node's
 *       address is the network address); {@code SubnetMax}: the last subnet. Same for IPv6. {@code
 *       0.0.0.0} / {@code ::} mean "default".
 *   <li>{@code EnableIPv4} defaults to true, {@code EnableIPv6} and {@code EnableNFTables} to
 *       false.
 *   <li>A missing {@code Backend} means {@code udp}, as upstream does (its documentation says
 *       vxlan); a warning is logged. A Backend without {@code Type} is an error.
 * </ul>
 *
 * <p>The fields of a disabled family are null (and its lengths 0): nothing may use the IPv6 network
 * of an IPv4-only cluster. Config changes are not picked up at runtime; like upstream, a restart is
 * needed (issue #1604).
 *
 * <p>Immutable and thread-safe: the {@code backend} object is copied on the way in and out. Build
 * instances with {@link #parse}; the canonical constructor checks only the structural invariants
 * above, not upstream's rules.
 *
 * @param enableIPv4 whether pods get IPv4 addresses
 * @param network the cluster's IPv4 pod network, e.g. {@code 10.244.0.0/16}; null if IPv4 is off
 * @param subnetLen the prefix length of each node's IPv4 subnet; 0 if IPv4 is off
 * @param subnetMin the lowest IPv4 subnet a node may lease (etcd mode); null if IPv4 is off
 * @param subnetMax the highest IPv4 subnet a node may lease (etcd mode); null if IPv4 is off
 * @param enableIPv6 whether pods get IPv6 addresses
 * @param ipv6Network the cluster's IPv6 pod network; null if IPv6 is off
 * @param ipv6SubnetLen the prefix length of each node's IPv6 subnet; 0 if IPv6 is off
 * @param ipv6SubnetMin the lowest IPv6 subnet a node may lease; null if IPv6 is off
 * @param ipv6SubnetMax the highest IPv6 subnet a node may lease; null if IPv6 is off
 * @param enableNFTables whether traffic rules use nftables instead of iptables (experimental)
 * @param backendType the backend's {@code Type}, lower-cased (backend names are matched
 *     case-insensitively), e.g. {@code "vxlan"}
 * @param backend the whole {@code Backend} object as written, for the backend to read its options
 *     from (e.g. {@code VNI}); an empty object when the config has no Backend
 */
public record NetworkConfig(
    boolean enableIPv4,
    Ip4Net network,
    int subnetLen,
    Ip4 subnetMin,
    Ip4 subnetMax,
    boolean enableIPv6,
    Ip6Net ipv6Network,
    int ipv6SubnetLen,
    Ip6 ipv6SubnetMin,
    Ip6 ipv6SubnetMax,
    boolean enableNFTables,
    String backendType,
    ObjectNode backend) {

  /**
   * Checks the structural invariants: at least one family enabled, an enabled family's fields all
   * set, a disabled family's fields all unset, a backend type named.
   *
   * @throws IllegalArgumentException otherwise
   */
  public NetworkConfig {
    if (!enableIPv4 && !enableIPv6) {
      throw new IllegalArgumentException("at least one of IPv4 and IPv6 must be enabled");
    }
    boolean v4Set = network != null && subnetMin != null && subnetMax != null && subnetLen > 0;
    boolean v4Unset = network == null && subnetMin == null && subnetMax == null && subnetLen == 0;
    if (enableIPv4 ? !v4Set : !v4Unset) {
      throw new IllegalArgumentException(
          "IPv4 network, subnet length, min and max must be set exactly when IPv4 is enabled");
    }
    boolean v6Set =
        ipv6Network != null && ipv6SubnetMin != null && ipv6SubnetMax != null && ipv6SubnetLen > 0;
    boolean v6Unset =
        ipv6Network == null && ipv6SubnetMin == null && ipv6SubnetMax == null && ipv6SubnetLen == 0;
    if (enableIPv6 ? !v6Set : !v6Unset) {
      throw new IllegalArgumentException(
          "IPv6 network, subnet length, min and max must be set exactly when IPv6 is enabled");
    }
    if (backendType == null || backendType.isEmpty()) {
      throw new IllegalArgumentException("backend type must be named");
    }
    backend = Objects.requireNonNull(backend, "backend").deepCopy();
  }

  /**
   * Parses, defaults and validates a network config.
   *
   * @param json the config text, e.g. {@code {"Network": "10.244.0.0/16", "Backend": {"Type":
   *     "vxlan"}}}
   * @throws ConfigException if the text is not one JSON object, a key has the wrong type or an
   *     unparsable value, or the values break one of upstream's rules; the message is one line that
   *     names the key (or the position of a syntax error) and the fix
   */
  public static NetworkConfig parse(String json) throws ConfigException {
    return ConfigDefaults.apply(NetConfReader.read(json));
  }

  /** Returns a copy of the {@code Backend} object, for the backend to read its options from. */
  @Override
  public ObjectNode backend() {
    return backend.deepCopy();
  }
}
