package io.jflannel.daemon.metrics;

import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.Network;
import io.jflannel.core.backend.NetworkStats;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseEvent;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network that keeps its peers in a map and counts the kernel writes a vxlan network would make:
 * three per peer added, changed or removed (ARP, FDB, route).
 */
public class FakeNetwork implements Network, NetworkStats {
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
      throw new BackendException("fake: device flannel.1 is gone");
    }
  }

  @Override
  public void run() {}

  @Override
  public void close() {}

  /** The shape of backend-udp's {@code UdpStats}, with fewer drop reasons. */
  public record UdpLikeStats(
      long sentPackets,
      long sentBytes,
      long receivedPackets,
      long receivedBytes,
      long droppedUnknownSource,
      long droppedNoRoute,
      long unreachableSent,
      long sendErrors,
      long tunWriteErrors) {}

  /** A udp-like network: also has packet counters, readable without a lock. */
  public static final class Udp extends FakeNetwork {
    public volatile UdpLikeStats stats = new UdpLikeStats(0, 0, 0, 0, 0, 0, 0, 0, 0);

    public Udp(Lease own) {
      super(own);
    }

    @Override
    public Map<String, Long> packetCounters() {
      UdpLikeStats s = stats;
      Map<String, Long> m = new LinkedHashMap<>();
      for (var c : UdpLikeStats.class.getRecordComponents()) {
        try {
          m.put(c.getName(), (Long) c.getAccessor().invoke(s));
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
      return m;
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
