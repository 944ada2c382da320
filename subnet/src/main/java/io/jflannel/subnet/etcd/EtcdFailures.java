package io.jflannel.subnet.etcd;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Words a failed etcd request for {@link EtcdStore}: the part of the message after {@code "etcd:
 * <verb> <key>: "}, one line that says what went wrong and, where the cause is known, which flag to
 * fix.
 *
 * <p>Recognized: TLS failures (explained by {@link EtcdTlsProbe}: the HTTP client's handshake
 * errors do not say which side refused what), endpoints that cannot be reached, and etcd's
 * authentication errors for {@code --etcd-username} and {@code --etcd-password}. Anything else
 * keeps etcd's own message. The password is never part of a message. Immutable.
 */
final class EtcdFailures {

  /** The longest a TLS probe may wait per endpoint. */
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

  private final EtcdOptions options;
  private final EtcdTls tls;
  private final Duration timeout;

  /**
   * @param tls the TLS material, or null without TLS
   * @param timeout the request timeout, for messages
   */
  EtcdFailures(EtcdOptions options, EtcdTls tls, Duration timeout) {
    this.options = options;
    this.tls = tls;
    this.timeout = timeout;
  }

  /** For a request that got no answer within the timeout. */
  String noAnswer() {
    return tlsProblem()
        .orElse(
            "no answer from "
                + endpoints()
                + " within "
                + timeout.toMillis()
                + " ms; is etcd running and reachable (--etcd-endpoints)?");
  }

  /** For a request that failed with {@code cause} ({@link EtcdException}). */
  String failed(Throwable cause) {
    String message = oneLine(cause);
    boolean credentials = !options.username().isEmpty() && !options.password().isEmpty();
    if (credentials
        && (message.startsWith("UNAUTHENTICATED") || message.contains("authentication failed"))) {
      return "etcd at "
          + endpoints()
          + " refused --etcd-username "
          + options.username()
          + " with the --etcd-password given ("
          + message
          + ": no such user, or a wrong password); check both";
    }
    if (message.contains("user name is empty")) {
      return "etcd at "
          + endpoints()
          + " has authentication enabled ("
          + message
          + "); give both --etcd-username and --etcd-password";
    }
    if (message.contains("permission denied")) {
      return "etcd at "
          + endpoints()
          + " denied "
          + (options.username().isEmpty() ? "the request" : "user " + options.username())
          + " access to "
          + options.prefix()
          + " (permission denied); grant its role readwrite on the prefix: etcdctl role"
          + " grant-permission <role> --prefix=true readwrite "
          + options.prefix()
          + "/";
    }
    if (message.startsWith("UNAVAILABLE")) {
      Optional<String> tlsProblem = tlsProblem();
      if (tlsProblem.isPresent()) {
        return tlsProblem.get();
      }
      return "cannot reach etcd at "
          + endpoints()
          + " ("
          + message
          + "); is etcd running and reachable (--etcd-endpoints)?";
    }
    return "at " + endpoints() + " failed: " + message;
  }

  private Optional<String> tlsProblem() {
    if (tls == null) {
      return Optional.empty();
    }
    Duration wait = timeout.compareTo(PROBE_TIMEOUT) < 0 ? timeout : PROBE_TIMEOUT;
    return EtcdTlsProbe.diagnose(options, tls, wait);
  }

  private List<String> endpoints() {
    return options.endpoints();
  }

  static String oneLine(Throwable t) {
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return message.replaceAll("\\s+", " ");
  }
}
