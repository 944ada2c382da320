package io.jflannel.daemon.bench;

import io.jflannel.daemon.bench.DaemonBench.Context;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * CPU cost of one periodic reconcile pass when nothing needs repair: flanneld converged on N peers
 * runs once with {@code --resync-period 1} and once with a resync period of an hour (the idle
 * baseline), each for the same window; per pass = (CPU in the window − baseline CPU in the window)
 * / passes in the window.
 *
 * <p>CPU is user + system time of the whole JVM from {@code /proc/<pid>/stat} (10 ms ticks), so
 * everything a pass costs counts: the etcd listing and its decoding on gRPC threads, the three
 * netlink dumps, the diff, garbage collection. Passes are counted exactly from etcd's own counter
 * of answered Range requests ({@code /metrics}) while each pass listed the subnets once; since the
 * reconcile answers from the lease watch's state instead, they are counted with the daemon's own
 * {@code flannel_reconcile_runs_total} (its {@code /metrics} on the host's eth0, scraped once at
 * each end of the window, in both runs). Etcd's Range requests are still reported: with the watch
 * state they show the periodic re-list and nothing per pass. Both runs use {@code --iptables-resync
 * 3600} so that the iptables check (another process every 5 s) does not blur the difference. The
 * kernel is not changed during the windows, and the log is checked for reconcile writes.
 *
 * <p>Options: {@code --backend=vxlan} {@code --n=5000} {@code --window=30} (seconds) {@code
 * --warmup=10} (seconds after convergence before the window) {@code --java-opts=...} (JAVA_OPTS for
 * the daemon in both runs, e.g. to try other JIT or heap settings) {@code --profile=true}
 * (afterwards, a third run with a JFR recording, summarised by {@link JfrSummary}; its CPU is not
 * reported).
 */
final class ReconcileCost {
  private ReconcileCost() {}

  /** The daemon's health and metrics port in the reconcile runs (on the host's eth0). */
  static final int METRICS_PORT = 9611;

  record Window(
      long cpuMs,
      long userMs,
      long systemMs,
      long ranges,
      long passes,
      Map<String, Long> threadMs,
      double seconds) {}

  static void run(Context ctx, Map<String, String> opt) throws Exception {
    String backend = opt.getOrDefault("backend", "vxlan");
    int n = Integer.parseInt(opt.getOrDefault("n", "5000"));
    int window = Integer.parseInt(opt.getOrDefault("window", "30"));
    int warmup = Integer.parseInt(opt.getOrDefault("warmup", "10"));
    String load = Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 4)[0];
    System.out.printf(
        "%n== reconcile %s: %d peers, window %d s after %d s warm-up (%s UTC, load %s)%n",
        backend, n, window, warmup, Instant.now(), load);
    ctx.etcd().clearSubnets();
    ctx.etcd().config(Context.config(backend, false));
    ctx.etcd().seed(DaemonBench.peers(n), backend);
    String host = ctx.hosts().host();
    String javaOpts = opt.getOrDefault("java-opts", "");
    Map<String, String> env = javaOpts.isEmpty() ? Map.of() : Map.of("JAVA_OPTS", javaOpts);
    if (!javaOpts.isEmpty()) {
      System.out.println("daemon JAVA_OPTS (both runs): " + javaOpts);
    }
    Window idle = measure(ctx, host, n, "3600", window, warmup, "reconcile-idle-" + backend, env);
    Window busy = measure(ctx, host, n, "1", window, warmup, "reconcile-1s-" + backend, env);
    Path jfr = ctx.work().resolve("reconcile-" + backend + ".jfr");
    if (Boolean.parseBoolean(opt.getOrDefault("profile", "false"))) {
      System.out.println("profiling run (JFR, not counted above):");
      measure(
          ctx,
          host,
          n,
          "1",
          window,
          warmup,
          "reconcile-jfr-" + backend,
          Map.of("JAVA_OPTS", "-XX:StartFlightRecording=name=bench,settings=profile"),
          jfr);
    }
    Hosts.delete(host);

    long passes = busy.passes() - idle.passes();
    double perPass = (busy.cpuMs() - idle.cpuMs()) / (double) passes;
    String load2 = Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 4)[0];
    System.out.printf(
        "idle (--resync-period 3600): %d ms CPU, %d passes, %d Range requests in %.1f s%n",
        idle.cpuMs(), idle.passes(), idle.ranges(), idle.seconds());
    System.out.printf(
        "busy (--resync-period 1):    %d ms CPU, %d passes, %d Range requests in %.1f s%n",
        busy.cpuMs(), busy.passes(), busy.ranges(), busy.seconds());
    System.out.printf(
        Locale.ROOT,
        "reconcile passes in the window: %d (one every %.2f s: the period plus the pass itself)%n",
        passes,
        busy.seconds() / passes);
    System.out.printf(
        Locale.ROOT,
        "CPU per pass: %.1f ms (user %.1f, system %.1f)%n",
        perPass,
        (busy.userMs() - idle.userMs()) / (double) passes,
        (busy.systemMs() - idle.systemMs()) / (double) passes);
    System.out.println("CPU per pass by thread (busy − idle, ms):");
    Map<String, Long> names = new TreeMap<>(busy.threadMs());
    idle.threadMs().keySet().forEach(k -> names.putIfAbsent(k, 0L));
    names.keySet().stream()
        .map(
            k ->
                Map.entry(
                    k, busy.threadMs().getOrDefault(k, 0L) - idle.threadMs().getOrDefault(k, 0L)))
        .filter(e -> e.getValue() != 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(
            e ->
                System.out.printf(
                    Locale.ROOT, "  %7.1f  %s%n", e.getValue() / (double) passes, e.getKey()));
    System.out.printf(
        Locale.ROOT,
        "| %s%s | %,d | %d | %d | %d | %d | %.1f | %s → %s |%n",
        backend,
        javaOpts.isEmpty() ? "" : " (" + javaOpts + ")",
        n,
        window,
        idle.cpuMs(),
        busy.cpuMs(),
        passes,
        perPass,
        load,
        load2);
    if (Files.exists(jfr)) {
      JfrSummary.print(jfr, "reconcile", 15);
    }
  }

  private static Window measure(
      Context ctx,
      String host,
      int n,
      String period,
      int window,
      int warmup,
      String name,
      Map<String, String> env)
      throws Exception {
    return measure(ctx, host, n, period, window, warmup, name, env, null);
  }

  /** As above; with {@code jfr} non-null, dumps the daemon's JFR recording there at the end. */
  private static Window measure(
      Context ctx,
      String host,
      int n,
      String period,
      int window,
      int warmup,
      String name,
      Map<String, String> env,
      Path jfr)
      throws Exception {
    Path logFile = ctx.work().resolve(name + ".log");
    List<String> extra =
        List.of(
            "--resync-period=" + period,
            "--iptables-resync=3600",
            "--healthz-ip=0.0.0.0",
            "--healthz-port=" + METRICS_PORT);
    try (KernelView kv = KernelView.open(host);
        Flanneld d =
            Flanneld.start(ctx.flanneld(), host, ctx.daemonArgs(host, extra), logFile, env)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (kv.peerRoutes() < n
          || Files.lines(logFile).noneMatch(l -> l.contains("lease watch of"))) {
        if (!d.alive() || System.nanoTime() > deadline) {
          throw new IllegalStateException("flanneld did not converge; see " + logFile);
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
      TimeUnit.SECONDS.sleep(warmup);
      long r0 = ctx.etcd().rangeRequests();
      long p0 = reconcileRuns();
      long c0 = d.cpuMillis();
      long[] us0 = d.userSystemMillis();
      Map<String, Long> t0 = d.threadCpuMillis();
      long w0 = System.nanoTime();
      TimeUnit.SECONDS.sleep(window);
      long c1 = d.cpuMillis();
      long[] us1 = d.userSystemMillis();
      Map<String, Long> t1 = d.threadCpuMillis();
      long r1 = ctx.etcd().rangeRequests();
      long p1 = reconcileRuns();
      double secs = (System.nanoTime() - w0) / 1e9;
      if (jfr != null) {
        int exit =
            new ProcessBuilder(
                    "jcmd", Long.toString(d.pid()), "JFR.dump", "name=bench", "filename=" + jfr)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start()
                .waitFor();
        System.out.println("jcmd JFR.dump exited " + exit);
      }
      t0.forEach((k, v) -> t1.merge(k, -v, Long::sum));
      long writes = Files.lines(logFile).filter(l -> l.contains("reconcile: writing")).count();
      System.out.printf(
          "%s: reconcile log lines that wrote to the kernel: %d (one at start is expected if"
              + " the state was already there with extra entries; none after)%n",
          name, writes);
      return new Window(c1 - c0, us1[0] - us0[0], us1[1] - us0[1], r1 - r0, p1 - p0, t1, secs);
    }
  }

  /** The daemon's {@code flannel_reconcile_runs_total}, from its /metrics on the host's eth0. */
  private static long reconcileRuns() throws Exception {
    java.net.http.HttpResponse<String> r =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(
                            "http://" + Hosts.HOST_IP + ":" + METRICS_PORT + "/metrics"))
                    .timeout(java.time.Duration.ofSeconds(5))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    for (String line : r.body().split("\n")) {
      if (line.startsWith("flannel_reconcile_runs_total ")) {
        return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
      }
    }
    throw new IllegalStateException("no flannel_reconcile_runs_total in /metrics: " + r.body());
  }
}
