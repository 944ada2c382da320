package io.jflannel.subnet.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A tiny API server for {@code /api/v1/nodes} that does what fabric8's CRUD mock does not: it
 * honours {@code limit} and {@code continue} (its tokens end in {@code +/=}, as a real server's
 * base64 tokens may, and are refused with 400 unless they come back intact), keeps a watch history
 * so a watch from resourceVersion X replays exactly the events after X (and not the objects at X),
 * and can answer 410 Gone to the next continue request or the next watch. Watches are plain HTTP
 * streams of newline-separated events; the client must use {@code onlyHttpWatches} ({@link
 * #client}).
 *
 * <p>Thread-safe; the state is guarded by one lock. Close it to end the watch streams.
 */
final class FakeNodeApi implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String END = "\u0000end";
  private static final String TOKEN_TAIL = "+/="; // survives only if the client URL-encodes

  private final HttpServer server;
  private final ExecutorService executor;
  private final Object lock = new Object();
  private final TreeMap<String, String> nodes = new TreeMap<>(); // name → JSON, guarded by lock
  private final List<String[]> history = new ArrayList<>(); // {rv, type, json}, guarded by lock
  private final List<BlockingQueue<String>> watchers = new CopyOnWriteArrayList<>();
  private final List<AtomicBoolean> openWatches = new CopyOnWriteArrayList<>(); // true: deaf
  private long version = 100; // guarded by lock

  /** Query strings of the list requests, in order. */
  final List<String> lists = new CopyOnWriteArrayList<>();

  /** Query strings of the watch requests, in order. */
  final List<String> watches = new CopyOnWriteArrayList<>();

  volatile boolean expireNextContinue;

  /** Accept headers of the list requests, in order. */
  final List<String> listAccepts = new CopyOnWriteArrayList<>();

  /**
   * When set, every list request is answered with this status, body and Content-Type instead (e.g.
   * a real API server's protobuf answer, captured).
   */
  volatile Canned canned;

  /** A fixed answer to list requests. */
  record Canned(int code, byte[] body, String contentType) {}

  /**
   * As the API server's watch cache (on by default): a list with {@code resourceVersion=0} and no
   * continue token is answered whole, whatever its limit. Off: paged like any list, as with {@code
   * --watch-cache=false}.
   */
  volatile boolean watchCache = true;

  volatile boolean goneOnNextWatch;

  FakeNodeApi() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "fake-node-api");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/api/v1/nodes", this::handle);
    server.start();
  }

  /** A client for this server, with HTTP watches and quick watch reconnects. */
  KubernetesClient client() {
    return new KubernetesClientBuilder()
        .withConfig(
            new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:" + server.getAddress().getPort())
                .withOnlyHttpWatches(true)
                .withWatchReconnectInterval(100)
                .withRequestRetryBackoffLimit(0)
                .build())
        .build();
  }

  /** Creates or replaces a node, as a write at a new resourceVersion. */
  void put(Node node) {
    synchronized (lock) {
      String name = node.getMetadata().getName();
      String type = nodes.containsKey(name) ? "MODIFIED" : "ADDED";
      ObjectNode json = JSON.valueToTree(node);
      json.put("kind", "Node").put("apiVersion", "v1");
      ((ObjectNode) json.get("metadata")).put("resourceVersion", String.valueOf(++version));
      nodes.put(name, json.toString());
      record(type, json.toString());
    }
  }

  /** Deletes a node. */
  void delete(String name) {
    synchronized (lock) {
      String json = nodes.remove(name);
      if (json != null) {
        version++;
        record("DELETED", json);
      }
    }
  }

  /** Deletes a node leaving no watch history of it, as if etcd had compacted it away. */
  void deleteCompacted(String name) {
    synchronized (lock) {
      nodes.remove(name);
      version++;
    }
  }

  /**
   * Every watch open now stops delivering events but stays open, as over a connection that died
   * without a FIN or RST; watches opened later work.
   */
  void deafenOpenWatches() {
    for (AtomicBoolean deaf : openWatches) {
      deaf.set(true);
    }
  }

  /** The current resourceVersion. */
  String version() {
    synchronized (lock) {
      return String.valueOf(version);
    }
  }

  private void record(String type, String json) {
    String event = "{\"type\":\"" + type + "\",\"object\":" + json + "}";
    history.add(new String[] {String.valueOf(version), event});
    for (BlockingQueue<String> w : watchers) {
      w.add(event);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String query = exchange.getRequestURI().getRawQuery();
      Map<String, String> params = params(query);
      if ("true".equals(params.get("watch"))) {
        watches.add(query);
        watch(exchange, params);
      } else {
        lists.add(query);
        listAccepts.add(String.valueOf(exchange.getRequestHeaders().getFirst("Accept")));
        Canned answer = canned;
        if (answer != null) {
          exchange.getResponseHeaders().add("Content-Type", answer.contentType());
          exchange.sendResponseHeaders(answer.code(), answer.body().length);
          exchange.getResponseBody().write(answer.body());
          return;
        }
        list(exchange, params);
      }
    }
  }

  private void list(HttpExchange exchange, Map<String, String> params) throws IOException {
    String token = params.get("continue");
    if (token != null && params.containsKey("resourceVersion")) {
      send(
          exchange,
          400,
          status(
              400, "BadRequest", "specifying resource version is not allowed when using continue"));
      return;
    }
    boolean fromCache = watchCache && token == null && "0".equals(params.get("resourceVersion"));
    int limit =
        params.containsKey("limit") && !fromCache ? Integer.parseInt(params.get("limit")) : 1 << 30;
    String listVersion;
    String after = "";
    if (token != null) {
      if (expireNextContinue) {
        expireNextContinue = false;
        send(exchange, 410, status(410, "Expired", "The provided continue parameter is too old"));
        return;
      }
      if (!token.endsWith(TOKEN_TAIL)) {
        send(exchange, 400, status(400, "BadRequest", "continue token mangled: " + token));
        return;
      }
      String[] parts =
          new String(
                  Base64.getDecoder().decode(token.substring(0, token.length() - 3)),
                  StandardCharsets.UTF_8)
              .split("\n", 2);
      listVersion = parts[0];
      after = parts[1];
    } else {
      listVersion = version();
    }
    StringBuilder items = new StringBuilder();
    String last = null;
    boolean more;
    synchronized (lock) {
      int n = 0;
      for (Map.Entry<String, String> e : nodes.tailMap(after, false).entrySet()) {
        if (n == limit) {
          break;
        }
        items.append(n++ == 0 ? "" : ",").append(e.getValue());
        last = e.getKey();
      }
      more = last != null && nodes.higherKey(last) != null;
    }
    String next =
        more
            ? Base64.getEncoder()
                    .encodeToString((listVersion + "\n" + last).getBytes(StandardCharsets.UTF_8))
                + TOKEN_TAIL
            : null;
    String metadata =
        "{\"resourceVersion\":\""
            + listVersion
            + "\""
            + (next == null ? "" : ",\"continue\":\"" + next + "\"")
            + "}";
    send(
        exchange,
        200,
        "{\"kind\":\"NodeList\",\"apiVersion\":\"v1\",\"metadata\":"
            + metadata
            + ",\"items\":["
            + items
            + "]}");
  }

  private void watch(HttpExchange exchange, Map<String, String> params) throws IOException {
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    if (goneOnNextWatch) {
      goneOnNextWatch = false;
      String gone = status(410, "Expired", "too old resource version");
      out.write(
          ("{\"type\":\"ERROR\",\"object\":" + gone + "}\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      return;
    }
    long from = Long.parseLong(params.getOrDefault("resourceVersion", "0"));
    BlockingQueue<String> queue = new LinkedBlockingQueue<>();
    AtomicBoolean deaf = new AtomicBoolean();
    openWatches.add(deaf);
    synchronized (lock) {
      for (String[] event : history) {
        if (Long.parseLong(event[0]) > from) {
          queue.add(event[1]);
        }
      }
      watchers.add(queue);
    }
    try {
      while (true) {
        String event = queue.poll(100, TimeUnit.MILLISECONDS);
        if (END.equals(event)) {
          return;
        }
        if (event != null && !deaf.get()) {
          out.write((event + "\n").getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      openWatches.remove(deaf);
      watchers.remove(queue);
    }
  }

  private static String status(int code, String reason, String message) {
    return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
        + "\"message\":\""
        + message
        + "\",\"reason\":\""
        + reason
        + "\",\"code\":"
        + code
        + "}";
  }

  private static void send(HttpExchange exchange, int code, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(code, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  private static Map<String, String> params(String query) {
    Map<String, String> params = new HashMap<>();
    if (query != null) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        String key = eq < 0 ? pair : pair.substring(0, eq);
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        params.put(key, value);
      }
    }
    return params;
  }

  @Override
  public void close() {
    for (BlockingQueue<String> w : watchers) {
      w.add(END);
    }
    server.stop(0);
    executor.shutdownNow();
  }
}
