package io.jflannel.daemon.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * Percentiles of a sample by the nearest-rank method: p99 of 200 values is the 198th smallest (the
 * third largest).
 */
record Stats(int count, double min, double p50, double p90, double p99, double max) {
  static Stats of(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return new Stats(v.length, v[0], rank(v, 50), rank(v, 90), rank(v, 99), v[v.length - 1]);
  }

  private static double rank(double[] sorted, int p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  /** {@code p50 | p90 | p99 | max}, for a Markdown table. */
  String row() {
    return String.format(Locale.ROOT, "%.1f | %.1f | %.1f | %.1f", p50, p90, p99, max);
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "n=%d min %.2f, p50 %.2f, p90 %.2f, p99 %.2f, max %.2f",
        count,
        min,
        p50,
        p90,
        p99,
        max);
  }
}
