package io.jflannel.daemon.bench;

import io.jflannel.daemon.bench.DaemonBench.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * Issue 17's side-by-side measure for jflannel alone (etcd mode): per case, N upstream-format peer
 * leases are already in etcd and the packaged flanneld starts in a fresh host namespace; measured:
 *
 * <ol>
 *   <li>process start → converged (all N routes, and for vxlan N ARP and N FDB entries, with
 *       NexthopRoutes N nexthops), as {@link Convergence} observes it (the last route polled every
 *       0.5 ms, then dumps);
 *   <li>the whole process's CPU (utime + stime of {@code /proc/<pid>/stat}) at that moment;
 *   <li>3 s later: {@code VmRSS}, {@code RssAnon}, {@code RssFile} and {@code VmHWM} of {@code
 *       /proc/<pid>/status};
 *   <li>the loaded classes per library ({@code jcmd <pid> VM.class_hierarchy}, each class
 *       attributed by its package: {@link #library});
 *   <li>20 single lease puts, 20–60 ms apart: put returned → route in the kernel, p50 / p99;
 *   <li>kill -9, then a restart with {@code --resync-period=1} while {@code ip monitor route neigh
 *       nexthop} and {@code bridge monitor fdb} record the host namespace's kernel events, until
 *       the restarted daemon has handled the watch's listing and 4 more reconcile passes are over:
 *       the events counted (those on flannel's objects, and all);
 *   <li>from the same restarted daemon, the CPU of one reconcile pass with nothing to repair: the
 *       {@code reconcile} thread's run time ({@code /proc/<pid>/task/<tid>/schedstat}, ns) summed
 *       over each burst of activity (a pass; passes are a second apart), the median of the passes
 *       after the first; beside it the whole process's CPU over those passes divided by their
 *       number (GC and the idle threads included).
 * </ol>
 *
 * <p>The monitors are shown to listen: before the restart the harness adds and deletes a route (and
 * for vxlan an FDB entry on flannel.1) to 203.0.113.0/24 in the host namespace; unless they record
 * those, the case fails. Those events are not counted.
 *
 * <p>Options: {@code --cases=vxlan:100,host-gw+nh:50000} (backend, {@code +nh} for NexthopRoutes,
 * {@code +nmt} for a run with {@code -XX:NativeMemoryTracking=summary} whose {@code jcmd
 * VM.native_memory summary} is printed; {@code +xmxSIZE} for FLANNELD_JVM_HEAP), {@code --csv=FILE}
 * (one row per case, appended; header written when the file is new), {@code --events=20}, {@code
 * --passes=4} (reconcile passes of the restarted daemon to wait for; the first is not counted),
 * {@code --timeout=600}.
 */
final class StartBench {
  private StartBench() {}

  static final String CSV_HEADER =
      "mode,backend,nexthops,n,start_converged_ms,cpu_at_converged_ms,rss_mib,rss_anon_mib,"
          + "rss_file_mib,vm_hwm_mib,classes,classes_by_library,event_p50_ms,event_p99_ms,"
          + "reconcile_thread_cpu_ms,reconcile_process_cpu_ms,reconcile_passes,"
          + "restart_flannel_events,restart_all_events,load,utc,heap";

  record Case(boolean kube, String backend, boolean nexthops, boolean nmt, String heap, int n) {
    static Case parse(String s) {
      String[] f = s.split(":");
      List<String> flags = List.of(f[0].split("\\+"));
      boolean kube = flags.get(0).startsWith("kube-");
      return new Case(
          kube,
          kube ? flags.get(0).substring(5) : flags.get(0),
          flags.contains("nh"),
          flags.contains("nmt"),
          flags.stream()
              .filter(x -> x.startsWith("xmx"))
              .map(x -> x.substring(3))
              .findFirst()
              .orElse(null),
          Integer.parseInt(f[1]));
    }

    String label() {
      return (kube ? "kube-" : "") + backend + (nexthops ? "+nh" : "") + (nmt ? "+nmt" : "");
    }

    Convergence.Case convergence() {
      return new Convergence.Case(backend, nexthops, false, false, false, heap, n);
    }
  }

  static void run(Context ctx, Map<String, String> opt) throws Exception {
    Path csv = Path.of(DaemonBench.need(opt, "csv"));
    int events = Integer.parseInt(opt.getOrDefault("events", "20"));
    int passes = Integer.parseInt(opt.getOrDefault("passes", "4"));
    if (passes < 2) {
      throw new IllegalArgumentException(
          "--passes=" + passes + ": at least 2 (the first is not counted)");
    }
    long timeout = Long.parseLong(opt.getOrDefault("timeout", "600"));
    String kubeconfig = opt.getOrDefault("kubeconfig", "");
    if (!kubeconfig.isEmpty()) {
      kube = new KubeSeeder(Path.of(kubeconfig));
      kubeconfigPath = Path.of(kubeconfig);
    }
    String inCluster = opt.getOrDefault("in-cluster", ""); // "host:port,token file,CA file"
    if (!inCluster.isEmpty()) {
      String[] parts = inCluster.split(",");
      if (parts.length != 3) {
        throw new IllegalArgumentException(
            "--in-cluster=host:port,token-file,ca-file: " + inCluster);
      }
      int colon = parts[0].lastIndexOf(':');
      inClusterEnv =
          Map.of(
              "KUBERNETES_SERVICE_HOST",
              parts[0].substring(0, colon),
              "KUBERNETES_SERVICE_PORT",
              parts[0].substring(colon + 1),
              "KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN",
              parts[1],
              "KUBERNETES_CERTS_CA_FILE",
              parts[2],
              "KUBERNETES_AUTH_TRYKUBECONFIG",
              "false");
    }
    if (!Files.exists(csv)) {
      Files.writeString(csv, CSV_HEADER + "\n");
    }
    for (String s : DaemonBench.need(opt, "cases").split(",")) {
      Case c = Case.parse(s);
      if (c.kube() && kube == null) {
        System.out.println(
            "SKIPPED "
                + c.label()
                + " N="
                + c.n()
                + ": kube mode needs --kubeconfig (KUBE_APISERVER)");
        continue;
      }
      String row;
      try {
        row = one(ctx, c, events, passes, timeout);
      } catch (Convergence.NotConverged | IllegalStateException | IOException e) {
        // IOException: the daemon ended between two readings of /proc (e.g. out of heap)
        System.out.println("FAILED " + c.label() + " N=" + c.n() + ": " + e);
        continue;
      }
      Files.writeString(csv, row + "\n", java.nio.file.StandardOpenOption.APPEND);
    }
  }

  private static String one(Context ctx, Case c, int events, int passes, long timeoutSeconds)
      throws Exception {
    String load = Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 4)[0];
    Instant utc = Instant.now();
    System.out.printf("%n== start %s, N=%d (%s UTC, load %s)%n", c.label(), c.n(), utc, load);
    List<Peer> peers = DaemonBench.peers(c.n());
    long t = System.nanoTime();
    ctx.etcd().clearSubnets();
    ctx.etcd().config(Context.config(c.backend(), c.nexthops()));
    Peer last;
    if (c.kube()) {
      kube.clear();
      kube.self();
      kube.seed(peers, c.backend());
      Files.writeString(netConf(ctx), Context.config(c.backend(), c.nexthops()));
      System.out.printf(
          "kube-apiserver: %d Nodes with upstream-format annotations written in %.0f ms%n",
          c.n(), (System.nanoTime() - t) / 1e6);
      // the Node list comes in name order
      last = peers.stream().max(Comparator.comparing(p -> "peer-" + p.k())).orElseThrow();
    } else {
      ctx.etcd().seed(peers, c.backend());
      System.out.printf(
          "etcd: %d upstream-format leases written in %.0f ms%n",
          c.n(), (System.nanoTime() - t) / 1e6);
      last = peers.stream().max(Comparator.comparing(Peer::keyName)).orElseThrow();
    }
    String host = ctx.hosts().host();
    String tag = c.label() + "-" + c.n();
    Map<String, String> env = new java.util.HashMap<>();
    if (c.heap() != null) {
      env.put("FLANNELD_JVM_HEAP", c.heap());
    }
    if (c.kube()) {
      env.put("NODE_NAME", KubeSeeder.SELF);
      env.putAll(inClusterEnv); // as in a pod: the service's address and a token, no kubeconfig
    }
    // START_JAVA_OPTS from the harness's environment: the daemon's JAVA_OPTS (levers, logs)
    String javaOpts =
        (System.getenv().getOrDefault("START_JAVA_OPTS", "")
                + (c.nmt() ? " -XX:NativeMemoryTracking=summary" : ""))
            .strip();
    if (!javaOpts.isEmpty()) {
      env.put("JAVA_OPTS", javaOpts);
      System.out.println("daemon JAVA_OPTS: " + env.get("JAVA_OPTS"));
    }
    try (KernelView kv = KernelView.open(host)) {
      double doneMs;
      long cpuMs;
      Map<String, Double> mem;
      Map<String, Integer> classes;
      Stats lat;
      Path log1 = ctx.work().resolve("start-" + tag + ".log");
      Flanneld d = Flanneld.start(ctx.flanneld(), host, args(ctx, c, host, List.of()), log1, env);
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!kv.hasRoute(last.probe())) {
          alive(d, deadline, log1);
          LockSupport.parkNanos(500_000);
        }
        long done = System.nanoTime();
        while (!Convergence.complete(kv, c.convergence())) {
          alive(d, deadline, log1);
          TimeUnit.MILLISECONDS.sleep(5);
          done = System.nanoTime();
        }
        doneMs = d.millisSinceStart(done);
        cpuMs = d.cpuMillis();
        Map<String, Long> threads = d.threadCpuMillis();
        System.out.printf(
            Locale.ROOT,
            "all %d peers programmed %.0f ms after process start, CPU %d ms%n",
            c.n(),
            doneMs,
            cpuMs);
        System.out.println(
            "CPU at converged by thread (ms, 10 ms ticks): "
                + threads.entrySet().stream()
                    .filter(e -> e.getValue() > 0)
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .map(e -> e.getKey() + " " + e.getValue())
                    .collect(Collectors.joining(", ")));
        TimeUnit.SECONDS.sleep(3);
        if (!d.alive()) {
          Files.lines(log1)
              .filter(l -> l.contains("OutOfMemoryError") || l.contains(" ERROR "))
              .limit(2)
              .forEach(l -> System.out.println("  daemon: " + l));
          throw new IllegalStateException(
              "flanneld exited (code " + d.exitValue() + ") within 3 s of converging");
        }
        mem = memory(d.pid());
        classes = classes(d.pid());
        if (c.nmt()) {
          nmt(d.pid());
        }
        lat = events(ctx, c, kv, events);
      } finally {
        d.kill9();
      }
      System.out.printf(
          Locale.ROOT,
          "converged %.0f ms after process start, CPU %d ms; 3 s later RSS %.1f MiB (anon %.1f,"
              + " file %.1f), peak %.1f MiB%n",
          doneMs,
          cpuMs,
          mem.get("VmRSS"),
          mem.get("RssAnon"),
          mem.get("RssFile"),
          mem.get("VmHWM"));
      int total = classes.values().stream().mapToInt(Integer::intValue).sum();
      String byLib =
          classes.entrySet().stream()
              .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
              .map(e -> e.getKey() + "=" + e.getValue())
              .collect(Collectors.joining(" "));
      System.out.println("loaded classes: " + total + ": " + byLib);
      System.out.println("event latency (put returned → route), ms: " + lat);

      // kill -9 (done above), then a restart watched by the kernel monitors
      Restart r = restart(ctx, c, host, kv, tag, passes, env, timeoutSeconds);
      System.out.printf(
          Locale.ROOT,
          "kill -9 + restart: %d kernel events on flannel's objects (%d in all) until reconcile pass %d"
              + " was over; reconcile pass CPU: thread %.2f ms (median of %s), whole"
              + " process %.1f ms per pass%n",
          r.flannelEvents(),
          r.allEvents(),
          r.passMs().size() + 1,
          r.threadMedianMs(),
          r.passMs().stream()
              .map(x -> String.format(Locale.ROOT, "%.2f", x))
              .collect(Collectors.joining("/")),
          r.processMsPerPass());
      return String.join(
          ",",
          c.kube() ? "kube" : "etcd",
          c.backend(),
          Boolean.toString(c.nexthops()),
          Integer.toString(c.n()),
          f0(doneMs),
          Long.toString(cpuMs),
          f1(mem.get("VmRSS")),
          f1(mem.get("RssAnon")),
          f1(mem.get("RssFile")),
          f1(mem.get("VmHWM")),
          Integer.toString(total),
          byLib,
          f1(lat.p50()),
          f1(lat.p99()),
          String.format(Locale.ROOT, "%.2f", r.threadMedianMs()),
          f1(r.processMsPerPass()),
          Integer.toString(r.passMs().size()),
          Integer.toString(r.flannelEvents()),
          Integer.toString(r.allEvents()),
          load,
          utc.toString(),
          c.heap() == null ? "64m" : c.heap());
    } finally {
      Hosts.delete(host);
    }
  }

  /** The Nodes' writer in kube mode ({@code --kubeconfig}); null in etcd mode. */
  private static KubeSeeder kube;

  private static Path kubeconfigPath;

  /**
   * The daemon's environment in kube mode with {@code --in-cluster}: the service-account style a
   * DaemonSet's pod runs with (fabric8 reads the server from {@code KUBERNETES_SERVICE_HOST/PORT},
   * the token and CA from the files named), instead of {@code --kubeconfig-file}. Empty: the
   * kubeconfig.
   */
  private static Map<String, String> inClusterEnv = Map.of();

  private static Path netConf(Context ctx) {
    return ctx.work().resolve("net-conf.json");
  }

  /** The daemon's flags: etcd mode as {@link Context#daemonArgs}; kube mode as the DaemonSet's. */
  private static List<String> args(Context ctx, Case c, String host, List<String> extra) {
    if (!c.kube()) {
      return ctx.daemonArgs(host, extra);
    }
    List<String> a = new ArrayList<>();
    a.add("--iface=eth0");
    a.add("--kube-subnet-mgr");
    if (inClusterEnv.isEmpty()) {
      a.add("--kubeconfig-file=" + kubeconfigPath);
    }
    a.add("--net-config-path=" + netConf(ctx));
    a.add("--subnet-file=" + ctx.work().resolve(host + ".env"));
    a.add("--ip-masq");
    a.addAll(extra);
    return a;
  }

  private static void alive(Flanneld d, long deadline, Path log) throws Convergence.NotConverged {
    if (!d.alive()) {
      throw new Convergence.NotConverged("flanneld exited (code " + d.exitValue() + ")", log);
    }
    if (System.nanoTime() > deadline) {
      throw new Convergence.NotConverged("flanneld did not converge in time", log);
    }
  }

  /** VmRSS, RssAnon, RssFile, RssShmem, VmHWM in MiB. */
  static Map<String, Double> memory(long pid) throws IOException {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String k = line.substring(0, colon);
      if (List.of("VmRSS", "RssAnon", "RssFile", "RssShmem", "VmHWM").contains(k)) {
        m.put(k, Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0);
      }
    }
    return m;
  }

  /** Loaded classes per library, from {@code jcmd <pid> VM.class_hierarchy}. */
  static Map<String, Integer> classes(long pid) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("jcmd", Long.toString(pid), "VM.class_hierarchy")
            .redirectErrorStream(true)
            .start();
    List<String> out = new String(p.getInputStream().readAllBytes()).lines().toList();
    p.waitFor();
    Map<String, Integer> byLib = new TreeMap<>();
    for (String line : out) {
      String s = line.replaceFirst("^[|\\s-]*", "");
      int slash = s.indexOf('/');
      if (slash <= 0 || s.contains(" ") && s.indexOf(' ') < slash) {
        continue;
      }
      byLib.merge(library(s.substring(0, slash)), 1, Integer::sum);
    }
    if (byLib.isEmpty()) {
      throw new IllegalStateException("jcmd VM.class_hierarchy gave nothing: " + out);
    }
    return byLib;
  }

  /** The library a class belongs to, by its package. */
  static String library(String cls) {
    String[][] map = {
      {"io.jflannel.", "jflannel"},
      {"io.etcd.", "jetcd"},
      {"io.grpc.", "grpc"},
      {"io.netty.", "netty"},
      {"io.vertx.", "vertx"},
      {"io.fabric8.", "fabric8"},
      {"com.fasterxml.jackson.", "jackson"},
      {"org.yaml.", "snakeyaml"},
      {"org.snakeyaml.", "snakeyaml"},
      {"com.google.protobuf.", "protobuf"},
      {"com.google.common.", "guava"},
      {"com.google.", "google-other"},
      {"ch.qos.logback.", "logback"},
      {"org.slf4j.", "slf4j"},
      {"io.prometheus.", "prometheus"},
      {"jnr.", "jnr"},
      {"com.kenai.jffi.", "jffi"},
      {"org.objectweb.asm.", "asm"},
      {"picocli.", "picocli"},
      {"dev.failsafe.", "failsafe"},
      {"io.perfmark.", "perfmark"},
      {"java.lang.invoke.", "jdk-invoke"},
      {"java.", "jdk"},
      {"javax.", "jdk"},
      {"jdk.", "jdk"},
      {"sun.", "jdk"},
      {"com.sun.", "jdk"},
    };
    for (String[] m : map) {
      if (cls.startsWith(m[0])) {
        return m[1];
      }
    }
    return "other";
  }

  private static void nmt(long pid) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("jcmd", Long.toString(pid), "VM.native_memory", "summary", "scale=KB")
            .redirectErrorStream(true)
            .start();
    List<String> out = new String(p.getInputStream().readAllBytes()).lines().toList();
    p.waitFor();
    System.out.println("NMT summary (jcmd VM.native_memory summary, KB):");
    out.stream()
        .filter(l -> l.startsWith("Total") || l.matches("^-\\s+\\S.*\\(reserved=.*"))
        .forEach(l -> System.out.println("  " + l.strip()));
  }

  /** {@code count} new leases put one at a time; put returned → route in the kernel. */
  private static Stats events(Context ctx, Case c, KernelView kv, int count) throws Exception {
    java.util.Random gaps = new java.util.Random(42);
    double[] lat = new double[count];
    for (int i = 0; i < count; i++) {
      Peer p = new Peer(60_001 + i);
      if (c.kube()) {
        kube.create(p, c.backend());
      } else {
        ctx.etcd().put(p, c.backend());
      }
      long t1 = System.nanoTime();
      long limit = t1 + TimeUnit.SECONDS.toNanos(10);
      while (!kv.hasRoute(p.probe())) {
        if (System.nanoTime() > limit) {
          throw new IllegalStateException("no route for " + p.subnet() + " 10 s after its put");
        }
        LockSupport.parkNanos(200_000);
      }
      lat[i] = (System.nanoTime() - t1) / 1e6;
      TimeUnit.MILLISECONDS.sleep(20 + gaps.nextInt(41));
    }
    System.out.println(
        "event latencies in order, ms: "
            + java.util.Arrays.stream(lat)
                .mapToObj(v -> String.format(Locale.ROOT, "%.1f", v))
                .collect(Collectors.joining(" ")));
    return Stats.of(lat);
  }

  record Restart(int flannelEvents, int allEvents, List<Double> passMs, double processMsPerPass) {
    double threadMedianMs() {
      List<Double> s = passMs.stream().sorted().toList();
      return s.isEmpty() ? Double.NaN : s.get((s.size() - 1) / 2);
    }
  }

  /**
   * The daemon is dead (kill -9); starts the kernel monitors, restarts it with {@code
   * --resync-period=1}, waits for {@code passes} reconcile passes to end, stops everything.
   */
  private static Restart restart(
      Context ctx,
      Case c,
      String host,
      KernelView kv,
      String tag,
      int passes,
      Map<String, String> env,
      long timeoutSeconds)
      throws Exception {
    Path ipOut = ctx.work().resolve("restart-" + tag + "-ip-monitor.log");
    Path brOut = ctx.work().resolve("restart-" + tag + "-bridge-monitor.log");
    Process ipMon =
        new ProcessBuilder("ip", "-n", host, "-ts", "monitor", "route", "neigh", "nexthop")
            .redirectErrorStream(true)
            .redirectOutput(ipOut.toFile())
            .start();
    Process brMon =
        new ProcessBuilder("bridge", "-n", host, "-timestamp", "monitor", "fdb")
            .redirectErrorStream(true)
            .redirectOutput(brOut.toFile())
            .start();
    List<Double> passMs = new ArrayList<>();
    double processPerPass;
    try {
      TimeUnit.MILLISECONDS.sleep(300); // the monitors have subscribed
      canaries(host, c.backend().equals("vxlan"));
      Path log2 = ctx.work().resolve("restart-" + tag + ".log");
      try (Flanneld d =
          Flanneld.start(
              ctx.flanneld(), host, args(ctx, c, host, List.of("--resync-period=1")), log2, env)) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        Optional<Path> tid = Optional.empty();
        while (tid.isEmpty()) {
          alive(d, deadline, log2);
          TimeUnit.MILLISECONDS.sleep(20);
          tid = thread(d.pid(), "reconcile");
        }
        // Until the watch's listing has been handed over, a pass may wait for the feed's lock
        // (which would split it in two bursts): passes are timed from then on; the first burst
        // seen may have begun before, and is not counted.
        // etcd: "lease watch of ...: N peers"; kube: "node list synced at resourceVersion ..."
        String handedOver = c.kube() ? "node list synced" : "lease watch of ";
        while (!Files.readString(log2).contains(handedOver)) {
          alive(d, deadline, log2);
          TimeUnit.MILLISECONDS.sleep(50);
        }
        TimeUnit.MILLISECONDS.sleep(1500);
        // bursts of the reconcile thread's run time: a pass; a pause of 300 ms ends one
        long runtime = runtimeNs(tid.get());
        long lastChange = System.nanoTime();
        long burstStart = -1;
        long cpuAfterFirst = -1;
        int seen = 0;
        while (seen < passes) {
          alive(d, deadline, log2);
          TimeUnit.MILLISECONDS.sleep(5);
          long now = runtimeNs(tid.get());
          if (now != runtime) {
            if (burstStart < 0) {
              burstStart = runtime;
            }
            runtime = now;
            lastChange = System.nanoTime();
          } else if (burstStart >= 0 && System.nanoTime() - lastChange > 300_000_000L) {
            passMs.add((runtime - burstStart) / 1e6);
            burstStart = -1;
            seen++;
            if (seen == 1) {
              cpuAfterFirst = d.cpuMillis();
            }
          }
        }
        // the first pass also found the kernel as the killed daemon left it (and ran beside the
        // start-up's JIT work): the cost of a pass with nothing to repair is that of the later ones
        processPerPass = (double) (d.cpuMillis() - cpuAfterFirst) / (passes - 1);
        DaemonLog log = DaemonLog.read(log2);
        log.first(DaemonLog.message("reconcile: writing"))
            .ifPresent(l -> System.out.println("  restarted daemon wrote: " + l.message()));
        if (!Convergence.complete(kv, c.convergence())) {
          throw new IllegalStateException("peers missing after the restart; see " + log2);
        }
      }
    } finally {
      ipMon.destroy();
      brMon.destroy();
      ipMon.waitFor();
      brMon.waitFor();
    }
    List<String> ev = new ArrayList<>(Files.readAllLines(ipOut));
    ev.addAll(Files.readAllLines(brOut));
    // (ip monitor's complaint about a peer namespace that no longer exists is not an event)
    ev.removeIf(l -> l.isBlank() || l.startsWith("Timestamp:") || l.startsWith("Error: "));
    // the monitors saw the harness's own changes (so they were listening); those are not counted
    long seen = ev.stream().filter(l -> l.contains(CANARY)).count();
    long want = c.backend().equals("vxlan") ? 4 : 2;
    if (seen < want) {
      throw new IllegalStateException(
          "the kernel monitors recorded "
              + seen
              + " of the "
              + want
              + " canary events; see "
              + ipOut);
    }
    ev.removeIf(l -> l.contains(CANARY));
    List<String> flannel =
        ev.stream()
            .map(l -> l.replaceFirst("^\\[[^]]*\\]\\s*", ""))
            .filter(
                l ->
                    l.contains("flannel")
                        || l.matches("^(Deleted )?10\\..*")
                        || l.contains("nhid")
                        || l.matches("^(Deleted )?id \\d+.*"))
            .toList();
    flannel.stream().limit(5).forEach(l -> System.out.println("  kernel event: " + l));
    ev.stream()
        .filter(l -> flannel.stream().noneMatch(l::endsWith))
        .limit(3)
        .forEach(l -> System.out.println("  other kernel event: " + l));
    return new Restart(flannel.size(), ev.size(), passMs.subList(1, passMs.size()), processPerPass);
  }

  /** The address of the harness's canary route and FDB entry (TEST-NET-3). */
  private static final String CANARY = "203.0.113.";

  /**
   * Changes the host namespace's kernel state and back (a route; for vxlan an FDB entry on
   * flannel.1), before the restart: the monitors must see these, which shows they are listening.
   */
  private static void canaries(String host, boolean vxlan) throws Exception {
    List<List<String>> cmds = new ArrayList<>();
    cmds.add(List.of("ip", "-n", host, "route", "add", CANARY + "0/24", "dev", "eth0"));
    cmds.add(List.of("ip", "-n", host, "route", "del", CANARY + "0/24", "dev", "eth0"));
    if (vxlan) {
      String fdb = "00:00:00:00:00:00";
      cmds.add(
          List.of(
              "bridge", "-n", host, "fdb", "append", fdb, "dev", "flannel.1", "dst", CANARY + "9"));
      cmds.add(
          List.of(
              "bridge", "-n", host, "fdb", "del", fdb, "dev", "flannel.1", "dst", CANARY + "9"));
    }
    for (List<String> cmd : cmds) {
      if (new ProcessBuilder(cmd).inheritIO().start().waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed");
      }
    }
    TimeUnit.MILLISECONDS.sleep(100);
  }

  /** The task directory of the first thread named {@code name}. */
  static Optional<Path> thread(long pid, String name) throws IOException {
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          if (Files.readString(t.resolve("comm")).strip().equals(name)) {
            return Optional.of(t);
          }
        } catch (IOException e) {
          // the thread ended meanwhile
        }
      }
    }
    return Optional.empty();
  }

  /** A thread's time on the CPU so far, in ns (first field of its {@code schedstat}). */
  static long runtimeNs(Path task) throws IOException {
    String s = Files.readString(task.resolve("schedstat")).strip();
    return Long.parseLong(s.substring(0, s.indexOf(' ')));
  }

  private static String f0(double v) {
    return String.format(Locale.ROOT, "%.0f", v);
  }

  private static String f1(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
