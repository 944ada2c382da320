package io.jflannel.daemon.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health endpoint of {@code --healthz-ip:--healthz-port}: {@code GET /healthz} (the liveness
 * probe) and {@code GET /readyz} (the readiness probe, upstream PR #2523) answer what their {@link
 * Verdict} suppliers say ({@link HealthState}): 200 or 503, with a one-line JSON body saying why,
 * e.g. {@code {"status":"not ready","reasons":["lease store unreachable for 42 s (limit 30 s):
 * ..."]}}. More endpoints, such as {@code /metrics}, are added with {@link #addHandler}.
 *
 * <p>Mechanism: the JDK's {@code com.sun.net.httpserver} on two daemon threads; a path is served
 * only when it matches exactly (the JDK would otherwise match prefixes), anything else is 404. Any
 * method gets the same answer (as Go's {@code http.HandleFunc}); HEAD gets no body.
 *
 * <p>Lifecycle: {@link #start} binds and serves; {@link #close} stops accepting, lets requests in
 * flight finish for up to 3 s (upstream's shutdown grace) and frees the port. A server that is not
 * closed keeps its port and threads. Thread-safe.
 */
public final class HealthServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HealthServer.class);
  private static final Duration GRACE = Duration.ofSeconds(3);

  private final HttpServer server;
  private final ExecutorService executor;
  private final AtomicInteger inFlight = new AtomicInteger();

  private HealthServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts serving on {@code ip:port}; port 0 picks a free port (see {@link #address}). Each probe
   * asks its supplier on every request.
   *
   * @throws IOException if the address cannot be bound; the message names it and the flags
   */
  public static HealthServer start(
      String ip, int port, Supplier<Verdict> liveness, Supplier<Verdict> readiness)
      throws IOException {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(ip, port), 16);
    } catch (IOException e) {
      throw new IOException(
          "cannot listen on "
              + ip
              + ":"
              + port
              + " for /healthz: "
              + e.getMessage()
              + "; choose another --healthz-ip/--healthz-port",
          e);
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "healthz-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    HealthServer health = new HealthServer(server, executor);
    health.addHandler("/healthz", ex -> reply(ex, liveness.get()));
    health.addHandler("/readyz", ex -> reply(ex, readiness.get()));
    server.start();
    log.info("health server listening on {}", health.address());
    return health;
  }

  /**
   * The server for {@code --healthz-ip} and {@code --healthz-port}, or empty when the port is 0
   * (upstream's "disabled").
   */
  public static Optional<HealthServer> startIfEnabled(
      String ip, int port, Supplier<Verdict> liveness, Supplier<Verdict> readiness)
      throws IOException {
    return port == 0 ? Optional.empty() : Optional.of(start(ip, port, liveness, readiness));
  }

  /** The bound address, with the actual port when 0 was asked for. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /**
   * Serves {@code path} (exactly; sub-paths are 404) with {@code handler}, e.g. {@code /metrics}.
   *
   * @throws IllegalArgumentException if {@code path} is already served
   */
  public void addHandler(String path, HttpHandler handler) {
    server.createContext(
        path,
        ex -> {
          inFlight.incrementAndGet();
          try {
            if (!ex.getRequestURI().getPath().equals(path)) {
              reply(ex, 404, "404 page not found");
            } else {
              handler.handle(ex);
            }
          } finally {
            ex.close();
            inFlight.decrementAndGet();
          }
        });
  }

  /** Sends {@code verdict} as JSON with its status (200 or 503). */
  private static void reply(HttpExchange ex, Verdict verdict) throws IOException {
    reply(ex, verdict.httpStatus(), verdict.json() + "\n", "application/json");
  }

  /**
   * Sends {@code body} as {@code text/plain} with {@code status}; HEAD gets the headers only.
   *
   * @throws IOException if the client went away
   */
  public static void reply(HttpExchange ex, int status, String body) throws IOException {
    reply(ex, status, body, "text/plain; charset=utf-8");
  }

  private static void reply(HttpExchange ex, int status, String body, String type)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  /**
   * Stops serving: waits up to 3 s if requests are in flight (at once if none; the JDK server would
   * otherwise always wait the full delay), then frees the port and threads.
   */
  @Override
  public void close() {
    server.stop(inFlight.get() == 0 ? 0 : (int) GRACE.toSeconds());
    executor.shutdown();
    try {
      if (!executor.awaitTermination(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
    log.info("health server stopped");
  }
}
