package io.jflannel.daemon.metrics;

import static io.jflannel.daemon.metrics.Exposition.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jflannel.core.backend.Network;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.subnet.LeaseListener;
import io.jflannel.daemon.health.HealthServer;
import io.jflannel.daemon.health.Verdict;
import io.jflannel.daemon.run.LeaseFeed;
import io.jflannel.netlink.Netlink;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetricsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Lease own = lease("10.244.1.0/24", "192.168.0.1");
  private final Lease a = lease("10.244.2.0/24", "192.168.0.2");
  private final Lease b = lease("10.244.3.0/24", "192.168.0.3");
  private final Lease c = lease("10.244.4.0/24", "192.168.0.4");
  private final FakeManager manager = new FakeManager();
  private HealthServer health;
  private LeaseFeed feed;

  @BeforeEach
  void start() throws Exception {
    Verdict ok = new Verdict(true, "ok", List.of());
    health = HealthServer.start("127.0.0.1", 0, () -> ok, () -> ok);
  }

  @AfterEach
  void stop() {
    if (feed != null) {
      feed.close();
    }
    health.close();
  }

  private static Lease lease(String subnet, String publicIp) {
    return lease(subnet, publicIp, "vxlan");
  }

  private static Lease lease(String subnet, String publicIp, String backend) {
    try {
      return new Lease(
          Ip4Net.parse(subnet),
          null,
          new LeaseAttrs(
              Ip4.parse(publicIp),
              null,
              backend,
              JSON.readTree("{\"VNI\":1,\"VtepMAC\":\"0e:00:00:00:00:01\"}"),
              null),
          Instant.parse("2026-11-22T00:00:00Z"),
          0);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<String> request(String method, String path) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + health.address().getPort() + path);
    HttpRequest req =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(5))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    return http.send(req, HttpResponse.BodyHandlers.ofString());
  }

  private Exposition scrape() throws Exception {
    HttpResponse<String> r = request("GET", "/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    return Exposition.parse(r.body());
  }

  /** Wires metrics as the daemon does, around {@code network}; returns the listener to feed. */
  private LeaseListener wire(Metrics metrics, Network backend) {
    Network network = metrics.instrument("vxlan", backend);
    metrics.lease(manager, "vxlan", own);
    feed = new LeaseFeed(manager, network);
    return metrics.feed(feed);
  }

  @Test
  void servesTheLeasePeersEventsAndReconcilesAsPrometheusText() throws Exception {
    FakeNetwork backend = new FakeNetwork(own);
    LeaseListener listener = wire(Metrics.register(health), backend);

    listener.onEvents(List.of(new LeaseEvent.Added(a), new LeaseEvent.Added(b)));
    listener.onEvents(List.of(new LeaseEvent.Removed(b)));
    manager.peers(a, c); // c's event was missed
    backend.drift(a); // and someone deleted a's entries
    feed.reconcileOnce();

    HttpResponse<String> r = request("GET", "/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .contains("text/plain; version=0.0.4; charset=utf-8");
    Exposition e = Exposition.parse(r.body());

    assertThat(e.types)
        .containsEntry("flannel_build_info", "gauge")
        .containsEntry("flannel_lease_info", "gauge")
        .containsEntry("flannel_peers", "gauge")
        .containsEntry("flannel_lease_events_total", "counter")
        .containsEntry("flannel_netlink_writes_total", "counter")
        .containsEntry("flannel_reconcile_runs_total", "counter")
        .containsEntry("flannel_reconcile_repairs_total", "counter")
        .containsEntry("flannel_backend_failures_total", "counter")
        .containsEntry("flannel_event_lag_seconds", "histogram")
        .containsEntry("flannel_reconcile_duration_seconds", "histogram")
        .containsEntry("process_resident_memory_bytes", "gauge");
    assertThat(e.types)
        .doesNotContainKeys("flannel_udp_packets_total", "flannel_lease_renewals_total");

    assertThat(
            e.value(
                key(
                    "flannel_lease_info",
                    "subnet",
                    "10.244.1.0/24",
                    "ipv6_subnet",
                    "",
                    "public_ip",
                    "192.168.0.1",
                    "public_ipv6",
                    "",
                    "backend",
                    "vxlan",
                    "manager",
                    "fake")))
        .isEqualTo(1);
    assertThat(e.value("flannel_peers")).isEqualTo(2);
    assertThat(e.value(key("flannel_lease_events_total", "type", "added"))).isEqualTo(2);
    assertThat(e.value(key("flannel_lease_events_total", "type", "removed"))).isEqualTo(1);
    // events: 3 writes for each of a, b added and b removed; reconcile: a repaired, c added
    assertThat(e.value(key("flannel_netlink_writes_total", "backend", "vxlan"))).isEqualTo(15);
    assertThat(e.value(key("flannel_reconcile_repairs_total", "backend", "vxlan"))).isEqualTo(6);
    assertThat(e.value("flannel_reconcile_runs_total")).isEqualTo(1);
    assertThat(e.value(key("flannel_backend_failures_total", "backend", "vxlan", "op", "handle")))
        .isZero();
    assertThat(e.value("flannel_event_lag_seconds_count")).isEqualTo(2);
    assertThat(e.value(key("flannel_event_lag_seconds_bucket", "le", "+Inf"))).isEqualTo(2);
    assertThat(e.value("flannel_event_lag_seconds_sum")).isPositive().isLessThan(5);
    assertThat(e.value("flannel_reconcile_duration_seconds_count")).isEqualTo(1);
    assertThat(e.value("process_resident_memory_bytes")).isGreaterThan(1 << 20);
    assertThat(e.samples.keySet()).anyMatch(k -> k.startsWith("flannel_build_info{version="));
  }

  @Test
  void countsFailedPassesAndNoRepairsWhenNothingDrifted() throws Exception {
    FakeNetwork backend = new FakeNetwork(own);
    LeaseListener listener = wire(Metrics.register(health), backend);
    listener.onEvents(List.of(new LeaseEvent.Added(a)));
    manager.peers(a);

    feed.reconcileOnce(); // nothing to repair
    backend.failNext();
    feed.reconcileOnce(); // the device is gone: logged by the feed, counted here
    backend.failNext();
    listener.onEvents(List.of(new LeaseEvent.Added(b)));

    Exposition e = scrape();
    assertThat(e.value(key("flannel_reconcile_repairs_total", "backend", "vxlan"))).isZero();
    assertThat(e.value("flannel_reconcile_runs_total")).isEqualTo(1);
    assertThat(
            e.value(key("flannel_backend_failures_total", "backend", "vxlan", "op", "reconcile")))
        .isEqualTo(1);
    assertThat(e.value(key("flannel_backend_failures_total", "backend", "vxlan", "op", "handle")))
        .isEqualTo(1);
    assertThat(e.value("flannel_reconcile_duration_seconds_count")).isEqualTo(2);
    assertThat(e.value("flannel_event_lag_seconds_count")).isEqualTo(2);
    assertThat(e.value("flannel_peers")).isEqualTo(2); // b was handed over, if not applied
  }

  @Test
  void neverCountsTheOwnLeaseAsAPeer() throws Exception {
    LeaseListener listener = wire(Metrics.register(health), new FakeNetwork(own));
    manager.peers(own, a);
    feed.reconcileOnce();
    assertThat(scrape().value("flannel_peers")).isEqualTo(1);
    listener.onEvents(List.of(new LeaseEvent.Added(own)));
    assertThat(scrape().value("flannel_peers")).isEqualTo(1);
  }

  @Test
  void exportsTheProcesssNetlinkRequestsByObjectAndOperation() throws Exception {
    Metrics.register(health);
    try (Netlink nl = Netlink.open()) {
      nl.links().list(); // a link dump: no privileges needed
      nl.links().list();
    }
    Exposition e = scrape();
    assertThat(e.types)
        .containsEntry("flannel_netlink_requests_total", "counter")
        .containsEntry("flannel_netlink_refused_total", "counter");
    // process-wide: other tests in this JVM may have dumped links too
    assertThat(e.value(key("flannel_netlink_requests_total", "object", "link", "op", "dump")))
        .isGreaterThanOrEqualTo(2);
    assertThat(e.value(key("flannel_netlink_refused_total", "object", "link", "op", "dump")))
        .isZero();
  }

  @Test
  void exportsTheFamiliesTheNetworkDeclaresItself() throws Exception {
    FakeNetwork.Declaring backend = new FakeNetwork.Declaring(own);
    Metrics metrics = Metrics.register(health);
    metrics.instrument("udp", backend);
    backend.sent = 10;
    backend.received = 7;
    backend.queued = 2.5;

    Exposition e = scrape();
    assertThat(e.types)
        .containsEntry("flannel_fake_packets_total", "counter")
        .containsEntry("flannel_fake_queued", "gauge");
    assertThat(e.value(key("flannel_fake_packets_total", "direction", "sent"))).isEqualTo(10);
    assertThat(e.value(key("flannel_fake_packets_total", "direction", "received"))).isEqualTo(7);
    assertThat(e.value("flannel_fake_queued")).isEqualTo(2.5);
    backend.sent = 11;
    assertThat(scrape().value(key("flannel_fake_packets_total", "direction", "sent")))
        .as("read at scrape time")
        .isEqualTo(11);
  }

  @Test
  void leavesOutWriteMetricsOfABackendThatDoesNotCountWrites() throws Exception {
    wire(Metrics.register(health), new FakeNetwork.Silent(own));
    Exposition e = scrape();
    assertThat(e.types)
        .containsKeys("flannel_peers", "flannel_backend_failures_total")
        .doesNotContainKeys(
            "flannel_netlink_writes_total",
            "flannel_reconcile_repairs_total",
            "flannel_udp_packets_total");
  }

  @Test
  void exportsTheFamiliesTheSubnetManagerDeclaresWithTheLease() throws Exception {
    Metrics metrics = Metrics.register(health);
    manager.renewals = 4;
    metrics.lease(manager, "vxlan", own);
    Exposition e = scrape();
    assertThat(e.types).containsEntry("flannel_fake_renewals_total", "counter");
    assertThat(e.value("flannel_fake_renewals_total")).isEqualTo(4);
  }

  @Test
  void headGetsHeadersOnlyAndSubPathsAreNotFound() throws Exception {
    Metrics.register(health);
    HttpResponse<String> head = request("HEAD", "/metrics");
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(request("GET", "/metrics/x").statusCode()).isEqualTo(404);
    assertThat(request("GET", "/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void disabledMetricsPassTheNetworkAndTheFeedThroughUntouched() {
    Metrics metrics = Metrics.register(Optional.empty());
    Network backend = new FakeNetwork(own);
    assertThat(metrics.enabled()).isFalse();
    assertThat(metrics.instrument("vxlan", backend)).isSameAs(backend);
    metrics.lease(manager, "vxlan", own);
    feed = new LeaseFeed(manager, backend);
    assertThat(metrics.feed(feed)).isSameAs(feed);
    assertThat(metrics.scrape()).isEmpty();
  }

  @Test
  void aSecondNetworkCannotTakeTheSameNames() {
    Metrics metrics = Metrics.create();
    metrics.instrument("vxlan", new FakeNetwork(own));
    assertThatThrownBy(() -> metrics.instrument("vxlan", new FakeNetwork(own)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void readsMemoryFiguresInBytesFromProcStatus() {
    String status = "Name:\tjava\nVmHWM:\t   81234 kB\nVmRSS:\t   70000 kB\nThreads:\t21\n";
    assertThat(ProcStatus.parse(status, "VmRSS")).contains(70000L * 1024);
    assertThat(ProcStatus.parse(status, "VmHWM")).contains(81234L * 1024);
    assertThat(ProcStatus.parse(status, "VmSwap")).isEmpty();
  }
}
