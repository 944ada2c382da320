package io.jflannel.subnet.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import io.jflannel.core.subnet.SubnetException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd's v3 API as its JSON gateway serves it on every client URL ({@code /v3/kv/range}, {@code
 * /v3/watch}, ...; etcd 3.4 and later, unless started with {@code --enable-grpc-gateway=false}),
 * through the JDK's HTTP client (watch streams on sockets of their own: {@link EtcdWatchStream}),
 * configured from the {@code --etcd-*} flags as upstream configures etcd's Go client: TLS (1.2 or
 * 1.3) when both {@code --etcd-keyfile} and {@code --etcd-certfile} are given, with the files read
 * and checked first ({@link EtcdTls}); credentials when both {@code --etcd-username} and {@code
 * --etcd-password} are given. The keys and values in etcd are the same whichever way they are
 * written, so this node and upstream's nodes share one etcd.
 *
 * <p>Why not gRPC: a gRPC client (jetcd on Netty and Vert.x) loaded about 2,000 classes and a set
 * of event-loop threads for a handful of requests and two watches (BENCHMARKS.md, "Start-up and
 * footprint").
 *
 * <p>Endpoints: requests go to the endpoint that answered last; one that cannot be reached is
 * passed over for the next within the same request's timeout. Credentials: a token from {@code
 * /v3/auth/authenticate}, sent with every request and fetched again when etcd says it is no longer
 * valid; when etcd answers that authentication is not enabled, the client goes on without, as Go's
 * client does.
 *
 * <p>Thread-safe. {@link #close} ends the open watch streams.
 */
final class EtcdConnection implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EtcdConnection.class);

  /** Reads a successful answer's body. */
  interface Decoder<T> {
    T decode(InputStream body) throws IOException;
  }

  private static final Decoder<JsonNode> TREE = EtcdJson.MAPPER::readTree;

  private final EtcdOptions options;
  private final EtcdTls tls;
  private final HttpClient http;
  private final SSLContext ssl; // the HTTP client's: without TLS files, one that trusts nothing
  private final List<String> endpoints;
  private final Duration timeout;
  private final AtomicInteger preferred = new AtomicInteger();
  private final List<EtcdWatchStream> streams = new ArrayList<>(); // guarded by itself

  private final Object auth = new Object();
  private boolean credentials; // guarded by auth: send credentials (until etcd says it has no auth)
  private String token; // guarded by auth: null until authenticated

  private EtcdConnection(
      EtcdOptions options, EtcdTls tls, SSLContext ssl, HttpClient http, Duration timeout) {
    this.options = options;
    this.tls = tls;
    this.ssl = ssl;
    this.http = http;
    this.timeout = timeout;
    List<String> trimmed = new ArrayList<>();
    for (String endpoint : options.endpoints()) {
      trimmed.add(endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint);
    }
    this.endpoints = List.copyOf(trimmed);
  }

  /**
   * Builds the client; no connection is made until the first request.
   *
   * @param timeout the longest a request may wait for its answer
   * @throws SubnetException if the TLS files cannot be read or do not fit together
   */
  static EtcdConnection open(EtcdOptions options, Duration timeout) throws SubnetException {
    // HTTP/1.1: the gateway streams a watch as one long answer; plain h2c would need an upgrade
    HttpClient.Builder builder =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout);
    EtcdTls tls = null;
    SSLContext ssl = null;
    if (options.tls()) {
      tls = EtcdTls.load(options, new Date());
      ssl = sslContext(options, tls);
      builder.sslContext(ssl);
      SSLParameters parameters = new SSLParameters();
      parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
      builder.sslParameters(parameters);
    } else {
      ssl = plainOnly();
      builder.sslContext(ssl);
      log.warn(
          "no certificate provided: connecting to etcd {} with http. This is insecure{}",
          options.endpoints(),
          options.caFile().isEmpty() && options.keyFile().isEmpty() && options.certFile().isEmpty()
              ? ""
              : " (TLS needs both --etcd-keyfile and --etcd-certfile)");
    }
    EtcdConnection connection = new EtcdConnection(options, tls, ssl, builder.build(), timeout);
    if (!options.username().isEmpty() && !options.password().isEmpty()) {
      connection.credentials = true;
    } else if (!options.username().isEmpty() || !options.password().isEmpty()) {
      log.warn(
          "etcd credentials need both --etcd-username and --etcd-password; connecting without");
    }
    return connection;
  }

  private static SSLContext sslContext(EtcdOptions options, EtcdTls tls) throws SubnetException {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(tls.keyManagers(), tls.trustManagers(), null);
      return context;
    } catch (GeneralSecurityException | RuntimeException e) {
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

  /**
   * A TLS context for a client that speaks plain HTTP only: without one, the HTTP client builds the
   * JDK's default context, which reads and parses the JDK's whole CA store (about 150 more classes
   * and the certificates' parsing at start-up, for nothing).
   */
  private static SSLContext plainOnly() throws SubnetException {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[0], new TrustManager[0], null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new SubnetException("cannot set up the etcd client: " + EtcdFailures.oneLine(e), e);
    }
  }

  /** Returns the options the client was built from. */
  EtcdOptions options() {
    return options;
  }

  /** Returns the TLS material, or null without TLS. */
  EtcdTls tls() {
    return tls;
  }

  /** Sends a request to {@code path} and returns etcd's answer as a tree. */
  JsonNode call(String path, String body) throws EtcdException, InterruptedException {
    return call(path, body, TREE);
  }

  /**
   * Sends a request to {@code path} (e.g. {@code /v3/kv/range}) and decodes etcd's answer; a token
   * etcd no longer accepts is renewed and the request sent once more.
   */
  <T> T call(String path, String body, Decoder<T> decoder)
      throws EtcdException, InterruptedException {
    String token = authorization();
    try {
      return send(path, body, token, decoder);
    } catch (EtcdException e) {
      if (token == null || e.code() != EtcdException.UNAUTHENTICATED) {
        throw e;
      }
      synchronized (auth) {
        if (token.equals(this.token)) {
          this.token = null; // expired, or etcd restarted with simple tokens
        }
      }
      return send(path, body, authorization(), decoder);
    }
  }

  /**
   * Sends a request to the endpoint that answered last without waiting: completes when etcd
   * answers, exceptionally when it does not within the timeout (and the next request then tries the
   * next endpoint first). Uses the token already held, if any.
   */
  CompletableFuture<?> callAsync(String path, String body) {
    int index = Math.floorMod(preferred.get(), endpoints.size());
    String held;
    synchronized (auth) {
      held = token;
    }
    return http.sendAsync(
            request(index, path, body, held, timeout), HttpResponse.BodyHandlers.ofString())
        .thenApply(
            response -> {
              if (response.statusCode() != 200) {
                throw new CompletionException(
                    httpError(response.statusCode(), response.body(), path));
              }
              return response;
            })
        .whenComplete(
            (response, error) -> {
              if (error != null) {
                preferred.compareAndSet(index, index + 1);
              }
            });
  }

  /**
   * Opens a watch stream ({@code body}: a WatchRequest) at the endpoint that answered last. The
   * watch requires a leader, as upstream's ({@code WithRequireLeader}): etcd ends it when its
   * member loses the leader.
   */
  EtcdWatchStream watch(String body, EtcdWatchStream.Listener listener)
      throws EtcdException, InterruptedException {
    int index = Math.floorMod(preferred.get(), endpoints.size());
    URI endpoint = URI.create(endpoints.get(index));
    EtcdWatchStream stream =
        EtcdWatchStream.open(
            endpoint,
            "https".equalsIgnoreCase(endpoint.getScheme()) ? ssl : null,
            authorization(),
            body,
            timeout,
            new EtcdWatchStream.Listener() {
              @Override
              public void onResponse(JsonNode result) {
                listener.onResponse(result);
              }

              @Override
              public void onFailure(Throwable error) {
                preferred.compareAndSet(index, index + 1);
                listener.onFailure(error);
              }
            });
    synchronized (streams) {
      streams.removeIf(EtcdWatchStream::isDone);
      streams.add(stream);
    }
    return stream;
  }

  private <T> T send(String path, String body, String token, Decoder<T> decoder)
      throws EtcdException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int start = preferred.get();
    IOException last = null;
    for (int i = 0; i < endpoints.size(); i++) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      int index = Math.floorMod(start + i, endpoints.size());
      HttpResponse<InputStream> response;
      try {
        response =
            http.send(
                request(index, path, body, token, Duration.ofNanos(left)),
                HttpResponse.BodyHandlers.ofInputStream());
      } catch (IOException e) {
        last = e; // not reached, or no answer in time: the next endpoint
        continue;
      }
      preferred.set(index);
      try (InputStream in = response.body()) {
        if (response.statusCode() != 200) {
          throw httpError(
              response.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8), path);
        }
        return decoder.decode(in);
      } catch (IOException e) {
        throw unreachable(e); // the answer broke off, or is not etcd's JSON
      }
    }
    throw last instanceof HttpTimeoutException || last == null
        ? EtcdException.noAnswer(last)
        : unreachable(last);
  }

  private HttpRequest request(int index, String path, String body, String token, Duration wait) {
    return withToken(HttpRequest.newBuilder(URI.create(endpoints.get(index) + path)), token)
        .timeout(wait)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static HttpRequest.Builder withToken(HttpRequest.Builder builder, String token) {
    return token == null ? builder : builder.header("Authorization", token);
  }

  /** The token to send, authenticating first if needed; null without credentials. */
  private String authorization() throws EtcdException, InterruptedException {
    synchronized (auth) {
      if (!credentials) {
        return null;
      }
      if (token != null) {
        return token;
      }
      try {
        JsonNode answer =
            send(
                "/v3/auth/authenticate",
                EtcdJson.authenticate(options.username(), options.password()),
                null,
                TREE);
        token = answer.path("token").asText();
        return token;
      } catch (EtcdException e) {
        if (e.getMessage().contains("authentication is not enabled")) {
          credentials = false;
          log.warn(
              "etcd at {} has authentication disabled: going on without --etcd-username {}, as"
                  + " upstream",
              options.endpoints(),
              options.username());
          return null;
        }
        if (e.getMessage().contains("authentication failed")) {
          // etcd says INVALID_ARGUMENT; to the user it is a refused login
          throw EtcdException.answered(EtcdException.UNAUTHENTICATED, "");
        }
        throw e;
      }
    }
  }

  /**
   * An answer other than 200: etcd's error ({@code {"code":..,"message":..}}) or someone else's.
   */
  static EtcdException httpError(int status, String body, String path) {
    try {
      JsonNode error = EtcdJson.MAPPER.readTree(body);
      if (error != null && error.has("code")) {
        return EtcdException.answered(
            error.path("code").asInt(2),
            error.path("message").asText(error.path("error").asText()));
      }
    } catch (IOException notJson) {
      // below
    }
    String text = body.strip().replaceAll("\\s+", " ");
    return EtcdException.answered(
        12,
        "HTTP "
            + status
            + " for "
            + path
            + (text.isEmpty()
                ? ""
                : " (" + (text.length() > 80 ? text.substring(0, 80) : text) + ")")
            + ": is this etcd 3.4 or later with its JSON gateway on (not"
            + " --enable-grpc-gateway=false)?");
  }

  /** A failure to reach etcd (connect, TLS, a broken answer) as {@code UNAVAILABLE}. */
  static EtcdException unreachable(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof EtcdException etcd) {
      return etcd;
    }
    if (cause instanceof HttpTimeoutException) {
      return EtcdException.noAnswer(cause);
    }
    return EtcdException.unreachable(EtcdFailures.oneLine(cause), cause);
  }

  @Override
  public void close() {
    List<EtcdWatchStream> open;
    synchronized (streams) {
      open = List.copyOf(streams);
      streams.clear();
    }
    open.forEach(EtcdWatchStream::close);
  }
}
