/**
 * The metrics SPI: a {@link io.jflannel.core.metrics.MetricSource} (a subnet manager, a backend
 * network) declares the families it owns on a {@link io.jflannel.core.metrics.MetricSink}, which
 * the daemon implements with the Prometheus client. Components name their own metrics; nothing is
 * inferred from field or counter names.
 */
package io.jflannel.core.metrics;
