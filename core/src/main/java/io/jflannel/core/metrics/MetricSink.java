package io.jflannel.core.metrics;

import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Where a component declares the metric families it owns. The daemon's implementation exports them
 * as Prometheus text at {@code /metrics}; without a health port nothing is declared.
 *
 * <p>Values are read through the suppliers at scrape time, on the scraping thread, so a supplier
 * must be cheap and must not block (read a counter, not the kernel). Names follow Prometheus
 * conventions ({@code flannel_} prefix, {@code _total} for counters, base units) and are the
 * declaring component's to choose; declaring a name twice is a programming error.
 */
public interface MetricSink {

  /** A counter without labels. */
  void counter(String name, String help, LongSupplier value);

  /**
   * A counter family with one label whose values are known when it is declared, e.g. {@code
   * flannel_udp_packets_total{direction="sent"|"received"}}.
   *
   * @param values the value of each label value, in the order they are exported
   */
  void counter(String name, String help, String label, Map<String, LongSupplier> values);

  /** A gauge without labels. */
  void gauge(String name, String help, DoubleSupplier value);
}
