package io.jflannel.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.ip.Ip6Net;
import java.math.BigInteger;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies upstream flannel's defaults to a {@link RawConfig} and validates it, the way {@code
 * subnet.CheckNetworkConfig} does (flannel.md §2), with one-line messages that name the key and the
 * fix; each message keeps upstream's wording for the rule it enforces so the two can be matched.
 */
final class ConfigDefaults {

  private static final Logger log = LoggerFactory.getLogger(NetworkConfig.class);

  private static final BigInteger MAX_SUBNET_LEN = BigInteger.valueOf(30);
  private static final BigInteger MAX_IPV6_SUBNET_LEN = BigInteger.valueOf(126);

  private ConfigDefaults() {}

  /** Returns the config {@code raw} describes, with upstream's defaults filled in, once valid. */
  static NetworkConfig apply(RawConfig raw) throws ConfigException {
    boolean enableIPv4 = raw.enableIPv4 == null || raw.enableIPv4;
    boolean enableIPv6 = raw.enableIPv6 != null && raw.enableIPv6;
    if (!enableIPv4 && !enableIPv6) {
      throw new ConfigException(
          "no IP family is enabled (upstream: \"none defined stack\"): EnableIPv4 and EnableIPv6"
              + " are both false; set \"EnableIPv4\": true with a \"Network\", and/or"
              + " \"EnableIPv6\": true with an \"IPv6Network\"");
    }
    Ip4Net network = null;
    int subnetLen = 0;
    Ip4 subnetMin = null;
    Ip4 subnetMax = null;
    if (enableIPv4) {
      network = ipv4Network(raw.network);
      subnetLen = ipv4SubnetLen(network, raw.subnetLen);
      subnetMin = ipv4Bound("SubnetMin", raw.subnetMin, network, subnetLen);
      subnetMax = ipv4Bound("SubnetMax", raw.subnetMax, network, subnetLen);
    }
    Ip6Net ipv6Network = null;
    int ipv6SubnetLen = 0;
    Ip6 ipv6SubnetMin = null;
    Ip6 ipv6SubnetMax = null;
    if (enableIPv6) {
      ipv6Network = ipv6Network(raw.ipv6Network);
      ipv6SubnetLen = ipv6SubnetLen(ipv6Network, raw.ipv6SubnetLen);
      ipv6SubnetMin = ipv6Bound("IPv6SubnetMin", raw.ipv6SubnetMin, ipv6Network, ipv6SubnetLen);
      ipv6SubnetMax = ipv6Bound("IPv6SubnetMax", raw.ipv6SubnetMax, ipv6Network, ipv6SubnetLen);
    }
    String backendType = backendType(raw);
    return new NetworkConfig(
        enableIPv4,
        network,
        subnetLen,
        subnetMin,
        subnetMax,
        enableIPv6,
        ipv6Network,
        ipv6SubnetLen,
        ipv6SubnetMin,
        ipv6SubnetMax,
        raw.enableNFTables != null && raw.enableNFTables,
        backendType,
        raw.backend != null ? raw.backend : NetConfReader.emptyObject());
  }

  /**
   * Returns the IPv4 Network of a config that enables IPv4: it must be given, and not {@code
   * 0.0.0.0/0}, which upstream cannot tell from no Network at all.
   */
  private static Ip4Net ipv4Network(Ip4Net network) throws ConfigException {
    if (network == null) {
      throw new ConfigException(
          "Network is missing but IPv4 is enabled (EnableIPv4 defaults to true); set"
              + " \"Network\" to the cluster's IPv4 pod CIDR, e.g. \"Network\": \"10.244.0.0/16\","
              + " or set \"EnableIPv4\": false for an IPv6-only cluster");
    }
    if (network.prefixLength() == 0) {
      throw new ConfigException(
          "Network "
              + network
              + " spans every IPv4 address, which upstream reads as no Network at all; set"
              + " \"Network\" to the cluster's pod CIDR, e.g. \"Network\": \"10.244.0.0/16\"");
    }
    return network;
  }

  /**
   * Returns the IPv6Network of a config that enables IPv6: it must be given, and not {@code ::/0},
   * which upstream cannot tell from no IPv6Network at all.
   */
  private static Ip6Net ipv6Network(Ip6Net network) throws ConfigException {
    if (network == null) {
      throw new ConfigException(
          "IPv6Network is missing but EnableIPv6 is true; set \"IPv6Network\" to the cluster's"
              + " IPv6 pod CIDR, e.g. \"IPv6Network\": \"2001:cafe:42::/56\", or set"
              + " \"EnableIPv6\": false");
    }
    if (network.prefixLength() == 0) {
      throw new ConfigException(
          "IPv6Network "
              + network
              + " spans every IPv6 address, which upstream reads as no IPv6Network at all; set"
              + " \"IPv6Network\" to the cluster's IPv6 pod CIDR, e.g. \"IPv6Network\":"
              + " \"2001:cafe:42::/56\"");
    }
    return network;
  }

  /**
   * The names and numbers in which upstream's IPv4 and IPv6 rules differ: the keys, the longest
   * subnet, the default subnet length and up to which network prefix it applies, upstream's text.
   */
  private record Family(
      String networkKey,
      String lenKey,
      BigInteger maxLen,
      int defaultLen,
      String upstreamTooLong,
      String upstreamTooSmall) {
    int maxNetworkPrefix() {
      return maxLen.intValue() - 2;
    }

    String aNetwork() {
      return (networkKey.startsWith("I") ? "an " : "a ") + networkKey;
    }
  }

  private static final Family IPV4 =
      new Family(
          "Network",
          "SubnetLen",
          MAX_SUBNET_LEN,
          24,
          "SubnetLen must be less than /31",
          "network is too small. Minimum useful network prefix is /28");
  private static final Family IPV6 =
      new Family(
          "IPv6Network",
          "IPv6SubnetLen",
          MAX_IPV6_SUBNET_LEN,
          64,
          "SubnetLen must be less than /127",
          "IPv6Network is too small. Minimum useful network prefix is /124");

  private static int ipv4SubnetLen(Ip4Net network, BigInteger given) throws ConfigException {
    return subnetLen(IPV4, network.toString(), network.prefixLength(), given);
  }

  private static int ipv6SubnetLen(Ip6Net network, BigInteger given) throws ConfigException {
    return subnetLen(IPV6, network.toString(), network.prefixLength(), given);
  }

  private static int subnetLen(Family f, String network, int prefix, BigInteger given)
      throws ConfigException {
    int maxPrefix = f.maxNetworkPrefix();
    if (given != null && given.signum() > 0) {
      if (given.compareTo(f.maxLen()) > 0) {
        throw new ConfigException(
            f.lenKey()
                + " /"
                + given
                + " is too long (upstream: \""
                + f.upstreamTooLong()
                + "\"); set \""
                + f.lenKey()
                + "\" to "
                + f.maxLen()
                + " or less, or omit it to get the default");
      }
      int len = given.intValue();
      if (len < prefix + 2) {
        throw new ConfigException(
            f.lenKey()
                + " /"
                + len
                + " is too short for "
                + f.networkKey()
                + " "
                + network
                + " (upstream: \"network must be able to accommodate at least four subnets\"); "
                + (prefix + 2 <= f.maxLen().intValue()
                    ? "set \"" + f.lenKey() + "\" to " + (prefix + 2) + " or more"
                    : "use "
                        + f.aNetwork()
                        + " with a prefix length of "
                        + maxPrefix
                        + " or less"));
      }
      return len;
    }
    if (prefix > maxPrefix) {
      throw new ConfigException(
          f.networkKey()
              + " "
              + network
              + " is too small (upstream: \""
              + f.upstreamTooSmall()
              + "\"); use "
              + f.aNetwork()
              + " with a prefix length of "
              + maxPrefix
              + " or less");
    }
    return prefix <= f.defaultLen() - 2 ? f.defaultLen() : prefix + 2;
  }

  private static Ip4 ipv4Bound(String key, Ip4 given, Ip4Net network, int subnetLen)
      throws ConfigException {
    if (given == null || given.isAny()) {
      Ip4 first = network.ip();
      return key.equals("SubnetMin")
          ? new Ip4(first.value() + (1 << (32 - subnetLen)))
          : Ip4Net.of(network.lastAddress(), subnetLen).ip();
    }
    checkBound(
        IPV4,
        key,
        given,
        network.contains(given),
        network,
        subnetLen,
        Ip4Net.of(given, subnetLen).ip());
    return given;
  }

  private static Ip6 ipv6Bound(String key, Ip6 given, Ip6Net network, int subnetLen)
      throws ConfigException {
    if (given == null || given.isAny()) {
      Ip6Net first = Ip6Net.of(network.ip(), subnetLen);
      return key.equals("IPv6SubnetMin")
          ? first.next().ip()
          : Ip6Net.of(network.lastAddress(), subnetLen).ip();
    }
    checkBound(
        IPV6,
        key,
        given,
        network.contains(given),
        network,
        subnetLen,
        Ip6Net.of(given, subnetLen).ip());
    return given;
  }

  /** A SubnetMin/Max given by the user must lie in the network and start a subnet. */
  private static void checkBound(
      Family f,
      String key,
      Object given,
      boolean inNetwork,
      Object network,
      int subnetLen,
      Object aligned)
      throws ConfigException {
    if (!inNetwork) {
      throw new ConfigException(
          key
              + " "
              + given
              + " is not in the range of the "
              + f.networkKey()
              + " "
              + network
              + "; set \""
              + key
              + "\" to the start of a subnet inside "
              + network
              + ", or omit it to get the default");
    }
    if (!aligned.equals(given)) {
      throw new ConfigException(
          key
              + " is not on a SubnetLen boundary: "
              + given
              + " is inside the /"
              + subnetLen
              + " that starts at "
              + aligned
              + "; set \""
              + key
              + "\" to "
              + aligned);
    }
  }

  private static String backendType(RawConfig raw) throws ConfigException {
    if (raw.backend == null) {
      log.warn(
          "network config has no Backend, so the udp backend is used, as upstream flannel does"
              + " (its documentation says vxlan); udp is meant for debugging: set \"Backend\":"
              + " {\"Type\": \"vxlan\"} to use vxlan");
      return "udp";
    }
    JsonNode type = NetConfReader.backendTypeNode(raw.backend);
    if (!type.isNull() && !type.isTextual()) {
      throw new ConfigException(
          "Backend Type must be a string, not "
              + Messages.describe(type)
              + "; write it like \"Backend\": {\"Type\": \"vxlan\"}");
    }
    if (type.isNull() || type.textValue().isEmpty()) {
      throw new ConfigException(
          "unknown backend type: the Backend has no \"Type\"; name the backend, e.g. \"Backend\":"
              + " {\"Type\": \"vxlan\"} (or \"host-gw\", \"udp\")");
    }
    return type.textValue().toLowerCase(Locale.ROOT);
  }
}
