package io.jflannel.daemon.metrics;

import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.metrics.MetricSink;
import io.jflannel.core.subnet.LeaseListener;
import io.jflannel.core.subnet.LeaseWatch;
import io.jflannel.core.subnet.NodeRecord;
import io.jflannel.core.subnet.SubnetManager;
import java.util.List;
import java.util.function.Consumer;

/** A subnet manager whose peer set the test sets; only what {@code LeaseFeed} uses works. */
final class FakeManager implements SubnetManager {
  private volatile List<Lease> peers = List.of();

  void peers(Lease... leases) {
    peers = List.of(leases);
  }

  @Override
  public String name() {
    return "fake";
  }

  /** What {@link #declareMetrics} exports as {@code flannel_fake_renewals_total}. */
  volatile long renewals;

  @Override
  public NodeRecord nodeRecord() {
    return NodeRecord.EMPTY;
  }

  @Override
  public void declareMetrics(MetricSink sink) {
    sink.counter("flannel_fake_renewals_total", "renewals", () -> renewals);
  }

  @Override
  public NetworkConfig networkConfig() {
    throw new UnsupportedOperationException("not used by the metrics tests");
  }

  @Override
  public Lease acquireLease(LeaseAttrs attrs) {
    throw new UnsupportedOperationException("not used by the metrics tests");
  }

  @Override
  public void completeLease(Lease lease, Consumer<Lease> onLost) {}

  @Override
  public LeaseWatch watchLeases(LeaseListener listener) {
    throw new UnsupportedOperationException("not used by the metrics tests");
  }

  @Override
  public List<Lease> currentLeases() {
    return peers;
  }

  @Override
  public void close() {}
}
