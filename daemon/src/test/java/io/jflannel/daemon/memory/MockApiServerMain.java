package io.jflannel.daemon.memory;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A stand-alone fabric8 CRUD mock API server preloaded with realistic Nodes, for {@code
 * scripts/bench-memory}: it runs as its own JVM inside the benchmark's network namespace, so the
 * packaged flanneld there talks to it over {@code http://127.0.0.1:<port>} as to a real API server.
 *
 * <p>Usage: {@code MockApiServerMain --host=127.0.0.1 --port=6443 --nodes=1000}. Node 0 ({@code
 * bench-node-00000}, pod CIDR 10.0.0.0/24) is the daemon's own node, with no flannel annotations
 * yet; nodes 1..N-1 are flannel vxlan peers ({@link BenchNodes}). Prints {@code ready nodes=N
 * node-bytes=B} once loaded, then reads commands from standard input: {@code reset} puts node 0
 * back as it was (a fresh start for the next daemon run) and answers {@code reset ok}; {@code quit}
 * or end of input stops the server. Not a test: the name ends neither in Test nor IT.
 */
public final class MockApiServerMain {
  private MockApiServerMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts =
        new HashMap<>(Map.of("host", "127.0.0.1", "port", "6443", "nodes", "100"));
    for (String a : args) {
      if (!a.startsWith("--") || !a.contains("=")) {
        throw new IllegalArgumentException("usage: --host=IP --port=N --nodes=N, not " + a);
      }
      opts.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
    }
    Logger.getLogger("").setLevel(Level.WARNING); // the mock logs every request at INFO
    for (var h : Logger.getLogger("").getHandlers()) {
      h.setLevel(Level.WARNING);
    }
    int nodes = Integer.parseInt(opts.get("nodes"));
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            responses,
            new KubernetesMixedDispatcher(responses),
            false);
    server.init(InetAddress.getByName(opts.get("host")), Integer.parseInt(opts.get("port")));
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "mock-shutdown"));
    try (KubernetesClient client = server.createClient()) {
      load(client, nodes);
      drain(server);
      int bytes = Serialization.asJson(BenchNodes.node(1, true)).length();
      System.out.println("ready nodes=" + nodes + " node-bytes=" + bytes);
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        switch (line.strip()) {
          case "reset" -> {
            client.nodes().withName(BenchNodes.name(0)).delete();
            client.nodes().resource(BenchNodes.node(0, false)).create();
            drain(server);
            System.out.println("reset ok");
          }
          case "quit" -> {
            // Vert.x threads outlive shutdown() when a watch was closed mid-send (its event loop
            // stalls for 30 s), and shutdown() itself can block then, here or in the shutdown hook
            // (with 5,000 Nodes it did, every time): give it 5 s, then leave without the hooks
            Thread stop = new Thread(server::shutdown, "mock-quit");
            stop.setDaemon(true);
            stop.start();
            stop.join(5_000);
            Runtime.getRuntime().halt(0);
          }
          default -> System.out.println("unknown command: " + line);
        }
        System.out.flush();
      }
    }
    server.shutdown();
  }

  private static void load(KubernetesClient client, int nodes) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        Node n = BenchNodes.node(i, i != 0);
        done.add(pool.submit(() -> client.nodes().resource(n).create()));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
      pool.awaitTermination(1, TimeUnit.MINUTES);
    }
  }

  /** Forgets the recorded requests (the mock keeps every one, bodies included). */
  private static void drain(KubernetesMockServer server) throws InterruptedException {
    while (server.takeRequest(1, TimeUnit.MILLISECONDS) != null) {
      // discard
    }
  }
}
