package io.jflannel.daemon.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the benchmark's network config and peer leases into etcd under {@code
 * /coreos.com/network}, as upstream flanneld nodes would have, and reads etcd's request counters.
 *
 * <p>Through etcd's JSON gateway ({@code /v3/kv/put}) with the JDK's HTTP client, so that the
 * harness needs nothing beyond the distribution's jars. Bulk writes are plain puts (no etcd lease:
 * the daemon treats such a key as a reservation, a peer like any other) sent asynchronously with at
 * most 64 in flight, so 50,000 keys take seconds rather than the minutes one {@code etcdctl}
 * process per key would.
 */
final class EtcdSeeder implements AutoCloseable {
  static final String PREFIX = "/coreos.com/network/";
  private static final Pattern RANGE =
      Pattern.compile(
          "^grpc_server_handled_total\\{grpc_code=\"OK\",grpc_method=\"Range\",[^}]*\\} (\\S+)$",
          Pattern.MULTILINE);
  private static final Base64.Encoder B64 = Base64.getEncoder();

  private final String endpoint;
  private final HttpClient http;

  EtcdSeeder(String endpoint) {
    this.endpoint = endpoint;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  /** Writes {@code <prefix>/config}. */
  void config(String json) throws Exception {
    post("/v3/kv/put", put(PREFIX + "config", json)).join();
  }

  /** Deletes every key under {@code <prefix>/subnets/}: no lease is left from an earlier run. */
  void clearSubnets() throws Exception {
    byte[] from = (PREFIX + "subnets/").getBytes(StandardCharsets.UTF_8);
    byte[] end = Arrays.copyOf(from, from.length);
    end[end.length - 1]++;
    post(
            "/v3/kv/deleterange",
            "{\"key\":\""
                + B64.encodeToString(from)
                + "\",\"range_end\":\""
                + B64.encodeToString(end)
                + "\"}")
        .join();
  }

  /** Writes the leases of {@code peers} of {@code backend}. */
  void seed(List<Peer> peers, String backend) throws Exception {
    Semaphore inFlight = new Semaphore(64);
    CompletableFuture<?>[] all = new CompletableFuture<?>[peers.size()];
    for (int i = 0; i < peers.size(); i++) {
      Peer p = peers.get(i);
      inFlight.acquire();
      all[i] =
          post("/v3/kv/put", put(PREFIX + "subnets/" + p.keyName(), p.json(backend)))
              .whenComplete((r, e) -> inFlight.release());
    }
    CompletableFuture.allOf(all).join();
  }

  /** Writes one peer's lease and returns when etcd has committed it. */
  void put(Peer p, String backend) {
    post("/v3/kv/put", put(PREFIX + "subnets/" + p.keyName(), p.json(backend))).join();
  }

  /**
   * Range requests etcd has answered so far (all clients), from its Prometheus endpoint: each
   * daemon reconcile pass lists the subnets once.
   */
  long rangeRequests() throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(endpoint + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    Matcher m = RANGE.matcher(r.body());
    if (!m.find()) {
      throw new IOException("etcd /metrics has no Range counter");
    }
    return (long) Double.parseDouble(m.group(1));
  }

  private static String put(String key, String value) {
    return "{\"key\":\""
        + B64.encodeToString(key.getBytes(StandardCharsets.UTF_8))
        + "\",\"value\":\""
        + B64.encodeToString(value.getBytes(StandardCharsets.UTF_8))
        + "\"}";
  }

  private CompletableFuture<HttpResponse<String>> post(String path, String body) {
    return http.sendAsync(
            HttpRequest.newBuilder(URI.create(endpoint + path))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .thenApply(
            r -> {
              if (r.statusCode() != 200) {
                throw new CompletionException(
                    new IOException("etcd " + path + ": HTTP " + r.statusCode() + ": " + r.body()));
              }
              return r;
            });
  }

  @Override
  public void close() {}
}
