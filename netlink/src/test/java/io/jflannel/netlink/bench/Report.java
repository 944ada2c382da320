package io.jflannel.netlink.bench;

import io.jflannel.netlink.bench.NetlinkBench.Method;
import io.jflannel.netlink.bench.NetlinkBench.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints the benchmark's tables: per kind and operation, the time and rate of each method and the
 * ratios to {@code ip -batch}, either "cold" (the first repetition in a fresh JVM) or "warm" (the
 * median of the later repetitions).
 */
final class Report {
  private final Map<Workload, Map<Op, Map<Method, List<Double>>>> samples;
  private final Map<Workload, Map<Op, List<Double>>> encodeMs;
  private final double toolStartMs;

  Report(
      Map<Workload, Map<Op, Map<Method, List<Double>>>> samples,
      Map<Workload, Map<Op, List<Double>>> encodeMs,
      double toolStartMs) {
    this.samples = samples;
    this.encodeMs = encodeMs;
    this.toolStartMs = toolStartMs;
  }

  private static double pick(List<Double> xs, boolean warm) {
    return warm && xs.size() > 1 ? NetlinkBench.median(xs.subList(1, xs.size())) : xs.get(0);
  }

  void print(boolean warm) {
    System.out.println(
        warm
            ? "WARM: median of repetitions 2..R (JIT-compiled binding, page-cached ip binary)"
            : "COLD: repetition 1 (the binding's first use of this kind in a fresh JVM)");
    System.out.printf(
        Locale.ROOT,
        "%-14s %-3s %6s | %9s %8s | %9s %8s %7s | %9s %8s | %8s %10s %9s%n",
        "kind",
        "op",
        "ops",
        "1-by-1 ms",
        "ops/s",
        "batch ms",
        "ops/s",
        "enc ms",
        "ip ms",
        "ops/s",
        "batch/ip",
        "b/(ip-start)",
        "1-by-1/ip");
    for (var byWorkload : samples.entrySet()) {
      Workload w = byWorkload.getKey();
      for (var byOp : byWorkload.getValue().entrySet()) {
        Map<Method, List<Double>> s = byOp.getValue();
        double each = pick(s.get(Method.EACH), warm);
        double batch = pick(s.get(Method.BATCH), warm);
        double tool = pick(s.get(Method.TOOL), warm);
        double enc = pick(encodeMs.get(w).get(byOp.getKey()), warm);
        int ops = w.ops();
        System.out.printf(
            Locale.ROOT,
            "%-14s %-3s %6d | %9.1f %8.0f | %9.1f %8.0f %7.1f | %9.1f %8.0f | %8.2f %10.2f %9.2f%n",
            w.name(),
            byOp.getKey().name().toLowerCase(Locale.ROOT),
            ops,
            each,
            ops / each * 1e3,
            batch,
            ops / batch * 1e3,
            enc,
            tool,
            ops / tool * 1e3,
            batch / tool,
            batch / (tool - toolStartMs),
            each / tool);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "(ops: kernel operations, 2 per entry for nexthop+route; enc ms: building the Request"
            + " objects, included in batch ms; ip ms: wall time of the whole `ip`/`bridge -batch`"
            + " process, including its start and exit of ~%.1f ms (an empty batch), which"
            + " b/(ip-start) leaves out of the tool's time)%n%n",
        toolStartMs);
    if (warm) {
      System.out.println("raw samples, ms, in repetition order:");
      for (var byWorkload : samples.entrySet()) {
        for (var byOp : byWorkload.getValue().entrySet()) {
          for (var byMethod : byOp.getValue().entrySet()) {
            System.out.printf(
                Locale.ROOT,
                "  %-14s %-3s %-19s %s%n",
                byWorkload.getKey().name(),
                byOp.getKey().name().toLowerCase(Locale.ROOT),
                byMethod.getKey().label,
                NetlinkBench.fmt(byMethod.getValue()));
          }
        }
      }
      System.out.println();
    }
  }

  /**
   * Compares the batched binding with the tool repetition by repetition (each pair ran back to
   * back, so it shares the machine's load of that moment) and lists every pair the binding lost.
   */
  void printPairs() {
    int pairs = 0;
    double max = 0;
    List<String> lost = new ArrayList<>();
    for (var byWorkload : samples.entrySet()) {
      for (var byOp : byWorkload.getValue().entrySet()) {
        List<Double> batch = byOp.getValue().get(Method.BATCH);
        List<Double> tool = byOp.getValue().get(Method.TOOL);
        for (int i = 0; i < batch.size(); i++) {
          pairs++;
          double r = batch.get(i) / tool.get(i);
          max = Math.max(max, r);
          if (r > 1) {
            lost.add(
                String.format(
                    Locale.ROOT,
                    "%s %s rep %d: %.1f ms vs %.1f ms",
                    byWorkload.getKey().name(),
                    byOp.getKey().name().toLowerCase(Locale.ROOT),
                    i + 1,
                    batch.get(i),
                    tool.get(i)));
          }
        }
      }
    }
    System.out.printf(
        Locale.ROOT,
        "batched binding slower than ip/bridge -batch in %d of %d repetitions (largest ratio"
            + " %.2f)%s%n",
        lost.size(),
        pairs,
        max,
        lost.isEmpty() ? "" : ": " + String.join("; ", lost));
  }
}
