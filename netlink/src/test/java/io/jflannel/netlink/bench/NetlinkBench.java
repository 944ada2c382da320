package io.jflannel.netlink.bench;

import io.jflannel.netlink.Netlink;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Request;
import io.jflannel.netlink.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Measures how fast the netlink binding programs flannel's per-peer kernel objects (routes, ARP
 * entries, FDB entries, nexthop objects with their routes), one call per object and as one {@link
 * Netlink#batch}, against {@code ip -batch} / {@code bridge -batch} files of the same objects: in
 * one network namespace, in one run, add and delete.
 *
 * <p>Every phase starts from a clean namespace and is checked by dumping through the binding: after
 * an add exactly the {@code n} objects written must exist (with the attributes written), after a
 * delete none of them; otherwise the run fails. Each (kind, operation, method) is repeated {@code
 * --reps} times in a rotating order; the first repetition in the fresh JVM is reported as "cold",
 * the median of the others as "warm". The {@code ip}/{@code bridge} figures are wall time of the
 * whole process (fork/exec, namespace switch, parsing the file), timed from here; the cost of an
 * empty batch is measured too, and the report also gives the ratio against the tool's time minus
 * that cost (as if starting the process were free).
 *
 * <p>Run by {@code scripts/bench-netlink} as root against a namespace prepared by it (a {@code
 * ext0} veth and a {@code flannel.1} vxlan device); not a test, so the test runners never pick it
 * up. Usage: {@code NetlinkBench --netns=NAME [--n=10000] [--reps=5]
 * [--kinds=route,neigh,fdb,nhroute] [--probe=neigh,fdb] [--dir=DIR]} ({@code --probe}: {@link
 * BatchProbe} afterwards; {@code --dir}: where to write the batch files, left in place, else a
 * temporary directory that is removed at the end).
 */
public final class NetlinkBench {
  enum Method {
    EACH("binding one-by-one"),
    BATCH("binding batched"),
    TOOL("ip/bridge -batch");

    final String label;

    Method(String label) {
      this.label = label;
    }
  }

  enum Op {
    ADD,
    DEL
  }

  private static final String USAGE =
      "usage: NetlinkBench --netns=NAME [--n=10000] [--reps=5] [--kinds=route,neigh,fdb,nhroute]"
          + " [--probe=KIND,...] [--dir=SCRATCH_DIR]";

  private final String netns;
  private final Netlink nl;
  private final Path dir;
  private final Map<Workload, Map<Op, Map<Method, List<Double>>>> samples = new LinkedHashMap<>();
  private final Map<Workload, Map<Op, List<Double>>> encodeMs = new LinkedHashMap<>();

  private NetlinkBench(String netns, Netlink nl, Path dir) {
    this.netns = netns;
    this.nl = nl;
    this.dir = dir;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new LinkedHashMap<>();
    opt.put("netns", "");
    opt.put("n", "10000");
    opt.put("reps", "5");
    opt.put("kinds", "route,neigh,fdb,nhroute");
    opt.put("probe", "");
    opt.put("dir", "");
    for (String a : args) {
      int eq = a.indexOf('=');
      String key = a.startsWith("--") && eq > 2 ? a.substring(2, eq) : "";
      if (!opt.containsKey(key)) {
        throw new IllegalArgumentException("bad argument " + a + "; " + USAGE);
      }
      opt.put(key, a.substring(eq + 1));
    }
    String netns = opt.get("netns");
    if (netns.isEmpty()) {
      throw new IllegalArgumentException("--netns is required; " + USAGE);
    }
    int n = Integer.parseInt(opt.get("n"));
    int reps = Integer.parseInt(opt.get("reps"));
    boolean ownDir = opt.get("dir").isEmpty();
    Path dir = ownDir ? Files.createTempDirectory("jfl-bench-") : Path.of(opt.get("dir"));
    try (Netlink nl = Netlink.openInNamespace(netns)) {
      int flannel = nl.links().get("flannel.1").index();
      int ext = nl.links().get("ext0").index();
      Map<String, Workload> workloads = new LinkedHashMap<>();
      for (String kind : opt.get("kinds").split(",")) {
        workloads.put(
            kind,
            switch (kind) {
              case "route" -> new RouteWorkload(n, flannel);
              case "neigh" -> new NeighbourWorkload(n, flannel);
              case "fdb" -> new FdbWorkload(n, flannel);
              case "nhroute" -> new NexthopRouteWorkload(n, ext);
              default -> throw new IllegalArgumentException("unknown kind " + kind + "; " + USAGE);
            });
      }
      new NetlinkBench(netns, nl, dir).run(List.copyOf(workloads.values()), reps);
      if (!opt.get("probe").isEmpty()) {
        List<Workload> probed = new ArrayList<>();
        for (String kind : opt.get("probe").split(",")) {
          probed.add(workloads.get(kind));
        }
        BatchProbe.run(nl, netns, probed);
      }
    } finally {
      if (ownDir) {
        try (var files = Files.list(dir)) {
          for (Path p : files.toList()) {
            Files.delete(p);
          }
        }
        Files.delete(dir);
      }
    }
  }

  private void run(List<Workload> workloads, int reps) throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.batch"), "");
    List<Double> start = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      start.add(tool("ip", empty));
    }
    double ipStart = median(start);
    System.out.printf(
        Locale.ROOT,
        "namespace %s, %d entries per kind, %d repetitions; `ip -n %s -batch <empty file>`"
            + " takes %.1f ms (process start and exit, included in every ip/bridge figure)%n",
        netns,
        workloads.get(0).n,
        reps,
        netns,
        ipStart);
    for (Workload w : workloads) {
      Path add = Files.writeString(dir.resolve(w.tool() + "-add.batch"), w.addBatch());
      Path del = Files.writeString(dir.resolve(w.tool() + "-del.batch"), w.deleteBatch());
      expect(nl, w, 0, "before the first phase");
      Method[] order = Method.values();
      for (int rep = 1; rep <= reps; rep++) {
        for (int i = 0; i < order.length; i++) {
          Method m = order[(i + rep - 1) % order.length];
          double a = phase(w, m, Op.ADD, add);
          expect(nl, w, w.ops(), "after " + m.label + " add");
          double d = phase(w, m, Op.DEL, del);
          expect(nl, w, 0, "after " + m.label + " delete");
          record(w, Op.ADD, m, a);
          record(w, Op.DEL, m, d);
          System.out.printf(
              Locale.ROOT,
              "  %-14s rep %d %-19s add %9.1f ms  del %9.1f ms  (verified %d then 0)%n",
              w.name(),
              rep,
              m.label,
              a,
              d,
              w.ops());
        }
      }
    }
    System.out.println();
    Report report = new Report(samples, encodeMs, ipStart);
    report.print(false);
    if (reps > 1) {
      report.print(true);
    }
    report.printPairs();
  }

  private void record(Workload w, Op op, Method m, double ms) {
    samples
        .computeIfAbsent(w, k -> new EnumMap<>(Op.class))
        .computeIfAbsent(op, k -> new EnumMap<>(Method.class))
        .computeIfAbsent(m, k -> new ArrayList<>())
        .add(ms);
  }

  /** Runs one timed phase and returns its wall time in milliseconds. */
  private double phase(Workload w, Method m, Op op, Path file) throws Exception {
    long t0 = System.nanoTime();
    switch (m) {
      case EACH -> {
        if (op == Op.ADD) {
          w.addEach(nl);
        } else {
          w.deleteEach(nl);
        }
      }
      case BATCH -> {
        List<Request> requests = op == Op.ADD ? w.addRequests(nl) : w.deleteRequests(nl);
        long t1 = System.nanoTime();
        List<Result> results = nl.batch(requests);
        int failed = 0;
        Result first = null;
        for (Result r : results) {
          if (!r.ok()) {
            failed++;
            first = first == null ? r : first;
          }
        }
        if (failed > 0) {
          throw new IllegalStateException(
              w.name() + " batched " + op + ": " + failed + " requests failed, first: " + first);
        }
        encodeMs
            .computeIfAbsent(w, k -> new EnumMap<>(Op.class))
            .computeIfAbsent(op, k -> new ArrayList<>())
            .add((t1 - t0) / 1e6);
      }
      case TOOL -> {
        return tool(w.tool(), file);
      }
    }
    return (System.nanoTime() - t0) / 1e6;
  }

  /** Wall time of {@code <tool> -n <netns> -batch <file>} in ms; fails on a non-zero exit. */
  private double tool(String tool, Path file) throws IOException, InterruptedException {
    Path err = dir.resolve("stderr");
    ProcessBuilder pb =
        new ProcessBuilder(tool, "-n", netns, "-batch", file.toString())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(err.toFile());
    long t0 = System.nanoTime();
    Process p = pb.start();
    int exit = p.waitFor();
    double ms = (System.nanoTime() - t0) / 1e6;
    if (exit != 0) {
      throw new IllegalStateException(
          tool
              + " -n "
              + netns
              + " -batch "
              + file.getFileName()
              + " exited "
              + exit
              + ": "
              + Files.readString(err, StandardCharsets.UTF_8).strip());
    }
    return ms;
  }

  /** Dumps through the binding; fails unless exactly {@code want} of the objects exist. */
  static void expect(Netlink nl, Workload w, int want, String when) throws NetlinkException {
    Workload.Census c = w.census(nl);
    boolean ok = want == 0 ? c.byKey() == 0 : c.byKey() == want && c.exact() == want;
    if (!ok) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "%s %s: expected %d objects, the kernel has %d (%d exactly as written)",
              w.name(),
              when,
              want,
              c.byKey(),
              c.exact()));
    }
  }

  static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int m = a.length / 2;
    return a.length % 2 == 1 ? a[m] : (a[m - 1] + a[m]) / 2;
  }

  static String fmt(List<Double> xs) {
    return Arrays.toString(xs.stream().mapToDouble(x -> Math.round(x * 10) / 10.0).toArray());
  }
}
