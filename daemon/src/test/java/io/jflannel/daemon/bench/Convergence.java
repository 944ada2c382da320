package io.jflannel.daemon.bench;

import io.jflannel.daemon.bench.DaemonBench.Context;
import io.jflannel.daemon.bench.DaemonLog.Line;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Convergence at start: with N peer leases already in etcd, the time from flanneld's process start
 * until all N peers are programmed in its host namespace (N routes; for vxlan also N permanent ARP
 * and N FDB entries; with NexthopRoutes also N nexthop objects), beside {@code ip -batch} / {@code
 * bridge -batch} writing the same objects into a fresh namespace in the same run.
 *
 * <p>How "done" is observed without loading the machine: the daemon receives the leases in etcd's
 * key order and writes each batch's ARP and FDB entries before its routes, so the route of the peer
 * with the greatest key is the last object written. The harness looks that one route up every 0.5
 * ms (one {@code RTM_GETROUTE}); when it appears, it dumps the routes (and ARP, FDB, nexthops) to
 * check that all N are there. If some are missing it goes on dumping every 5 ms and "done" is the
 * dump that first finds them all. So "done" is exact to about 0.5 ms in the expected case.
 *
 * <p>Options: {@code --cases=vxlan:1000,host-gw:5000,vxlan+nh:50000,vxlan+v1:5000} (backend, then
 * {@code +nh} for {@code "NexthopRoutes": true}, {@code +ds} for dual-stack peers and config,
 * {@code +v1} for {@code -v=1}, {@code +bo} for {@link BackendOnly} instead of the daemon, {@code
 * +xmx64m} for its heap, or the daemon's FLANNELD_JVM_HEAP), {@code --timeout=600} (seconds per
 * daemon run), {@code --bo-heap=64m} (BackendOnly's -Xmx; the launcher's default is 64m).
 */
final class Convergence {
  private Convergence() {}

  record Case(
      String backend,
      boolean nexthops,
      boolean verbose,
      boolean backendOnly,
      boolean dualStack,
      String heap,
      int n) {
    static Case parse(String s) {
      String[] f = s.split(":");
      String[] spec = f[0].split("\\+");
      List<String> flags = List.of(spec).subList(1, spec.length);
      return new Case(
          spec[0],
          flags.contains("nh"),
          flags.contains("v1"),
          flags.contains("bo"),
          flags.contains("ds"),
          flags.stream()
              .filter(x -> x.startsWith("xmx"))
              .map(x -> x.substring(3))
              .findFirst()
              .orElse(null),
          Integer.parseInt(f[1]));
    }

    String label() {
      return backend
          + (nexthops ? "+nh" : "")
          + (verbose ? " -v1" : "")
          + (backendOnly ? " backend-only" : "")
          + (dualStack ? " dual-stack" : "")
          + (heap != null ? " -Xmx" + heap : "");
    }
  }

  /** The JVM flags of the packaged launcher (daemon/src/main/dist/bin/flanneld), less -Xmx. */
  private static final List<String> DAEMON_JVM =
      List.of(
          "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1",
          "-Xss512k",
          "-XX:ReservedCodeCacheSize=32m",
          "-XX:-UsePerfData",
          "-Dio.netty.allocator.type=unpooled");

  /** What {@code ip -batch} took, per process and in all. */
  record Reference(double ipMs, double bridgeMs) {
    double totalMs() {
      return ipMs + bridgeMs;
    }
  }

  static void run(Context ctx, Map<String, String> opt) throws Exception {
    long timeout = Long.parseLong(opt.getOrDefault("timeout", "600"));
    heap = opt.getOrDefault("bo-heap", "64m");
    List<String> summary = new ArrayList<>();
    summary.add(
        "| case | N | ip+bridge -batch ms | daemon: start → done ms | ratio | list → done ms"
            + " (between) | first lease decoded → done ms (-v 1) | daemon CPU at done ms | peak RSS at done MiB | load |");
    summary.add("|---|--:|--:|--:|--:|--:|--:|--:|--:|---|");
    for (String s : DaemonBench.need(opt, "cases").split(",")) {
      Case c = Case.parse(s);
      try {
        summary.add(one(ctx, c, timeout));
      } catch (NotConverged e) {
        System.out.println("FAILED: " + e.getMessage());
        Files.lines(e.log)
            .filter(l -> l.startsWith("Exception") || l.contains("Error:"))
            .limit(2)
            .forEach(l -> System.out.println("  " + l));
        DaemonLog.read(e.log).problems().stream()
            .filter(l -> !l.message().startsWith("no certificate provided"))
            .limit(3)
            .forEach(l -> System.out.println("  daemon " + l.level() + ": " + l.message()));
        summary.add(
            String.format(
                Locale.ROOT,
                "| %s | %,d | – | failed: %s | | | | | | |",
                c.label(),
                c.n(),
                e.getMessage()));
      }
    }
    System.out.println();
    System.out.println("== convergence summary");
    summary.forEach(System.out::println);
  }

  private static String one(Context ctx, Case c, long timeoutSeconds) throws Exception {
    String load = Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 4)[0];
    System.out.printf(
        "%n== converge %s, N=%d (%s UTC, load %s)%n", c.label(), c.n(), Instant.now(), load);
    List<Peer> peers = DaemonBench.peers(c.n(), c.dualStack());
    long t = System.nanoTime();
    ctx.etcd().clearSubnets();
    ctx.etcd().config(Context.config(c.backend(), c.nexthops(), c.dualStack()));
    ctx.etcd().seed(peers, c.backend());
    System.out.printf("etcd: %d leases written in %.0f ms%n", c.n(), ms(System.nanoTime() - t));

    Reference ref = reference(ctx, c, peers);
    System.out.printf(
        "ip -batch: %.1f ms (ip %.1f + bridge %.1f), all %d peers checked present%n",
        ref.totalMs(), ref.ipMs(), ref.bridgeMs(), c.n());

    String host = ctx.hosts().host(c.dualStack());
    try {
      return programmed(ctx, c, peers, ref, host, timeoutSeconds);
    } finally {
      Hosts.delete(host);
    }
  }

  /** The daemon part of {@link #one}: start it in {@code host}, wait, report; returns the row. */
  private static String programmed(
      Context ctx, Case c, List<Peer> peers, Reference ref, String host, long timeoutSeconds)
      throws Exception {
    String load = Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 4)[0];
    Peer last = peers.stream().max(Comparator.comparing(Peer::keyName)).orElseThrow();
    List<String> extra = c.verbose() ? List.of("--v=1") : List.of();
    Path logFile =
        ctx.work().resolve("converge-" + c.label().replace(' ', '_') + "-" + c.n() + ".log");
    double doneMs;
    long cpuMs;
    double peakMib;
    Map<String, Long> threads;
    Instant startedAt;
    String how;
    try (KernelView kv = KernelView.open(host);
        Flanneld d = start(ctx, c, host, extra, logFile)) {
      startedAt = d.startedAt();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
      while (!kv.hasRoute(last.probe())) {
        check(d, c, deadline, logFile);
        LockSupport.parkNanos(500_000);
      }
      long done = System.nanoTime();
      how = "last route looked up";
      while (!complete(kv, c)) {
        check(d, c, deadline, logFile);
        TimeUnit.MILLISECONDS.sleep(5);
        done = System.nanoTime();
        how = "5 ms dumps";
      }
      doneMs = d.millisSinceStart(done);
      if (d.alive()) {
        cpuMs = d.cpuMillis();
        peakMib = d.peakRssMib();
        threads = d.threadCpuMillis();
      } else {
        cpuMs = -1;
        peakMib = Double.NaN;
        threads = Map.of();
      }
      if (!c.backendOnly()) {
        TimeUnit.SECONDS.sleep(3); // let the first periodic reconcile (2 s after the watch) run
      }
      if (System.getenv("CONVERGE_HISTO") != null && d.alive()) {
        histogram(d.pid(), Integer.parseInt(System.getenv("CONVERGE_HISTO")));
      }
    }
    if (c.backendOnly()) {
      Files.lines(logFile)
          .filter(l -> l.startsWith("backend-only:"))
          .forEach(l -> System.out.println(l));
    }
    DaemonLog log = DaemonLog.read(logFile);

    System.out.printf(
        "daemon: all %d peers programmed %.0f ms after process start (%s); %.2f× ip -batch%n",
        c.n(), doneMs, how, doneMs / ref.totalMs());
    String net = c.backend().equals("vxlan") ? "VxlanNetwork" : "HostGwNetwork";
    Optional<Line> snapshot = log.first(DaemonLog.message("lease watch of "));
    Optional<Line> decoded = log.first(DaemonLog.logger("EtcdLeaseWatch", "lease added"));
    System.out.println("timeline (ms after process start, log timestamps have 1 ms resolution):");
    mark(startedAt, "first log line (JVM up, logging ready)", log.first(l -> true));
    mark(startedAt, "network config read", log.first(DaemonLog.message("network config:")));
    mark(startedAt, "lease acquired", log.first(DaemonLog.message("acquired lease")));
    mark(startedAt, "first lease decoded from the watch's listing (-v 1 only)", decoded);
    mark(
        startedAt,
        "first peer handed to the backend",
        log.first(DaemonLog.logger(net, "lease added")));
    mark(startedAt, "'lease watch ...: N peers' snapshot line", snapshot);
    mark(startedAt, "'running' line", log.first(DaemonLog.message("running:")));
    mark(
        startedAt,
        "last peer handed to the backend",
        log.last(DaemonLog.logger(net, "lease added")));
    System.out.printf("  %8.0f  all peers in the kernel%n", doneMs);
    double fromSnapshot = snapshot.map(l -> doneMs - since(startedAt, l.at())).orElse(Double.NaN);
    double fromDecoded = decoded.map(l -> doneMs - since(startedAt, l.at())).orElse(Double.NaN);
    double fromHanded =
        log.first(DaemonLog.logger(net, "lease added"))
            .map(l -> doneMs - since(startedAt, l.at()))
            .orElse(Double.NaN);
    double fromRunning =
        log.first(DaemonLog.message("running:"))
            .map(l -> doneMs - since(startedAt, l.at()))
            .orElse(Double.NaN);
    // The watch sends its list request just before 'running' is logged (another thread, no
    // delay), and the first peer reaches the backend just after the listing arrives: the time
    // from arrival to done lies between these two.
    double listLow = Math.min(fromHanded, fromRunning);
    double listHigh = Math.max(fromHanded, fromRunning);
    System.out.printf(
        "after the listing arrived: %.0f–%.0f ms (from the first peer handed to the backend /"
            + " from the 'running' line); %.0f ms from the snapshot line; %s from the first"
            + " decoded lease%n",
        listLow,
        listHigh,
        fromSnapshot,
        Double.isNaN(fromDecoded) ? "n/a (not -v 1)" : fmt(fromDecoded) + " ms");
    System.out.printf(
        "daemon peak RSS at done: %.1f MiB; CPU (user+system) at done: %d ms; by thread:%n",
        peakMib, cpuMs);
    threads.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(8)
        .forEach(e -> System.out.printf("  %6d ms  %s%n", e.getValue(), e.getKey()));
    System.out.printf(
        "backend 'lease added' lines: %d; reconcile writes in the 3 s after done: %s%n",
        log.count(DaemonLog.logger(net, "lease added")),
        log.first(DaemonLog.message("reconcile: writing")).map(Line::message).orElse("none"));
    log.problems().stream()
        .filter(l -> !l.message().startsWith("no certificate provided"))
        .limit(5)
        .forEach(l -> System.out.println("  daemon " + l.level() + ": " + l.message()));
    return String.format(
        Locale.ROOT,
        "| %s | %,d | %.0f | %.0f | %.2f | %.0f–%.0f | %s | %d | %.1f | %s |",
        c.label(),
        c.n(),
        ref.totalMs(),
        doneMs,
        doneMs / ref.totalMs(),
        listLow,
        listHigh,
        Double.isNaN(fromDecoded) ? "–" : fmt(fromDecoded),
        cpuMs,
        peakMib,
        load);
  }

  /** Whether every peer's objects are in the kernel (of both families for dual-stack). */
  static boolean complete(KernelView kv, Case c) throws Exception {
    int families = c.dualStack() ? 2 : 1;
    if (kv.peerRoutes() < c.n() || (c.dualStack() && kv.peerRoutes6() < c.n())) {
      return false;
    }
    if (c.nexthops() && kv.flannelNexthops() < families * c.n()) {
      return false;
    }
    if (!c.backend().equals("vxlan")) {
      return true;
    }
    return kv.permanentNeighbours("flannel.1") >= c.n()
        && kv.remoteFdb("flannel.1") >= c.n()
        && (!c.dualStack()
            || (kv.permanentNeighbours6("flannel-v6.1") >= c.n()
                && kv.remoteFdb("flannel-v6.1") >= c.n()));
  }

  /** Prints the top of the daemon's live-object histogram (jcmd GC.class_histogram: a full GC). */
  private static void histogram(long pid, int lines)
      throws java.io.IOException, InterruptedException {
    Process p =
        new ProcessBuilder("jcmd", Long.toString(pid), "GC.class_histogram")
            .redirectErrorStream(true)
            .start();
    List<String> out = new String(p.getInputStream().readAllBytes()).lines().toList();
    p.waitFor();
    System.out.println("live objects once converged (jcmd GC.class_histogram, top " + lines + "):");
    out.stream().limit(lines + 3L).forEach(l -> System.out.println("  " + l));
    out.stream().filter(l -> l.startsWith("Total")).forEach(l -> System.out.println("  " + l));
  }

  /** {@link BackendOnly}'s heap limit; the launcher's default is 64m (FLANNELD_JVM_HEAP). */
  private static String heap = "64m";

  private static Flanneld start(Context ctx, Case c, String host, List<String> extra, Path log)
      throws java.io.IOException {
    if (!c.backendOnly()) {
      // +xmxSIZE on a daemon case: the launcher's FLANNELD_JVM_HEAP; CONVERGE_JAVA_OPTS from the
      // harness's environment: the daemon's JAVA_OPTS (a GC log, a JFR recording)
      Map<String, String> env = new java.util.HashMap<>();
      if (c.heap() != null) {
        env.put("FLANNELD_JVM_HEAP", c.heap());
      }
      String javaOpts = System.getenv("CONVERGE_JAVA_OPTS");
      if (javaOpts != null && !javaOpts.isBlank()) {
        env.put("JAVA_OPTS", javaOpts);
      }
      return Flanneld.start(ctx.flanneld(), host, ctx.daemonArgs(host, extra), log, env);
    }
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", host, "java"));
    cmd.addAll(DAEMON_JVM);
    cmd.add("-Xmx" + (c.heap() != null ? c.heap() : heap));
    cmd.addAll(
        List.of(
            "-cp",
            ctx.classpath(),
            BackendOnly.class.getName(),
            c.backend(),
            Integer.toString(c.n()),
            Boolean.toString(c.nexthops())));
    return Flanneld.startCommand(cmd, log);
  }

  private static void check(Flanneld d, Case c, long deadline, Path log) throws NotConverged {
    if (!d.alive() && !(c.backendOnly() && d.exitValue() == 0)) {
      throw new NotConverged("flanneld exited (code " + d.exitValue() + ") before converging", log);
    }
    if (System.nanoTime() > deadline) {
      throw new NotConverged("flanneld did not converge in time", log);
    }
  }

  /** The daemon stopped or timed out before all peers were programmed; the run goes on. */
  static final class NotConverged extends Exception {
    final transient Path log;

    NotConverged(String message, Path log) {
      super(message + " (log " + log.getFileName() + ")");
      this.log = log;
    }
  }

  /** Writes the peers' objects into a fresh namespace with ip/bridge -batch and times it. */
  private static Reference reference(Context ctx, Case c, List<Peer> peers) throws Exception {
    String ns = ctx.hosts().reference(c.backend(), c.dualStack());
    try {
      StringBuilder ip = new StringBuilder();
      StringBuilder bridge = new StringBuilder();
      boolean vxlan = c.backend().equals("vxlan");
      for (Peer p : peers) {
        if (vxlan) {
          ip.append(p.neighLine()).append('\n');
          bridge.append(p.fdbLine()).append('\n');
        }
        if (vxlan && c.dualStack()) {
          ip.append(p.neigh6Line()).append('\n');
          bridge.append(p.fdb6Line()).append('\n');
        }
        if (c.nexthops()) {
          ip.append(p.nexthopLine(c.backend())).append('\n');
        }
        if (c.nexthops() && c.dualStack()) {
          ip.append(p.nexthop6Line(c.backend())).append('\n');
        }
      }
      for (Peer p : peers) {
        ip.append(p.routeLine(c.backend(), c.nexthops())).append('\n');
        if (c.dualStack()) {
          ip.append(p.route6Line(c.backend(), c.nexthops())).append('\n');
        }
      }
      Path ipFile = ctx.work().resolve("ref-ip.batch");
      Path bridgeFile = ctx.work().resolve("ref-bridge.batch");
      Files.writeString(ipFile, ip);
      Files.writeString(bridgeFile, bridge);
      double ipMs = timed("ip", "-n", ns, "-batch", ipFile.toString());
      double bridgeMs = vxlan ? timed("bridge", "-n", ns, "-batch", bridgeFile.toString()) : 0;
      try (KernelView kv = KernelView.open(ns)) {
        if (!complete(kv, c)) {
          throw new IllegalStateException("ip -batch left objects missing in " + ns);
        }
      }
      return new Reference(ipMs, bridgeMs);
    } finally {
      Hosts.delete(ns);
    }
  }

  /** Wall time of one process, fork to exit; fails unless it exits 0. */
  private static double timed(String... cmd) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    long t = System.nanoTime();
    int exit = pb.start().waitFor();
    double took = ms(System.nanoTime() - t);
    if (exit != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " exited " + exit);
    }
    return took;
  }

  private static void mark(Instant start, String what, Optional<Line> line) {
    line.ifPresent(l -> System.out.printf("  %8.0f  %s%n", since(start, l.at()), what));
  }

  private static double since(Instant start, Instant at) {
    return Duration.between(start, at).toNanos() / 1e6;
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.0f", v);
  }
}
