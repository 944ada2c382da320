package io.jflannel.daemon.run;

import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.subnet.LeaseListener;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heap's side of programming a batch of lease events, kept off the lease feed: warns once when
 * a batch is larger than the heap is likely to hold (naming {@code FLANNELD_JVM_HEAP}), and lets
 * the heap grow in large steps while a large batch is handed on ({@link HeapGrowth}).
 *
 * <p>A {@link LeaseListener} decorator: same thread and contract as the listener it wraps.
 */
public final class HeapGuard implements LeaseListener {
  private static final Logger log = LoggerFactory.getLogger(HeapGuard.class);

  /**
   * Peers one 64 MiB of heap programs in one go (measured: 50,000 vxlan peers with NexthopRoutes
   * ran out of a 64m heap and converged in 128m; BENCHMARKS.md). A rule of thumb, not a bound.
   */
  static final int PEERS_PER_64_MIB = 25_000;

  private final LeaseListener next;
  private volatile boolean warned;

  public HeapGuard(LeaseListener next) {
    this.next = next;
  }

  @Override
  public void onEvents(List<LeaseEvent> events) {
    if (!warned) {
      heapAdvice(events.size(), Runtime.getRuntime().maxMemory())
          .ifPresent(
              w -> {
                warned = true;
                log.warn("{}", w);
              });
    }
    HeapGrowth growth = HeapGrowth.forBatch(events.size());
    try {
      next.onEvents(events);
    } finally {
      growth.restore();
    }
  }

  /**
   * The warning for a batch of {@code peers} lease events with a heap of {@code maxHeapBytes}, or
   * empty when the heap is large enough.
   */
  static Optional<String> heapAdvice(int peers, long maxHeapBytes) {
    long mib = maxHeapBytes >> 20;
    long room = Math.max(1, (mib + 32) / 64) * PEERS_PER_64_MIB; // maxMemory is a bit under -Xmx
    if (peers <= room) {
      return Optional.empty();
    }
    long need = ((peers + PEERS_PER_64_MIB - 1) / PEERS_PER_64_MIB) * 64L;
    return Optional.of(
        peers
            + " peer leases at once with a "
            + mib
            + " MiB heap: flanneld may run out of heap and exit (code 3); set"
            + " FLANNELD_JVM_HEAP="
            + need
            + "m or more");
  }
}
