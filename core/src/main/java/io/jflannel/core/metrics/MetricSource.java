package io.jflannel.core.metrics;

/**
 * A component that owns metric families: it declares them itself, by name, instead of the daemon
 * guessing them. Subnet managers and backend networks are sources; the default declares nothing.
 */
public interface MetricSource {

  /**
   * Declares this component's metric families on {@code sink}. Called at most once, after the
   * component is running, from the daemon's start-up thread.
   */
  default void declareMetrics(MetricSink sink) {}
}
