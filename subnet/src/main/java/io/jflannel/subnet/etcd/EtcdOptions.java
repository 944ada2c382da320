package io.jflannel.subnet.etcd;

import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6Net;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach etcd and what the etcd subnet manager needs from the command line and the previous
 * subnet.env: the {@code --etcd-*} flags, {@code --subnet-lease-renew-margin}, and the subnets this
 * node held before a restart.
 *
 * <p>The flag forms are parsed here so that the daemon and the tests agree on them: {@link
 * #parseEndpoints} splits {@code --etcd-endpoints} as upstream does (comma-separated) and {@link
 * #renewMarginMinutes} applies upstream's 1..1439 range check. TLS is used only when both {@code
 * keyFile} and {@code certFile} are set; otherwise the connection is plain HTTP and the manager
 * logs a warning, as upstream does (the CA file alone does not turn TLS on).
 *
 * <p>Immutable and thread-safe. Build with {@link #defaults()} and the {@code with*} methods.
 *
 * @param endpoints etcd client URLs, e.g. {@code http://127.0.0.1:2379}; at least one
 * @param prefix the key prefix, {@code --etcd-prefix}, e.g. {@code /coreos.com/network}; no
 *     trailing slash
 * @param keyFile PEM private key for TLS client auth, {@code --etcd-keyfile}: PKCS#8, PKCS#1 (RSA)
 *     or SEC1 (EC), as upstream (see {@link PemKeys}); empty if none
 * @param certFile PEM client certificate, {@code --etcd-certfile}; empty if none
 * @param caFile PEM CA bundle to verify etcd's certificate, {@code --etcd-cafile}; empty for the
 *     JDK's default trust store
 * @param username etcd user, {@code --etcd-username}; empty for no authentication (as upstream,
 *     credentials are used only when both username and password are given)
 * @param password etcd password, {@code --etcd-password}; never shown by {@link #toString}
 * @param renewMargin how long before its expiry the lease is renewed, {@code
 *     --subnet-lease-renew-margin} (default 60 minutes)
 * @param previousSubnet the IPv4 subnet of the previous subnet.env ({@code FLANNEL_SUBNET}), tried
 *     first when this node has no lease
 * @param previousIpv6Subnet the IPv6 subnet of the previous subnet.env ({@code
 *     FLANNEL_IPV6_SUBNET})
 */
public record EtcdOptions(
    List<String> endpoints,
    String prefix,
    String keyFile,
    String certFile,
    String caFile,
    String username,
    String password,
    Duration renewMargin,
    Optional<Ip4Net> previousSubnet,
    Optional<Ip6Net> previousIpv6Subnet) {

  /** Upstream's default for {@code --etcd-endpoints}. */
  public static final String DEFAULT_ENDPOINTS = "http://127.0.0.1:4001,http://127.0.0.1:2379";

  /** Upstream's default for {@code --etcd-prefix}. */
  public static final String DEFAULT_PREFIX = "/coreos.com/network";

  /** Upstream's default for {@code --subnet-lease-renew-margin}, in minutes. */
  public static final int DEFAULT_RENEW_MARGIN_MINUTES = 60;

  /**
   * Normalizes and checks the options: endpoints parsed, a trailing slash of the prefix removed,
   * null strings made empty.
   *
   * @throws IllegalArgumentException if there is no endpoint, an endpoint is not a URL, the prefix
   *     does not start with {@code /} or the renew margin is not positive
   */
  public EtcdOptions {
    endpoints = List.copyOf(Objects.requireNonNull(endpoints, "endpoints"));
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException(
          "--etcd-endpoints is empty; give at least one, e.g. http://127.0.0.1:2379");
    }
    endpoints.forEach(EtcdOptions::checkEndpoint);
    prefix = Objects.requireNonNull(prefix, "prefix");
    while (prefix.length() > 1 && prefix.endsWith("/")) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    if (!prefix.startsWith("/") || prefix.length() < 2) {
      throw new IllegalArgumentException(
          "--etcd-prefix must be an absolute key path like /coreos.com/network, got \""
              + prefix
              + "\"");
    }
    keyFile = Objects.toString(keyFile, "");
    certFile = Objects.toString(certFile, "");
    caFile = Objects.toString(caFile, "");
    username = Objects.toString(username, "");
    password = Objects.toString(password, "");
    Objects.requireNonNull(renewMargin, "renewMargin");
    if (renewMargin.isNegative() || renewMargin.isZero()) {
      throw new IllegalArgumentException("lease renew margin must be positive, got " + renewMargin);
    }
    previousSubnet = Objects.requireNonNull(previousSubnet, "previousSubnet");
    previousIpv6Subnet = Objects.requireNonNull(previousIpv6Subnet, "previousIpv6Subnet");
  }

  /** Returns upstream's defaults: local endpoints, {@code /coreos.com/network}, 60 min margin. */
  public static EtcdOptions defaults() {
    return new EtcdOptions(
        parseEndpoints(DEFAULT_ENDPOINTS),
        DEFAULT_PREFIX,
        "",
        "",
        "",
        "",
        "",
        Duration.ofMinutes(DEFAULT_RENEW_MARGIN_MINUTES),
        Optional.empty(),
        Optional.empty());
  }

  /**
   * Splits {@code --etcd-endpoints}: comma-separated URLs, blanks around commas ignored. An
   * endpoint without a scheme ({@code 10.0.0.1:2379}) gets {@code http://}, as etcd's Go client
   * accepts it.
   *
   * @throws IllegalArgumentException if the list is empty or an endpoint is not {@code
   *     http(s)://host:port}
   */
  public static List<String> parseEndpoints(String flag) {
    List<String> result = new ArrayList<>();
    for (String part : Objects.toString(flag, "").split(",", -1)) {
      String endpoint = part.strip();
      if (endpoint.isEmpty()) {
        continue;
      }
      if (!endpoint.contains("://")) {
        endpoint = "http://" + endpoint;
      }
      checkEndpoint(endpoint);
      result.add(endpoint);
    }
    if (result.isEmpty()) {
      throw new IllegalArgumentException(
          "--etcd-endpoints is empty; give at least one, e.g. http://127.0.0.1:2379");
    }
    return List.copyOf(result);
  }

  /**
   * Checks {@code --subnet-lease-renew-margin}, in minutes: it must lie between 1 and 1439 (the
   * lease lasts 24 h = 1440 min), as upstream requires.
   *
   * @throws IllegalArgumentException otherwise, with a message that names the flag and the range
   */
  public static Duration renewMarginMinutes(int minutes) {
    if (minutes < 1 || minutes > 1439) {
      throw new IllegalArgumentException(
          "--subnet-lease-renew-margin must be 1 to 1439 minutes (the etcd lease lasts 24 h),"
              + " got "
              + minutes);
    }
    return Duration.ofMinutes(minutes);
  }

  /** Returns true when both a key and a certificate are given, i.e. the connection uses TLS. */
  public boolean tls() {
    return !keyFile.isEmpty() && !certFile.isEmpty();
  }

  /** Returns a copy with other endpoints. */
  public EtcdOptions withEndpoints(List<String> newEndpoints) {
    return new EtcdOptions(
        newEndpoints,
        prefix,
        keyFile,
        certFile,
        caFile,
        username,
        password,
        renewMargin,
        previousSubnet,
        previousIpv6Subnet);
  }

  /** Returns a copy with another key prefix. */
  public EtcdOptions withPrefix(String newPrefix) {
    return new EtcdOptions(
        endpoints,
        newPrefix,
        keyFile,
        certFile,
        caFile,
        username,
        password,
        renewMargin,
        previousSubnet,
        previousIpv6Subnet);
  }

  /** Returns a copy with TLS files; empty strings mean "none". */
  public EtcdOptions withTls(String newKeyFile, String newCertFile, String newCaFile) {
    return new EtcdOptions(
        endpoints,
        prefix,
        newKeyFile,
        newCertFile,
        newCaFile,
        username,
        password,
        renewMargin,
        previousSubnet,
        previousIpv6Subnet);
  }

  /** Returns a copy with etcd credentials; an empty username means "no authentication". */
  public EtcdOptions withCredentials(String newUsername, String newPassword) {
    return new EtcdOptions(
        endpoints,
        prefix,
        keyFile,
        certFile,
        caFile,
        newUsername,
        newPassword,
        renewMargin,
        previousSubnet,
        previousIpv6Subnet);
  }

  /** Returns a copy with another renew margin (see {@link #renewMarginMinutes}). */
  public EtcdOptions withRenewMargin(Duration newRenewMargin) {
    return new EtcdOptions(
        endpoints,
        prefix,
        keyFile,
        certFile,
        caFile,
        username,
        password,
        newRenewMargin,
        previousSubnet,
        previousIpv6Subnet);
  }

  /** Returns a copy with the subnets of the previous subnet.env (either may be empty). */
  public EtcdOptions withPreviousSubnets(Optional<Ip4Net> subnet, Optional<Ip6Net> ipv6Subnet) {
    return new EtcdOptions(
        endpoints,
        prefix,
        keyFile,
        certFile,
        caFile,
        username,
        password,
        renewMargin,
        subnet,
        ipv6Subnet);
  }

  /** Shows everything but the password. */
  @Override
  public String toString() {
    return "EtcdOptions[endpoints="
        + endpoints
        + ", prefix="
        + prefix
        + ", tls="
        + tls()
        + ", username="
        + (username.isEmpty() ? "<none>" : username)
        + ", renewMargin="
        + renewMargin
        + ", previousSubnet="
        + previousSubnet.map(Object::toString).orElse("<none>")
        + ", previousIpv6Subnet="
        + previousIpv6Subnet.map(Object::toString).orElse("<none>")
        + "]";
  }

  private static void checkEndpoint(String endpoint) {
    URI uri;
    try {
      uri = new URI(endpoint);
    } catch (URISyntaxException e) {
      throw notEndpoint(endpoint);
    }
    String scheme = uri.getScheme();
    if (scheme == null
        || !(scheme.equals("http") || scheme.equals("https"))
        || uri.getHost() == null
        || uri.getPort() < 0) {
      throw notEndpoint(endpoint);
    }
  }

  private static IllegalArgumentException notEndpoint(String endpoint) {
    return new IllegalArgumentException(
        "--etcd-endpoints: \""
            + endpoint
            + "\" is not an etcd client URL like http://127.0.0.1:2379 (scheme, host and port)");
  }
}
