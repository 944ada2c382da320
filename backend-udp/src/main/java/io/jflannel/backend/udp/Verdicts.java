package io.jflannel.backend.udp;

import io.jflannel.backend.udp.sys.Native;
import java.nio.ByteBuffer;

/**
 * What the packet loops do with each packet, decided without any I/O so the rules can be tested
 * without root: {@link #inbound} for a datagram from the socket, {@link #outbound} for a packet
 * from the TUN.
 *
 * <p>Both may decrement the packet's TTL in place (and only when they answer "forward"). Stateless,
 * allocation-free and thread-safe.
 */
final class Verdicts {
  static final int FORWARD = 0;
  static final int UNKNOWN_SOURCE = 1;
  static final int OVERSIZE = 2;
  static final int MALFORMED = 3;
  static final int NO_ROUTE = 4;
  static final int TTL_EXPIRED = 5;

  private Verdicts() {}

  /**
   * Decides about a received datagram: {@link #FORWARD} (write it into the TUN; its TTL has been
   * decremented), or why it is dropped, checked in this order: the source is not the public IP of a
   * peer in {@code table} ({@link #UNKNOWN_SOURCE}), it was truncated ({@link #OVERSIZE}), it is
   * not an IPv4 packet ({@link #MALFORMED}), its TTL ran out ({@link #TTL_EXPIRED}).
   *
   * @param sourceIp the datagram's source address
   * @param msgFlags the {@code msg_flags} the kernel returned with it
   */
  static int inbound(PeerTable table, int sourceIp, int msgFlags, ByteBuffer b, int off, int len) {
    if (!table.isPeer(sourceIp)) {
      return UNKNOWN_SOURCE;
    }
    if ((msgFlags & Native.MSG_TRUNC) != 0) {
      return OVERSIZE;
    }
    if (Packets.check(b, off, len) != Packets.OK) {
      return MALFORMED;
    }
    return Packets.decrementTtl(b, off) ? FORWARD : TTL_EXPIRED;
  }

  /**
   * Decides about a packet read from the TUN: the public IP of the peer to send it to, as an
   * unsigned 32-bit value (its TTL has been decremented), or a negative verdict: {@code
   * -MALFORMED}, {@code -NO_ROUTE} (reply with {@link Packets#netUnreachable}), {@code
   * -TTL_EXPIRED}.
   */
  static long outbound(PeerTable table, ByteBuffer b, int off, int len) {
    if (Packets.check(b, off, len) != Packets.OK) {
      return -MALFORMED;
    }
    int hop = table.nextHop(Packets.destination(b, off));
    if (hop == 0) {
      return -NO_ROUTE;
    }
    if (!Packets.decrementTtl(b, off)) {
      return -TTL_EXPIRED;
    }
    return hop & 0xffffffffL;
  }
}
