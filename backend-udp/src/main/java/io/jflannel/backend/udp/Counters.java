package io.jflannel.backend.udp;

import java.util.concurrent.atomic.LongAdder;

/**
 * The live counters behind {@link UdpStats}, shared by all packet loops of one network.
 *
 * <p>Loops count into plain local fields while they work through a batch and add the totals here
 * once per batch, so the per-packet cost is a register increment. Thread-safe.
 */
final class Counters {
  final LongAdder sentPackets = new LongAdder();
  final LongAdder sentBytes = new LongAdder();
  final LongAdder receivedPackets = new LongAdder();
  final LongAdder receivedBytes = new LongAdder();
  final LongAdder droppedUnknownSource = new LongAdder();
  final LongAdder droppedOversize = new LongAdder();
  final LongAdder droppedMalformed = new LongAdder();
  final LongAdder droppedNoRoute = new LongAdder();
  final LongAdder unreachableSent = new LongAdder();
  final LongAdder droppedTtl = new LongAdder();
  final LongAdder sendErrors = new LongAdder();
  final LongAdder tunWriteErrors = new LongAdder();

  /** Adds {@code n} if it is not zero (skips the shared write in the common case). */
  static void add(LongAdder a, long n) {
    if (n != 0) {
      a.add(n);
    }
  }

  UdpStats snapshot() {
    return new UdpStats(
        sentPackets.sum(),
        sentBytes.sum(),
        receivedPackets.sum(),
        receivedBytes.sum(),
        droppedUnknownSource.sum(),
        droppedOversize.sum(),
        droppedMalformed.sum(),
        droppedNoRoute.sum(),
        unreachableSent.sum(),
        droppedTtl.sum(),
        sendErrors.sum(),
        tunWriteErrors.sum());
  }
}
