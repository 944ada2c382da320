package io.jflannel.subnet.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import io.jflannel.core.subnet.SubnetException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd's v3 API as its JSON gateway serves it on every client URL ({@code /v3/kv/range}, {@code
 * /v3/watch}, ...; etcd 3.4 and later, unless started with {@code --enable-grpc-gateway=false}),
 * over HTTP/1.1 ({@link Http1}; watch streams: {@link EtcdWatchStream}), configured from the {@code
 * --etcd-*} flags as upstream configures etcd's Go client: TLS (1.2 or 1.3) when both {@code
 * --etcd-keyfile} and {@code --etcd-certfile} are given, with the files read and checked first
 * ({@link EtcdTls}); credentials when both {@code --etcd-username} and {@code --etcd-password} are
 * given. The keys and values in etcd are the same whichever way they are written, so this node and
 * upstream's nodes share one etcd.
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
 * <p>Thread-safe. {@link #close} ends the open watch streams and the kept connections.
 */
final class EtcdConnection implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EtcdConnection.class);

  private static final Http1.BodyReader<JsonNode> TREE = EtcdJson.MAPPER::readTree;

  private final EtcdOptions options;
  private final EtcdTls tls;
  private final Http1 http;
  private final SSLContext ssl; // null without TLS files
  private final ExecutorService pinger; // the asynchronous requests' one thread, made on demand
  private final List<URI> endpoints; // without a trailing slash
  private final Duration timeout;
  private final AtomicInteger preferred = new AtomicInteger();
  private final List<EtcdWatchStream> streams = new ArrayList<>(); // guarded by itself

  private final Object auth = new Object();
  private boolean credentials; // guarded by auth: send credentials (until etcd says it has no auth)
  private String token; // guarded by auth: null until authenticated

  private EtcdConnection(EtcdOptions options, EtcdTls tls, SSLContext ssl, Duration timeout) {
    this.options = options;
    this.tls = tls;
    this.ssl = ssl;
    this.http = new Http1(ssl);
    this.timeout = timeout;
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            1,
            1,
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "jflannel-etcd-ping");
              t.setDaemon(true);
              return t;
            });
    executor.allowCoreThreadTimeOut(true);
    this.pinger = executor;
    List<URI> uris = new ArrayList<>();
    for (String endpoint : options.endpoints()) {
      uris.add(
          URI.create(
              endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint));
    }
    this.endpoints = List.copyOf(uris);
  }

  /**
   * Builds the client; no connection is made until the first request.
   *
   * @param timeout the longest a request may wait for its answer
   * @throws SubnetException if the TLS files cannot be read or do not fit together
   */
  static EtcdConnection open(EtcdOptions options, Duration timeout) throws SubnetException {
    EtcdTls tls = null;
    SSLContext ssl = null;
    if (options.tls()) {
      tls = EtcdTls.load(options, new Date());
      ssl = sslContext(options, tls);
    } else {
      log.warn(
          "no certificate provided: connecting to etcd {} with http. This is insecure{}",
          options.endpoints(),
          options.caFile().isEmpty() && options.keyFile().isEmpty() && options.certFile().isEmpty()
              ? ""
              : " (TLS needs both --etcd-keyfile and --etcd-certfile)");
    }
    EtcdConnection connection = new EtcdConnection(options, tls, ssl, timeout);
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
  <T> T call(String path, String body, Http1.BodyReader<T> decoder)
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
    CompletableFuture<Object> answer = new CompletableFuture<>();
    try {
      pinger.execute(
          () -> {
            try {
              answer.complete(http.post(endpoints.get(index), path, held, body, timeout, TREE));
            } catch (Http1.Refused e) {
              answer.completeExceptionally(httpError(e.status, e.body, path));
            } catch (IOException | RuntimeException e) {
              preferred.compareAndSet(index, index + 1);
              answer.completeExceptionally(unreachable(e));
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      answer.completeExceptionally(EtcdException.unreachable("the etcd client is closed", e));
    }
    return answer;
  }

  /**
   * Opens a watch stream ({@code body}: a WatchRequest) at the endpoint that answered last. The
   * watch requires a leader, as upstream's ({@code WithRequireLeader}): etcd ends it when its
   * member loses the leader.
   */
  EtcdWatchStream watch(String body, EtcdWatchStream.Listener listener)
      throws EtcdException, InterruptedException {
    int index = Math.floorMod(preferred.get(), endpoints.size());
    EtcdWatchStream stream =
        EtcdWatchStream.open(
            endpoints.get(index),
            ssl,
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

  private <T> T send(String path, String body, String token, Http1.BodyReader<T> decoder)
      throws EtcdException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int start = preferred.get();
    IOException last = null;
    for (int i = 0; i < endpoints.size(); i++) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      int index = Math.floorMod(start + i, endpoints.size());
      try {
        T answer =
            http.post(endpoints.get(index), path, token, body, Duration.ofNanos(left), decoder);
        preferred.set(index);
        return answer;
      } catch (Http1.Refused e) {
        preferred.set(index);
        throw httpError(e.status, e.body, path);
      } catch (Http1.Broken e) {
        // sent: etcd may have carried it out, so not again elsewhere
        throw unreachable(e.getCause());
      } catch (IOException e) {
        last = e; // not reached, no answer in time, or a broken answer: the next endpoint
      }
    }
    throw last == null ? EtcdException.noAnswer(null) : unreachable(last);
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
        EtcdException.UNIMPLEMENTED,
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

  /**
   * A failure to reach etcd (connect, TLS, a broken answer) as {@code UNAVAILABLE}; a read that
   * timed out as no answer.
   */
  static EtcdException unreachable(Throwable cause) {
    return cause instanceof SocketTimeoutException
        ? EtcdException.noAnswer(cause)
        : EtcdException.unreachable(EtcdFailures.oneLine(cause), cause);
  }

  @Override
  public void close() {
    List<EtcdWatchStream> open;
    synchronized (streams) {
      open = List.copyOf(streams);
      streams.clear();
    }
    open.forEach(EtcdWatchStream::close);
    http.close();
    pinger.shutdown();
  }
}
