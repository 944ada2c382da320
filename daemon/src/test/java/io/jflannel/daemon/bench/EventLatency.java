package io.jflannel.daemon.bench;

import io.jflannel.daemon.bench.DaemonBench.Context;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Event latency: with flanneld running and converged on N peers, new peer leases are put into etcd
 * one at a time; each latency is from the moment the put returns (etcd has committed it) until the
 * new peer's route is in the host's kernel.
 *
 * <p>The route is the last object flanneld writes for a peer (after its ARP and FDB entries), so
 * its appearance means the peer is fully programmed; the harness looks it up with one {@code
 * RTM_GETROUTE} every 0.2 ms, which bounds the resolution. Puts are spaced 20–60 ms apart (seeded
 * random) so that each is a lone event. At the end every new peer's ARP and FDB entries are checked
 * too.
 *
 * <p>Options: {@code --backend=vxlan} {@code --n=100} (peers at start) {@code --events=200}.
 */
final class EventLatency {
  private EventLatency() {}

  static void run(Context ctx, Map<String, String> opt) throws Exception {
    String backend = opt.getOrDefault("backend", "vxlan");
    int n = Integer.parseInt(opt.getOrDefault("n", "100"));
    int events = Integer.parseInt(opt.getOrDefault("events", "200"));
    String load = Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 4)[0];
    System.out.printf(
        "%n== events %s: %d peers, then %d new ones one at a time (%s UTC, load %s)%n",
        backend, n, events, Instant.now(), load);
    ctx.etcd().clearSubnets();
    ctx.etcd().config(Context.config(backend, false));
    ctx.etcd().seed(DaemonBench.peers(n), backend);

    String host = ctx.hosts().host();
    Path logFile = ctx.work().resolve("events-" + backend + ".log");
    double[] lat = new double[events];
    double[] put = new double[events];
    Instant[] putReturned = new Instant[events];
    Instant[] routeSeen = new Instant[events];
    try (KernelView kv = KernelView.open(host);
        Flanneld d =
            Flanneld.start(ctx.flanneld(), host, ctx.daemonArgs(host, List.of()), logFile)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (kv.peerRoutes() < n) {
        if (!d.alive() || System.nanoTime() > deadline) {
          throw new IllegalStateException("flanneld did not converge; see " + logFile);
        }
        TimeUnit.MILLISECONDS.sleep(20);
      }
      TimeUnit.SECONDS.sleep(5); // past the first periodic reconcile, 2 s after the watch starts
      Random gaps = new Random(42);
      for (int i = 0; i < events; i++) {
        Peer p = new Peer(20_001 + i);
        long t0 = System.nanoTime();
        ctx.etcd().put(p, backend);
        long t1 = System.nanoTime();
        putReturned[i] = Instant.now();
        long limit = t1 + TimeUnit.SECONDS.toNanos(5);
        while (!kv.hasRoute(p.probe())) {
          if (System.nanoTime() > limit) {
            throw new IllegalStateException("no route for " + p.subnet() + " after 5 s");
          }
          LockSupport.parkNanos(200_000);
        }
        lat[i] = (System.nanoTime() - t1) / 1e6;
        routeSeen[i] = Instant.now();
        put[i] = (t1 - t0) / 1e6;
        TimeUnit.MILLISECONDS.sleep(20 + gaps.nextInt(41));
      }
      int want = n + events;
      boolean vxlan = backend.equals("vxlan");
      System.out.printf(
          "kernel after the run: %d routes, %s ARP, %s FDB (want %d each)%n",
          kv.peerRoutes(),
          vxlan ? kv.permanentNeighbours("flannel.1") : "-",
          vxlan ? kv.remoteFdb("flannel.1") : "-",
          want);
    }
    Hosts.delete(host);
    System.out.println("put → route in kernel, ms: " + Stats.of(lat));
    // Split by the backend's "lease added: <subnet> via ..." line, logged when the event reaches
    // the backend and before the netlink batch is sent (1 ms resolution, wall clock).
    DaemonLog log = DaemonLog.read(logFile);
    String net = backend.equals("vxlan") ? "VxlanNetwork" : "HostGwNetwork";
    double[] toBackend = new double[events];
    double[] toKernel = new double[events];
    for (int i = 0; i < events; i++) {
      String prefix = "lease added: " + new Peer(20_001 + i).subnet() + " ";
      Instant handed =
          log.first(DaemonLog.logger(net, prefix)).map(DaemonLog.Line::at).orElseThrow();
      toBackend[i] = Duration.between(putReturned[i], handed).toNanos() / 1e6;
      toKernel[i] = Duration.between(handed, routeSeen[i]).toNanos() / 1e6;
    }
    System.out.println(
        "  of which put → event handed to the backend (log), ms: " + Stats.of(toBackend));
    System.out.println("  of which handed to the backend → route seen, ms: " + Stats.of(toKernel));
    Integer[] order = new Integer[events];
    for (int i = 0; i < events; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> Double.compare(lat[y], lat[x]));
    System.out.println("slowest 5 (total = to backend + to kernel, ms; put return time):");
    for (int j = 0; j < Math.min(5, events); j++) {
      int i = order[j];
      System.out.printf(
          Locale.ROOT,
          "  #%d %.1f = %.0f + %.0f (%s)%n",
          i,
          lat[i],
          toBackend[i],
          toKernel[i],
          putReturned[i]);
    }
    System.out.println("the put itself (client → etcd commit → reply), ms: " + Stats.of(put));
    double[] fromStart = new double[events];
    for (int i = 0; i < events; i++) {
      fromStart[i] = put[i] + lat[i];
    }
    System.out.println("put start → route in kernel (conservative), ms: " + Stats.of(fromStart));
    System.out.println(
        "first 10 latencies, ms: "
            + Arrays.toString(
                Arrays.stream(Arrays.copyOf(lat, Math.min(10, events)))
                    .map(v -> Math.round(v * 10) / 10.0)
                    .toArray()));
    System.out.println(
        "| "
            + backend
            + " | "
            + n
            + " | "
            + events
            + " | "
            + Stats.of(lat).row()
            + " | "
            + String.format(Locale.ROOT, "%.1f", Stats.of(fromStart).p99())
            + " | "
            + load
            + " |");
  }
}
