package io.jflannel.subnet.etcd.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.subnet.LeaseListener;
import io.jflannel.core.subnet.LeaseWatch;
import io.jflannel.subnet.etcd.EtcdOptions;
import io.jflannel.subnet.etcd.EtcdSubnetManager;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Scale benchmark of the etcd lease watch (not a test): writes N peer leases, then measures how
 * long {@code watchLeases} takes to deliver them all, how much heap the watch retains for them, and
 * that a burst of N more written at once after the snapshot (then N deletes) arrives complete,
 * without duplicates.
 *
 * <p>Usage: {@code EtcdLeaseBench <etcd endpoint> [peers]}; run by {@code
 * scripts/bench-etcd-leases}, which starts a throwaway etcd. Heap: used heap after {@code
 * System.gc()} (three rounds) with the watch open and full, minus the same after the watch is
 * closed and dropped; what the listener keeps is one bit per subnet, so the difference is the
 * manager's peer state.
 */
public final class EtcdLeaseBench {

  private static final String PREFIX = "/jflannel-bench/network";
  private static final String CONFIG =
      "{\"Network\": \"10.0.0.0/8\", \"SubnetLen\": 24, \"Backend\": {\"Type\": \"vxlan\"}}";
  private static final int TXN_OPS = 100; // etcd's default --max-txn-ops is 128
  private static final int CYCLES = 5;
  private static final boolean HISTOGRAM = System.getProperty("bench.histogram") != null;

  private EtcdLeaseBench() {}

  /** Counts, per subnet index, whether the listener's view holds the peer; no lease is kept. */
  private static final class CountingListener implements LeaseListener {
    final AtomicLongArray present = new AtomicLongArray(1 << 16);
    final AtomicInteger peers = new AtomicInteger();
    final AtomicLong added = new AtomicLong();
    final AtomicLong removed = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong batches = new AtomicLong();
    volatile long lastEventNanos;

    void reset() {
      for (int i = 0; i < present.length(); i++) {
        present.set(i, 0);
      }
      peers.set(0);
      added.set(0);
      removed.set(0);
      duplicates.set(0);
      batches.set(0);
    }

    @Override
    public void onEvents(List<LeaseEvent> events) {
      batches.incrementAndGet();
      for (LeaseEvent event : events) {
        int index = (event.lease().subnet().address() >>> 8) & 0xffff;
        if (event instanceof LeaseEvent.Added) {
          added.incrementAndGet();
          if (present.getAndSet(index, 1) == 1) {
            duplicates.incrementAndGet();
          } else {
            peers.incrementAndGet();
          }
        } else {
          removed.incrementAndGet();
          if (present.getAndSet(index, 0) == 0) {
            duplicates.incrementAndGet();
          } else {
            peers.decrementAndGet();
          }
        }
      }
      lastEventNanos = System.nanoTime();
    }

    void awaitPeers(int n, long timeoutSeconds) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
      while (peers.get() != n) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("saw " + peers.get() + " peers, expected " + n);
        }
        TimeUnit.MILLISECONDS.sleep(1);
      }
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: EtcdLeaseBench <etcd endpoint> [peers]");
      System.exit(2);
    }
    String endpoint = args[0];
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
    if (2 * n + 2 > 65_535) {
      throw new IllegalArgumentException("at most 32,766 peers fit the benchmark's 10.0.0.0/8");
    }
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    try (Client client = Client.builder().endpoints(endpoint).build()) {
      client
          .getKVClient()
          .delete(bytes(PREFIX + "/"), DeleteOption.builder().isPrefix(true).build())
          .get();
      client.getKVClient().put(bytes(PREFIX + "/config"), bytes(CONFIG)).get();
      long lease = client.getLeaseClient().grant(86_400).get().getID();

      long t = System.nanoTime();
      writePeers(client, 1, n, lease);
      report("write %,d peer leases (sequential txns of %d puts)", ms(t), n, TXN_OPS);

      try (EtcdSubnetManager manager =
          EtcdSubnetManager.connect(
              EtcdOptions.defaults()
                  .withEndpoints(List.of(endpoint))
                  .withPrefix(PREFIX)
                  // keep the own lease out of the peers' range 10.0.1.0 .. 10.0.x.0
                  .withPreviousSubnets(
                      Optional.of(Ip4Net.parse("10.255.255.0/24")), Optional.empty()))) {
        manager.networkConfig();
        Lease own = manager.acquireLease(attrs(Ip4.parse("172.16.0.1")));
        report("own lease %s", 0, own.subnets());

        t = System.nanoTime();
        GetResponse listing =
            client
                .getKVClient()
                .get(bytes(PREFIX + "/subnets/"), GetOption.builder().isPrefix(true).build())
                .get();
        double listMs = ms(t);
        report("one list of %,d keys (jetcd get, for reference)", listMs, listing.getKvs().size());
        listing = null;

        // phase A: time to the full peer set, and the heap the watch retains for it, over
        // CYCLES watches opened and closed one after the other (the first one on a cold JVM)
        CountingListener first = new CountingListener(); // one listener, reused: not measured
        double[] fullMs = new double[CYCLES];
        double[] retained = new double[CYCLES];
        for (int c = 0; c < CYCLES; c++) {
          first.reset();
          long start = System.nanoTime();
          LeaseWatch watch = manager.watchLeases(first);
          first.awaitPeers(n, 60);
          fullMs[c] = (first.lastEventNanos - start) / 1e6;
          if (c == 0) {
            report(
                "watchLeases() to the full peer set delivered, cold JVM (%,d peers, %d batch(es))",
                fullMs[0], first.peers.get(), first.batches.get());
            report("  of which after the list (full set - one list)", fullMs[0] - listMs);
          }
          long heapWith = usedAfterGc(memory);
          Map<String, Long> histogramWith = HISTOGRAM && c == 1 ? histogram() : null;
          watch.close();
          watch = null;
          long heapWithout = usedAfterGc(memory);
          if (histogramWith != null) {
            printDifference(histogramWith, histogram());
          }
          retained[c] = heapWith - heapWithout;
        }
        double[] warm = Arrays.copyOfRange(fullMs, 1, CYCLES);
        Arrays.sort(warm);
        report(
            "watchLeases() to the full peer set, warm JVM: median of %d (min %.1f, max %.1f ms)",
            warm[warm.length / 2], warm.length, warm[0], warm[warm.length - 1]);
        Arrays.sort(retained);
        report(
            "heap retained by a watch with %,d peers (used after GC, watch open - closed), %d"
                + " cycles: median %.2f MB (%.0f bytes/peer), min %.2f MB, max %.2f MB",
            0,
            n,
            CYCLES,
            retained[CYCLES / 2] / 1048576.0,
            retained[CYCLES / 2] / n,
            retained[0] / 1048576.0,
            retained[CYCLES - 1] / 1048576.0);
        LeaseWatch watch;
        long start;

        // phase B: a fresh watch, then N more leases written at once after its snapshot
        CountingListener listener = new CountingListener();
        start = System.nanoTime();
        watch = manager.watchLeases(listener);
        listener.awaitPeers(n, 60);
        report(
            "second watch, full peer set again (warm JVM)",
            (listener.lastEventNanos - start) / 1e6);
        long batchesBefore = listener.batches.get();
        long t2 = System.nanoTime();
        writePeersConcurrently(client, n + 1, n, lease);
        double writeMs = ms(t2);
        listener.awaitPeers(2 * n, 120);
        report(
            "burst: %,d more leases written at once (%d concurrent txns of %d, done in %.0f ms);"
                + " last delivered after",
            (listener.lastEventNanos - t2) / 1e6, n, (n + TXN_OPS - 1) / TXN_OPS, TXN_OPS, writeMs);
        long etcdPeers = countKeys(client) - 1; // minus own
        report(
            "  listener holds %,d peers, etcd holds %,d; Added events %,d (duplicates %d) in %d"
                + " batches",
            0,
            listener.peers.get(),
            etcdPeers,
            listener.added.get() - n,
            listener.duplicates.get(),
            listener.batches.get() - batchesBefore);

        batchesBefore = listener.batches.get();
        t2 = System.nanoTime();
        deletePeersConcurrently(client, n + 1, n);
        listener.awaitPeers(n, 120);
        report(
            "burst: %,d deletes at once; Removed events %,d (duplicates %d) in %d batches; last"
                + " delivered after",
            (listener.lastEventNanos - t2) / 1e6,
            n,
            listener.removed.get(),
            listener.duplicates.get(),
            listener.batches.get() - batchesBefore);
        watch.close();
      }
      client
          .getKVClient()
          .delete(bytes(PREFIX + "/"), DeleteOption.builder().isPrefix(true).build())
          .get();
    }
  }

  private static LeaseAttrs attrs(Ip4 publicIp) {
    String mac =
        String.format(
            "0a:58:%02x:%02x:%02x:%02x",
            publicIp.value() >>> 24,
            (publicIp.value() >>> 16) & 0xff,
            (publicIp.value() >>> 8) & 0xff,
            publicIp.value() & 0xff);
    return LeaseAttrs.fromJson(
        "{\"PublicIP\":\""
            + publicIp
            + "\",\"PublicIPv6\":null,\"BackendType\":\"vxlan\",\"BackendData\":{\"VNI\":1,"
            + "\"VtepMAC\":\""
            + mac
            + "\"}}");
  }

  private static String key(int i) {
    Ip4Net subnet = new Ip4Net(0x0A000000 | (i << 8), 24);
    return PREFIX + "/subnets/" + subnet.ip() + "-24";
  }

  private static String value(int i) {
    return attrs(new Ip4(0xC0A80000 + i)).toJson();
  }

  private static void writePeers(Client client, int from, int count, long lease) throws Exception {
    PutOption withLease = PutOption.builder().withLeaseId(lease).build();
    for (int start = from; start < from + count; start += TXN_OPS) {
      List<Op> ops = new ArrayList<>();
      for (int i = start; i < Math.min(from + count, start + TXN_OPS); i++) {
        ops.add(Op.put(bytes(key(i)), bytes(value(i)), withLease));
      }
      client.getKVClient().txn().Then(ops.toArray(Op[]::new)).commit().get();
    }
  }

  private static void writePeersConcurrently(Client client, int from, int count, long lease)
      throws Exception {
    PutOption withLease = PutOption.builder().withLeaseId(lease).build();
    List<CompletableFuture<?>> futures = new ArrayList<>();
    for (int start = from; start < from + count; start += TXN_OPS) {
      List<Op> ops = new ArrayList<>();
      for (int i = start; i < Math.min(from + count, start + TXN_OPS); i++) {
        ops.add(Op.put(bytes(key(i)), bytes(value(i)), withLease));
      }
      futures.add(client.getKVClient().txn().Then(ops.toArray(Op[]::new)).commit());
    }
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get();
  }

  private static void deletePeersConcurrently(Client client, int from, int count) throws Exception {
    List<CompletableFuture<?>> futures = new ArrayList<>();
    for (int start = from; start < from + count; start += TXN_OPS) {
      List<Op> ops = new ArrayList<>();
      for (int i = start; i < Math.min(from + count, start + TXN_OPS); i++) {
        ops.add(Op.delete(bytes(key(i)), DeleteOption.DEFAULT));
      }
      futures.add(client.getKVClient().txn().Then(ops.toArray(Op[]::new)).commit());
    }
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get();
  }

  private static long countKeys(Client client) throws Exception {
    return client
        .getKVClient()
        .get(
            bytes(PREFIX + "/subnets/"),
            GetOption.builder().isPrefix(true).withCountOnly(true).build())
        .get()
        .getCount();
  }

  private static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      TimeUnit.MILLISECONDS.sleep(200); // let reference processing settle; a benchmark, not a test
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  /** Returns bytes per class of the live heap ({@code jcmd GC.class_histogram}, a full GC). */
  private static Map<String, Long> histogram() throws Exception {
    Process p =
        new ProcessBuilder(
                "jcmd", Long.toString(ProcessHandle.current().pid()), "GC.class_histogram")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    Map<String, Long> bytes = new HashMap<>();
    for (String line : out.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 4 && f[0].endsWith(":")) {
        bytes.merge(f[3], Long.parseLong(f[2]), Long::sum);
      }
    }
    return bytes;
  }

  /** Prints the classes whose live bytes differ most between two histograms. */
  private static void printDifference(Map<String, Long> with, Map<String, Long> without) {
    Map<String, Long> delta = new HashMap<>(with);
    without.forEach((k, v) -> delta.merge(k, -v, Long::sum));
    long total = delta.values().stream().mapToLong(Long::longValue).sum();
    System.out.printf(Locale.ROOT, "  histogram, watch open - closed: %,d bytes in all%n", total);
    delta.entrySet().stream()
        .sorted((x, y) -> Long.compare(Math.abs(y.getValue()), Math.abs(x.getValue())))
        .limit(15)
        .forEach(e -> System.out.printf(Locale.ROOT, "    %,12d  %s%n", e.getValue(), e.getKey()));
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  private static double ms(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e6;
  }

  private static void report(String format, double millis, Object... args) {
    String text = String.format(Locale.ROOT, format, args);
    System.out.println(
        millis > 0 ? String.format(Locale.ROOT, "%-100s %9.1f ms", text, millis) : text);
  }
}
