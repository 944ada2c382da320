/**
 * Prometheus metrics of flanneld ({@link io.jflannel.daemon.metrics.Metrics}), served at {@code
 * /metrics} on the health port: the lease held, peers, lease events and their lag, reconcile passes
 * and repairs, and the backend's own counters (kernel writes; udp packets) when its network
 * implements {@link io.jflannel.core.backend.NetworkStats}.
 *
 * <p>Everything is read at scrape time through callbacks or counted by a {@link
 * io.jflannel.core.backend.Network} decorator, so neither the backends nor the subnet managers
 * depend on a metrics library.
 */
package io.jflannel.daemon.metrics;
