package io.jflannel.subnet.kube.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import java.util.logging.Level;

/**
 * The benchmark's API server: fabric8's CRUD mock (plain HTTP) holding N {@link BenchNodes}, run in
 * its own JVM so that it neither shares the measured heap nor hides in the measured one.
 *
 * <p>Usage: {@code BenchServer <nodes> <port-file>}: creates the nodes, writes the port to the
 * file, then serves until its standard input closes.
 */
public final class BenchServer {

  private BenchServer() {}

  public static void main(String[] args) throws Exception {
    int nodes = Integer.parseInt(args[0]);
    Path portFile = Path.of(args[1]);
    java.util.logging.Logger.getLogger(MockWebServer.class.getName()).setLevel(Level.WARNING);
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesMixedDispatcher(new HashMap<>()),
            false);
    server.init();
    try (KubernetesClient client = server.createClient()) {
      long start = System.nanoTime();
      parallel(nodes, 4, i -> client.nodes().resource(BenchNodes.node(i)).create());
      System.out.printf(
          "created %d nodes in the mock API server in %d ms%n",
          nodes, (System.nanoTime() - start) / 1_000_000);
    }
    Files.writeString(portFile, Integer.toString(server.getPort()));
    while (System.in.read() >= 0) {
      // serve until the script closes our standard input
    }
    server.destroy();
  }

  static void parallel(int count, int threads, IntConsumer task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      int chunk = (count + threads - 1) / threads;
      for (int t = 0; t < threads; t++) {
        int from = t * chunk;
        int to = Math.min(count, from + chunk);
        futures.add(
            pool.submit(
                () -> {
                  for (int i = from; i < to; i++) {
                    task.accept(i);
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }
}
