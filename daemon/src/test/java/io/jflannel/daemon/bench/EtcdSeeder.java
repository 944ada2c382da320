package io.jflannel.daemon.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.options.DeleteOption;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the benchmark's network config and peer leases into etcd under {@code
 * /coreos.com/network}, as upstream flanneld nodes would have, and reads etcd's request counters.
 *
 * <p>Bulk writes are plain puts (no etcd lease: the daemon treats such a key as a reservation, a
 * peer like any other) sent asynchronously with at most 256 in flight, so 50,000 keys take seconds
 * rather than the minutes one {@code etcdctl} process per key would. Owns one jetcd client; close
 * it.
 *
 * <p>jetcd, a gRPC client, as upstream's nodes and {@code etcdctl} are (the daemon itself speaks
 * etcd's JSON API): a put returns when etcd's gRPC answer arrives, so the event latency (put
 * returned → route) is measured as before the daemon's client changed. The harness gets jetcd from
 * the daemon module's test class path (scripts/bench-daemon).
 */
final class EtcdSeeder implements AutoCloseable {
  static final String PREFIX = "/coreos.com/network/";
  private static final Pattern RANGE =
      Pattern.compile(
          "^grpc_server_handled_total\\{grpc_code=\"OK\",grpc_method=\"Range\",[^}]*\\} (\\S+)$",
          Pattern.MULTILINE);

  private final String endpoint;
  private final Client client;
  private final KV kv;

  EtcdSeeder(String endpoint) {
    this.endpoint = endpoint;
    this.client = Client.builder().endpoints(endpoint).build();
    this.kv = client.getKVClient();
  }

  /** Writes {@code <prefix>/config}. */
  void config(String json) throws Exception {
    kv.put(bytes(PREFIX + "config"), bytes(json)).get();
  }

  /** Deletes every key under {@code <prefix>/subnets/}: no lease is left from an earlier run. */
  void clearSubnets() throws Exception {
    kv.delete(bytes(PREFIX + "subnets/"), DeleteOption.builder().isPrefix(true).build()).get();
  }

  /** Writes the leases of {@code peers} of {@code backend}. */
  void seed(List<Peer> peers, String backend) throws Exception {
    Semaphore inFlight = new Semaphore(256);
    CompletableFuture<?>[] all = new CompletableFuture<?>[peers.size()];
    for (int i = 0; i < peers.size(); i++) {
      Peer p = peers.get(i);
      inFlight.acquire();
      all[i] =
          kv.put(bytes(PREFIX + "subnets/" + p.keyName()), bytes(p.json(backend)))
              .whenComplete((r, e) -> inFlight.release());
    }
    CompletableFuture.allOf(all).get();
  }

  /** Writes one peer's lease and returns when etcd has committed it. */
  void put(Peer p, String backend) throws InterruptedException, ExecutionException {
    kv.put(bytes(PREFIX + "subnets/" + p.keyName()), bytes(p.json(backend))).get();
  }

  /**
   * Range requests etcd has answered so far (all clients), from its Prometheus endpoint: each
   * daemon reconcile pass lists the subnets once.
   */
  long rangeRequests() throws IOException, InterruptedException {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(endpoint + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
    Matcher m = RANGE.matcher(r.body());
    if (!m.find()) {
      throw new IOException("etcd /metrics has no Range counter");
    }
    return (long) Double.parseDouble(m.group(1));
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    client.close();
  }
}
