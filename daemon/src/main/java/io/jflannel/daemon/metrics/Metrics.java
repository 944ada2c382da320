package io.jflannel.daemon.metrics;

import com.sun.net.httpserver.HttpExchange;
import io.jflannel.core.backend.Network;
import io.jflannel.core.backend.NetworkStats;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.metrics.MetricSink;
import io.jflannel.core.subnet.LeaseListener;
import io.jflannel.core.subnet.SubnetManager;
import io.jflannel.daemon.Main;
import io.jflannel.daemon.health.HealthServer;
import io.jflannel.daemon.run.LeaseFeed;
import io.jflannel.netlink.NetlinkStats;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * flanneld's Prometheus metrics, served as text (format 0.0.4) at {@code /metrics} on the health
 * port. Upstream flannel has none; the names are ours, all prefixed {@code flannel_}.
 *
 * <p>Use, in the daemon's start-up order:
 *
 * <pre>{@code
 * Metrics metrics = Metrics.register(health);           // health: Optional<HealthServer>
 * network = own(metrics.instrument(factory.type(), backend.register(lease)));
 * metrics.lease(manager, factory.type(), lease);
 * LeaseFeed feed = own(new LeaseFeed(manager, network));
 * own(manager.watchLeases(metrics.feed(feed))::close);
 * }</pre>
 *
 * <p>What is exported, and from where:
 *
 * <ul>
 *   <li>{@code flannel_build_info{version}}; {@code process_resident_memory_bytes}.
 *   <li>{@code flannel_netlink_requests_total{object,op}} and {@code
 *       flannel_netlink_refused_total{object,op}}: every rtnetlink request of the process ({@link
 *       NetlinkStats}: route, neighbour, fdb, nexthop, link, address; add, replace, append, delete,
 *       get, dump).
 *   <li>{@code flannel_lease_info{subnet,ipv6_subnet,public_ip,public_ipv6,backend,manager}}: the
 *       lease this node holds ({@link #lease}).
 *   <li>{@code flannel_peers}, {@code flannel_lease_events_total{type}}, {@code
 *       flannel_backend_failures_total{backend,op}}, {@code flannel_reconcile_duration_seconds},
 *       {@code flannel_reconcile_repairs_total{backend}} and, if the backend counts them ({@link
 *       NetworkStats}), {@code flannel_netlink_writes_total{backend}}: from the network {@link
 *       #instrument} wraps.
 *   <li>{@code flannel_event_lag_seconds}: per batch of lease events, from its arrival at the
 *       {@link LeaseFeed} to the backend having applied it (waiting for a running reconcile
 *       included); {@code flannel_reconcile_runs_total}: completed reconcile passes ({@link
 *       #feed}).
 *   <li>Whatever the network and the subnet manager declare themselves ({@link
 *       io.jflannel.core.metrics.MetricSource}), on this class's {@link MetricSink}: the udp
 *       backend its packet counters, the kube manager its Node watch, the etcd manager its lease
 *       renewals. Nothing is inferred from names.
 * </ul>
 *
 * <p>Counters the backend keeps are read at scrape time through callbacks, so nothing is copied on
 * the hot path. A {@linkplain #disabled disabled} instance (no health port) does nothing and
 * returns what it is given, so the daemon needs no branches.
 *
 * <p>Thread-safety: all methods may be called from any thread; each of {@link #instrument}, {@link
 * #lease} and {@link #feed} is called once per instance (a second call throws {@link
 * IllegalStateException}: the names are taken).
 */
public final class Metrics {
  private static final Logger log = LoggerFactory.getLogger(Metrics.class);

  /** Where the metrics are served on the health port. */
  public static final String PATH = "/metrics";

  private static final double[] LAG_BUCKETS = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };
  private static final double[] RECONCILE_BUCKETS = {
    0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
  };

  private final PrometheusRegistry registry;
  private final PrometheusTextFormatWriter writer;
  private final Histogram eventLag;
  private final Histogram reconcileDuration;
  private final Set<String> done = ConcurrentHashMap.newKeySet();
  private final MetricSink sink = new Sink();

  private Metrics(PrometheusRegistry registry) {
    this.registry = registry;
    this.writer = registry == null ? null : PrometheusTextFormatWriter.create();
    if (registry == null) {
      eventLag = null;
      reconcileDuration = null;
      return;
    }
    Info build =
        Info.builder()
            .name("flannel_build_info")
            .help("jflannel's version")
            .labelNames("version")
            .register(registry);
    build.setLabelValues(Main.version());
    GaugeWithCallback.builder()
        .name("process_resident_memory_bytes")
        .help("resident set size of the flanneld process (VmRSS)")
        .unit(Unit.BYTES)
        .callback(cb -> ProcStatus.bytes("VmRSS").ifPresent(v -> cb.call(v)))
        .register(registry);
    NetlinkStats netlink = NetlinkStats.global();
    CounterWithCallback.builder()
        .name("flannel_netlink_requests_total")
        .help("rtnetlink requests sent by this process, by object and operation")
        .labelNames("object", "op")
        .callback(cb -> netlink.counts().forEach(c -> cb.call(c.requests(), c.object(), c.op())))
        .register(registry);
    CounterWithCallback.builder()
        .name("flannel_netlink_refused_total")
        .help("rtnetlink requests the kernel answered with an error, by object and operation")
        .labelNames("object", "op")
        .callback(cb -> netlink.counts().forEach(c -> cb.call(c.refused(), c.object(), c.op())))
        .register(registry);
    eventLag =
        Histogram.builder()
            .name("flannel_event_lag_seconds")
            .help(
                "time from a batch of lease events reaching the lease feed to the backend having"
                    + " applied it")
            .unit(Unit.SECONDS)
            .classicOnly()
            .classicUpperBounds(LAG_BUCKETS)
            .withoutExemplars()
            .register(registry);
    reconcileDuration =
        Histogram.builder()
            .name("flannel_reconcile_duration_seconds")
            .help("duration of the backend's reconcile of kernel state against all peer leases")
            .unit(Unit.SECONDS)
            .classicOnly()
            .classicUpperBounds(RECONCILE_BUCKETS)
            .withoutExemplars()
            .register(registry);
  }

  /**
   * Metrics served at {@link #PATH} on {@code health}, or a {@linkplain #disabled disabled}
   * instance when the health server is off ({@code --healthz-port=0}).
   */
  public static Metrics register(Optional<HealthServer> health) {
    return health.map(Metrics::register).orElseGet(Metrics::disabled);
  }

  /** Metrics served at {@link #PATH} on {@code health}. */
  public static Metrics register(HealthServer health) {
    Metrics m = create();
    health.addHandler(PATH, m::serve);
    return m;
  }

  /** Metrics with their own registry, served nowhere; see {@link #scrape}. */
  public static Metrics create() {
    return new Metrics(new PrometheusRegistry());
  }

  /** Metrics that record nothing and pass everything through unchanged. */
  public static Metrics disabled() {
    return new Metrics(null);
  }

  /** Whether this instance records anything. */
  public boolean enabled() {
    return registry != null;
  }

  /**
   * Wraps the backend's network so that what goes through it is counted; the daemon uses the
   * returned network in its place (to feed, run and close). Disabled: returns {@code network}.
   *
   * @param backend the backend's registered type ({@code vxlan}, {@code host-gw}, {@code udp}): the
   *     {@code backend} label and the {@code flannel_<backend>_} prefix of its packet counters. Not
   *     the type the lease advertises, which is empty for udp, as upstream's
   */
  public Network instrument(String backend, Network network) {
    if (registry == null) {
      return network;
    }
    once("instrument");
    MeteredNetwork m = new MeteredNetwork(network, reconcileDuration::observe);
    GaugeWithCallback.builder()
        .name("flannel_peers")
        .help("peer leases the backend was last told about (this node's own excluded)")
        .callback(cb -> cb.call(m.peers()))
        .register(registry);
    CounterWithCallback.builder()
        .name("flannel_lease_events_total")
        .help("peer lease events handed to the backend, by type")
        .labelNames("type")
        .callback(
            cb -> {
              cb.call(m.added(), "added");
              cb.call(m.removed(), "removed");
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("flannel_backend_failures_total")
        .help(
            "batches the backend could not apply at all (handle: lease events; reconcile: a full"
                + " pass); the next reconcile retries")
        .labelNames("backend", "op")
        .callback(
            cb -> {
              cb.call(m.handleFailures(), backend, "handle");
              cb.call(m.reconcileFailures(), backend, "reconcile");
            })
        .register(registry);
    if (m.countsWrites()) {
      CounterWithCallback.builder()
          .name("flannel_netlink_writes_total")
          .help("kernel write requests (replace/delete of routes, ARP, FDB, nexthops) sent")
          .labelNames("backend")
          .callback(cb -> known(m.writes()).ifPresent(v -> cb.call(v, backend)))
          .register(registry);
      CounterWithCallback.builder()
          .name("flannel_reconcile_repairs_total")
          .help("kernel writes made by reconcile passes, i.e. entries that had drifted")
          .labelNames("backend")
          .callback(cb -> cb.call(m.repairs(), backend))
          .register(registry);
    }
    network.declareMetrics(sink);
    return m;
  }

  /**
   * Publishes the lease this node holds as {@code flannel_lease_info} (labelled with {@code
   * backend}, the backend's registered name: upstream's udp lease carries an empty type), and the
   * subnet manager's own state (kube: the node watch).
   */
  public void lease(SubnetManager manager, String backend, Lease lease) {
    if (registry == null) {
      return;
    }
    once("lease");
    Info info =
        Info.builder()
            .name("flannel_lease_info")
            .help("the subnet lease this node holds, as labels; 1 while held")
            .labelNames("subnet", "ipv6_subnet", "public_ip", "public_ipv6", "backend", "manager")
            .register(registry);
    info.setLabelValues(
        text(lease.subnet()),
        text(lease.ipv6Subnet()),
        text(lease.attrs().publicIp()),
        text(lease.attrs().publicIpv6()),
        backend,
        manager.name());
    manager.declareMetrics(sink);
  }

  /**
   * Counts {@code feed}'s reconcile passes and returns the listener to give {@link
   * SubnetManager#watchLeases}: {@code feed}, timed for {@code flannel_event_lag_seconds}.
   * Disabled: returns {@code feed}.
   */
  public LeaseListener feed(LeaseFeed feed) {
    if (registry == null) {
      return feed;
    }
    once("feed");
    CounterWithCallback.builder()
        .name("flannel_reconcile_runs_total")
        .help("completed level-triggered reconcile passes")
        .callback(cb -> cb.call(feed.reconciles()))
        .register(registry);
    return events -> {
      long start = System.nanoTime();
      try {
        feed.onEvents(events);
      } finally {
        eventLag.observe((System.nanoTime() - start) / 1e9);
      }
    };
  }

  /** The current metrics in the text format, as {@link #PATH} serves them. Disabled: empty. */
  public String scrape() {
    if (registry == null) {
      return "";
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private void serve(HttpExchange ex) throws IOException {
    byte[] body;
    try {
      body = scrape().getBytes(StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      log.warn("metrics scrape failed: {}", e.toString());
      HealthServer.reply(ex, 500, "metrics scrape failed: " + e);
      return;
    }
    ex.getResponseHeaders().set("Content-Type", writer.getContentType());
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.sendResponseHeaders(200, -1);
      return;
    }
    ex.sendResponseHeaders(200, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  /** Components' own families, registered with the Prometheus client as callbacks. */
  private final class Sink implements MetricSink {
    @Override
    public void counter(String name, String help, LongSupplier value) {
      CounterWithCallback.builder()
          .name(name)
          .help(help)
          .callback(cb -> cb.call(value.getAsLong()))
          .register(registry);
    }

    @Override
    public void counter(String name, String help, String label, Map<String, LongSupplier> values) {
      Map<String, LongSupplier> fixed = new LinkedHashMap<>(values);
      CounterWithCallback.builder()
          .name(name)
          .help(help)
          .labelNames(label)
          .callback(cb -> fixed.forEach((v, read) -> cb.call(read.getAsLong(), v)))
          .register(registry);
    }

    @Override
    public void gauge(String name, String help, DoubleSupplier value) {
      GaugeWithCallback.builder()
          .name(name)
          .help(help)
          .callback(cb -> cb.call(value.getAsDouble()))
          .register(registry);
    }
  }

  private void once(String method) {
    if (!done.add(method)) {
      throw new IllegalStateException(
          "Metrics." + method + " was already called: its metric names are taken");
    }
  }

  private static Optional<Long> known(long v) {
    return v == MeteredNetwork.UNKNOWN ? Optional.empty() : Optional.of(v);
  }

  private static String text(Object o) {
    return o == null ? "" : o.toString();
  }
}
