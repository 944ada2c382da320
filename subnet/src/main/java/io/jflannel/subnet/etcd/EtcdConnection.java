package io.jflannel.subnet.etcd;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.jflannel.core.subnet.SubnetException;
import java.time.Duration;
import java.util.Date;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jetcd client built from the {@code --etcd-*} flags, as upstream builds etcd's Go client: TLS
 * (1.2 or 1.3) when both {@code --etcd-keyfile} and {@code --etcd-certfile} are given, with the
 * files read and checked first ({@link EtcdTls}); credentials when both {@code --etcd-username} and
 * {@code --etcd-password} are given.
 *
 * <p>One difference of the clients is bridged here: Go's client goes on without a token when etcd
 * answers that authentication is not enabled, jetcd fails every request. So when a request fails
 * unauthenticated, {@link #dropCredentialsIfAuthDisabled} reads the config key without credentials;
 * if that works, authentication is off, and the client is replaced by one without credentials.
 *
 * <p>Thread-safe. Owns the client: {@link #close} releases it.
 */
final class EtcdConnection implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EtcdConnection.class);

  private final EtcdOptions options;
  private final EtcdTls tls;
  private volatile Client client;
  private ClientBuilder anonymous; // guarded by this; null once used or without credentials

  private EtcdConnection(EtcdOptions options, EtcdTls tls, Client client, ClientBuilder anonymous) {
    this.options = options;
    this.tls = tls;
    this.client = client;
    this.anonymous = anonymous;
  }

  /**
   * Builds the client; no connection is made until the first request.
   *
   * @throws SubnetException if the TLS files cannot be read or do not fit together
   */
  static EtcdConnection open(EtcdOptions options) throws SubnetException {
    // listings of tens of thousands of leases exceed gRPC's 4 MiB default; upstream allows MaxInt32
    ClientBuilder builder =
        Client.builder()
            .endpoints(options.endpoints().toArray(String[]::new))
            .maxInboundMessageSize(Integer.MAX_VALUE);
    EtcdTls tls = null;
    if (options.tls()) {
      tls = EtcdTls.load(options, new Date());
      useTls(builder, options, tls);
    } else {
      log.warn(
          "no certificate provided: connecting to etcd {} with http. This is insecure{}",
          options.endpoints(),
          options.caFile().isEmpty() && options.keyFile().isEmpty() && options.certFile().isEmpty()
              ? ""
              : " (TLS needs both --etcd-keyfile and --etcd-certfile)");
    }
    ClientBuilder anonymous = null;
    if (!options.username().isEmpty() && !options.password().isEmpty()) {
      anonymous = builder.copy();
      builder.user(EtcdStore.bytes(options.username()));
      builder.password(EtcdStore.bytes(options.password()));
    } else if (!options.username().isEmpty() || !options.password().isEmpty()) {
      log.warn(
          "etcd credentials need both --etcd-username and --etcd-password; connecting without");
    }
    return new EtcdConnection(options, tls, builder.build(), anonymous);
  }

  private static void useTls(ClientBuilder builder, EtcdOptions options, EtcdTls tls)
      throws SubnetException {
    try {
      builder.sslContext(
          ssl -> {
            ssl.keyManager(tls.key(), tls.chainArray());
            if (!tls.trusted().isEmpty()) {
              ssl.trustManager(tls.trustedArray());
            }
            ssl.protocols("TLSv1.3", "TLSv1.2");
          });
    } catch (SSLException | RuntimeException e) {
      throw new SubnetException(
          "cannot set up TLS to etcd with --etcd-certfile "
              + options.certFile()
              + " and --etcd-keyfile "
              + options.keyFile()
              + ": "
              + EtcdFailures.oneLine(e),
          e);
    }
  }

  /** Returns the client to send requests with (it changes at most once, see the class comment). */
  Client client() {
    return client;
  }

  /** Returns the options the client was built from. */
  EtcdOptions options() {
    return options;
  }

  /** Returns the TLS material, or null without TLS. */
  EtcdTls tls() {
    return tls;
  }

  /**
   * After a request failed unauthenticated: returns true if etcd turned out to have authentication
   * disabled and the client now sends no credentials (the request may be repeated), false if
   * authentication is enabled (the credentials are wrong) or this was already settled. Settled
   * either way once etcd answers the request without credentials.
   */
  synchronized boolean dropCredentialsIfAuthDisabled(Duration timeout) throws InterruptedException {
    if (anonymous == null) {
      return false;
    }
    Client probe = anonymous.build();
    try {
      probe
          .getKVClient()
          .get(EtcdStore.bytes(options.prefix() + "/config"))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      probe.close();
      anonymous = null; // etcd wants credentials: authentication is on, settled
      return false;
    } catch (TimeoutException e) {
      probe.close();
      return false; // no answer: ask again after the next failure
    }
    anonymous = null;
    Client old = client;
    client = probe;
    old.close();
    log.warn(
        "etcd at {} has authentication disabled: going on without --etcd-username {}, as upstream",
        options.endpoints(),
        options.username());
    return true;
  }

  @Override
  public void close() {
    client.close();
  }
}
