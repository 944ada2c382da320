package io.jflannel.daemon.metrics;

import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.Network;
import io.jflannel.core.backend.NetworkStats;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.metrics.MetricSink;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A network that keeps its peers in a map and counts the kernel writes a vxlan network would make:
 * three per peer added, changed or removed (ARP, FDB, route).
 */
public class FakeNetwork implements Network, NetworkStats {
  /** The message of the failure {@link #failNext} arms. */
  public static final String FAILURE = "fake: device flannel.1 is gone";

  private final Lease own;
  private final Map<String, Lease> kernel = new HashMap<>();
  private long writes;
  private boolean failNext;

  public FakeNetwork(Lease own) {
    this.own = own;
  }

  @Override
  public Lease lease() {
    return own;
  }

  @Override
  public int mtu() {
    return 1450;
  }

  @Override
  public synchronized long writes() {
    return writes;
  }

  /** The next handle or reconcile throws, as when the device is gone. */
  public synchronized void failNext() {
    failNext = true;
  }

  /** Someone deletes a peer's entries behind the daemon's back. */
  public synchronized void drift(Lease peer) {
    kernel.remove(peer.subnets());
  }

  @Override
  public synchronized void handle(List<LeaseEvent> events) throws BackendException {
    checkFailure();
    for (LeaseEvent e : events) {
      if (e instanceof LeaseEvent.Added) {
        kernel.put(e.lease().subnets(), e.lease());
      } else {
        kernel.remove(e.lease().subnets());
      }
      writes += 3;
    }
  }

  @Override
  public synchronized void reconcile(List<Lease> peers) throws BackendException {
    checkFailure();
    Map<String, Lease> wanted = new HashMap<>();
    peers.forEach(p -> wanted.put(p.subnets(), p));
    for (String s : List.copyOf(kernel.keySet())) {
      if (!wanted.containsKey(s)) {
        kernel.remove(s);
        writes += 3;
      }
    }
    for (var w : wanted.entrySet()) {
      if (!w.getValue().equals(kernel.get(w.getKey()))) {
        kernel.put(w.getKey(), w.getValue());
        writes += 3;
      }
    }
  }

  private void checkFailure() throws BackendException {
    if (failNext) {
      failNext = false;
      throw new BackendException(FAILURE);
    }
  }

  @Override
  public void run() {}

  @Override
  public void close() {}

  /** A network that declares metric families of its own, as the udp backend does. */
  public static final class Declaring extends FakeNetwork {
    public volatile long sent;
    public volatile long received;
    public volatile double queued;

    public Declaring(Lease own) {
      super(own);
    }

    @Override
    public void declareMetrics(MetricSink sink) {
      Map<String, LongSupplier> byDirection = new LinkedHashMap<>();
      byDirection.put("sent", () -> sent);
      byDirection.put("received", () -> received);
      sink.counter("flannel_fake_packets_total", "packets", "direction", byDirection);
      sink.gauge("flannel_fake_queued", "queued packets", () -> queued);
    }
  }

  /** A network without any counter accessor. */
  public static final class Silent implements Network {
    private final Lease own;

    public Silent(Lease own) {
      this.own = own;
    }

    @Override
    public Lease lease() {
      return own;
    }

    @Override
    public int mtu() {
      return 1500;
    }

    @Override
    public void handle(List<LeaseEvent> events) {}

    @Override
    public void reconcile(List<Lease> peers) {}

    @Override
    public void run() {}

    @Override
    public void close() {}
  }
}
