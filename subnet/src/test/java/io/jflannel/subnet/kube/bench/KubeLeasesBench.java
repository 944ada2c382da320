package io.jflannel.subnet.kube.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.subnet.LeaseListener;
import io.jflannel.core.subnet.LeaseWatch;
import io.jflannel.subnet.kube.KubeOptions;
import io.jflannel.subnet.kube.KubeSubnetManager;
import io.jflannel.subnet.kube.KubeWatchStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Scale benchmark of {@link KubeSubnetManager} (not a test): against N realistic ~15 KB Nodes in
 * fabric8's CRUD mock API server, which {@link BenchServer} runs in another JVM, it measures
 *
 * <ol>
 *   <li>time from {@code watchLeases()} to the full peer set in the listener, split at the moment
 *       the first listed node reached the manager (≈ list response read and parsed) and at the
 *       moment all listed nodes were projected; cold (first run in the JVM) and warm runs;
 *   <li>heap retained by a running watch: used heap after full GCs with the watch open minus the
 *       same once the closed watch's objects are gone, plus the class histogram difference
 *       (DiagnosticCommand gcClassHistogram, the same data as {@code jcmd <pid>
 *       GC.class_histogram}); the listener's own copy of the leases is dropped first;
 *   <li>the same retained-heap measurement for a plain fabric8 informer with its default store,
 *       which keeps every Node in full;
 *   <li>a burst: every peer's backend-data changed twice by 8 concurrent writers, then 1,000 nodes
 *       deleted at once; the listener's folded peer set must end exactly right.
 * </ol>
 *
 * <p>Usage: {@code KubeLeasesBench <port> <nodes> [runs=3]}, or {@code --print-node} for the JSON
 * of one benchmark Node; {@code scripts/bench-kube-leases} starts both JVMs.
 */
public final class KubeLeasesBench {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration LONG = Duration.ofMinutes(5);

  private KubeLeasesBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--print-node")) {
      System.out.println(new KubernetesSerialization().asJson(BenchNodes.node(1234)));
      return;
    }
    int port = Integer.parseInt(args[0]);
    int nodes = Integer.parseInt(args[1]);
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl("http://localhost:" + port)
            .withHttp2Disable(Boolean.getBoolean("bench.http1"))
            .build();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      run(client, nodes, runs);
    }
  }

  private static void run(KubernetesClient client, int nodes, int runs) throws Exception {
    System.out.printf(
        "nodes: %d, JSON of one node as served: %d bytes; client: %s%n",
        nodes,
        client
            .getKubernetesSerialization()
            .asJson(client.nodes().withName(BenchNodes.name(1)).get())
            .length(),
        client.getHttpClient().getClass().getSimpleName());

    Path netConf = Files.createTempFile("bench-net-conf", ".json");
    Files.writeString(netConf, "{\"Network\":\"10.0.0.0/8\",\"Backend\":{\"Type\":\"vxlan\"}}");
    KubeOptions options =
        KubeOptions.defaults()
            .withNetConfigPath(netConf)
            .withEnv(Map.of("NODE_NAME", BenchNodes.name(0))::get);
    LeaseAttrs ownAttrs =
        new LeaseAttrs(
            Ip4.parse(BenchNodes.publicIp(0)),
            null,
            "vxlan",
            JSON.readTree(BenchNodes.backendData(0, 0)),
            null);

    System.out.println();
    System.out.println(
        "| run | list received | all projected | full set delivered | after list | first batch"
            + " | batches | GC time | peak heap after a GC |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    long retained = 0;
    Map<String, long[]> retainedClasses = null;
    for (int r = 1; r <= runs; r++) {
      try (KubeSubnetManager m = KubeSubnetManager.create(client, options)) {
        m.acquireLease(ownAttrs);
        Folding listener = new Folding(peers -> peers.size() == nodes - 1);
        long before = r == 1 ? HeapProbe.usedAfterGc() : 0;
        Map<String, long[]> histBefore = r == 1 ? HeapProbe.histogram() : null;
        GcPeak.reset();
        long gcBefore = HeapProbe.gcMillis();
        Instant wall = Instant.now();
        long start = System.nanoTime();
        LeaseWatch watch = m.watchLeases(listener);
        listener.await();
        long peak = GcPeak.max();
        long gc = HeapProbe.gcMillis() - gcBefore;
        long full = listener.doneAt - start;
        KubeWatchStats s = m.watchStats();
        long received = Duration.between(wall, s.firstListItemAt()).toNanos();
        long synced = Duration.between(wall, s.syncedAt()).toNanos();
        check(listener, nodes, 0);
        System.out.printf(
            "| %s | %d ms | %d ms | %d ms | %d ms | %d events | %d | %d ms | %.0f MB |%n",
            r == 1 ? "1 (cold)" : r + " (warm)",
            ms(received),
            ms(synced),
            ms(full),
            ms(full - received),
            listener.firstBatch,
            listener.batches,
            gc,
            peak / 1e6);
        if (r == 1) {
          // the listener's copy of the leases is the daemon's business, not the manager's
          listener.clear();
          long with = HeapProbe.usedAfterGc();
          retained = with - before;
          retainedClasses = HeapProbe.diff(HeapProbe.histogram(), histBefore);
          watch.close();
        } else {
          watch.close();
        }
      }
    }
    System.out.printf(
        "%nretained by a running watch with %d peers (run 1): %.2f MB (%d bytes, %.0f bytes per node)%n",
        nodes - 1, retained / 1e6, retained, (double) retained / nodes);
    HeapProbe.printTop("classes retained by the watch", retainedClasses, 15);
    long histogramTotal = 0;
    long perPeer = 0;
    for (long[] v : retainedClasses.values()) {
      histogramTotal += v[1];
      if (v[0] >= (nodes - 1) * 9L / 10) {
        perPeer += v[1];
      }
    }
    System.out.printf(
        "%nhistogram difference: %.2f MB in all; %.2f MB (%.0f bytes per peer) in classes with at"
            + " least 0.9 instances per peer%n",
        histogramTotal / 1e6, perPeer / 1e6, (double) perPeer / (nodes - 1));

    long fullStore = fullNodeInformer(client, nodes);
    System.out.printf(
        "%nretained by a default fabric8 informer (full Nodes in its store): %.1f MB (%.0f bytes per node)%n",
        fullStore / 1e6, (double) fullStore / nodes);

    if (!Boolean.getBoolean("bench.skipBurst")) {
      burst(client, options, ownAttrs, nodes);
    }
  }

  private static void burst(KubernetesClient client, KubeOptions options, LeaseAttrs own, int nodes)
      throws Exception {
    try (KubeSubnetManager m = KubeSubnetManager.create(client, options)) {
      m.acquireLease(own);
      Folding listener = new Folding(peers -> peers.size() == nodes - 1);
      try (LeaseWatch w = m.watchLeases(listener)) {
        listener.await();
        int eventsBefore = listener.events;
        int batchesBefore = listener.batches;
        listener.arm(peers -> peers.size() == nodes - 1 && allAtGeneration(peers, 2));
        long start = System.nanoTime();
        for (int gen = 1; gen <= 2; gen++) {
          int g = gen;
          BenchServer.parallel(nodes - 1, 8, i -> patchMac(client, i + 1, g));
        }
        long written = System.nanoTime();
        listener.await();
        check(listener, nodes, 2);
        System.out.printf(
            "%nburst: %d backend-data changes by 8 writers in %d ms; listener exact %d ms after the"
                + " last write; %d events in %d batches for %d changes%n",
            2 * (nodes - 1),
            ms(written - start),
            ms(Math.max(0, listener.doneAt - written)),
            listener.events - eventsBefore,
            listener.batches - batchesBefore,
            2 * (nodes - 1));

        int deletes = Math.min(1000, nodes - 1);
        listener.arm(peers -> peers.size() == nodes - 1 - deletes);
        start = System.nanoTime();
        BenchServer.parallel(
            deletes, 8, i -> client.nodes().withName(BenchNodes.name(nodes - 1 - i)).delete());
        written = System.nanoTime();
        listener.await();
        System.out.printf(
            "delete: %d nodes by 8 writers in %d ms; listener exact %d ms after the last delete;"
                + " currentLeases() agrees: %s%n",
            deletes,
            ms(written - start),
            ms(Math.max(0, listener.doneAt - written)),
            sameLeases(m.currentLeases(), listener));
      }
    }
  }

  private static boolean sameLeases(List<Lease> current, Folding listener) {
    synchronized (listener) {
      return new java.util.HashSet<>(current)
          .equals(new java.util.HashSet<>(listener.peers.values()));
    }
  }

  private static void patchMac(KubernetesClient client, int i, int generation) {
    try {
      String patch =
          JSON.writeValueAsString(
              Map.of(
                  "metadata",
                  Map.of(
                      "annotations",
                      Map.of(
                          BenchNodes.P + "backend-data", BenchNodes.backendData(i, generation)))));
      client
          .nodes()
          .withName(BenchNodes.name(i))
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean allAtGeneration(Map<String, Lease> peers, int generation) {
    for (Lease lease : peers.values()) {
      if (!lease
          .attrs()
          .backendData()
          .get("VtepMAC")
          .asText()
          .startsWith(String.format("0a:%02x:", generation))) {
        return false;
      }
    }
    return true;
  }

  /** Checks every peer's lease against what node i advertises. */
  private static void check(Folding listener, int nodes, int generation) {
    synchronized (listener) {
      checkLocked(listener, nodes, generation);
    }
  }

  private static void checkLocked(Folding listener, int nodes, int generation) {
    if (listener.peers.size() != nodes - 1) {
      throw new AssertionError("peers: " + listener.peers.size() + ", expected " + (nodes - 1));
    }
    for (int i = 1; i < nodes; i++) {
      Lease lease = listener.peers.get(BenchNodes.podCidr(i));
      if (lease == null
          || !lease.attrs().publicIp().toString().equals(BenchNodes.publicIp(i))
          || !lease
              .attrs()
              .backendData()
              .get("VtepMAC")
              .asText()
              .equals(BenchNodes.mac(i, generation))) {
        throw new AssertionError("node " + i + ": wrong or missing lease " + lease);
      }
    }
  }

  private static long fullNodeInformer(KubernetesClient client, int nodes) throws Exception {
    long before = HeapProbe.usedAfterGc();
    CountDownLatch synced = new CountDownLatch(1);
    SharedIndexInformer<Node> informer =
        client
            .nodes()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Node obj) {}

                  @Override
                  public void onUpdate(Node oldObj, Node newObj) {}

                  @Override
                  public void onDelete(Node obj, boolean deletedFinalStateUnknown) {}

                  @Override
                  public void onList(String resourceVersion, boolean remainedEmpty) {
                    synced.countDown();
                  }
                },
                0);
    if (!synced.await(LONG.toSeconds(), TimeUnit.SECONDS)
        || informer.getStore().list().size() != nodes) {
      throw new AssertionError("default informer did not sync");
    }
    long with = HeapProbe.usedAfterGc();
    informer.stop();
    informer = null;
    HeapProbe.awaitCollected(
        "io.fabric8.kubernetes.client.informers.impl.DefaultSharedIndexInformer");
    long after = HeapProbe.usedAfterGc();
    System.out.printf(
        "%nused heap after GC: before the default informer %.1f MB, with it %.1f MB, after stopping it"
            + " %.1f MB%n",
        before / 1e6, with / 1e6, after / 1e6);
    return with - before;
  }

  /** The listener: folds events into subnets → lease and notes when a condition first holds. */
  private static final class Folding implements LeaseListener {
    final Map<String, Lease> peers = new HashMap<>();
    volatile Predicate<Map<String, Lease>> target;
    volatile CountDownLatch done = new CountDownLatch(1);
    volatile long doneAt;
    volatile int events;
    volatile int batches;
    volatile int firstBatch;

    Folding(Predicate<Map<String, Lease>> target) {
      this.target = target;
    }

    synchronized void arm(Predicate<Map<String, Lease>> next) {
      done = new CountDownLatch(1);
      target = next;
    }

    @Override
    public synchronized void onEvents(List<LeaseEvent> batch) {
      for (LeaseEvent e : batch) {
        if (e instanceof LeaseEvent.Added) {
          peers.put(e.lease().subnets(), e.lease());
        } else {
          peers.remove(e.lease().subnets());
        }
      }
      if (batches == 0) {
        firstBatch = batch.size();
      }
      events += batch.size();
      batches++;
      if (done.getCount() > 0 && target.test(peers)) {
        doneAt = System.nanoTime();
        done.countDown();
      }
    }

    synchronized void clear() {
      peers.clear();
    }

    void await() throws InterruptedException {
      if (!done.await(LONG.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("listener state not reached within " + LONG);
      }
    }
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
