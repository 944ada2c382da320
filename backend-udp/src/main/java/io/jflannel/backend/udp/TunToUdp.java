package io.jflannel.backend.udp;

import io.jflannel.backend.udp.sys.MsgVec;
import io.jflannel.backend.udp.sys.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One TUN queue's outbound loop: reads packets from the TUN until it runs dry or a batch is full,
 * routes each to the peer whose subnet holds its destination, and hands the batch to the kernel
 * with one {@code sendmmsg(2)}.
 *
 * <p>Per packet, as upstream: not IPv4 or broken → dropped; no peer → ICMP net unreachable back
 * into the TUN (not for ICMP or later fragments; sent from the unreachable address, see {@link
 * Packets#netUnreachable}); TTL decremented, dropped at zero; the raw packet is the UDP payload to
 * {@code <peer public IP>:<port>}. Runs on its own thread; all state is confined to it.
 */
final class TunToUdp implements Runnable {
  /** {@link #forwardBatch} ended with a full batch: read on at once. */
  private static final int FULL = 0;

  /** {@link #forwardBatch} ended with the TUN read dry: wait in poll(2). */
  private static final int DRAINED = 1;

  /** {@link #forwardBatch} ended with a read that failed for good: the loop ends. */
  private static final int FAILED = 2;

  private final Forwarder fw;
  private final int tunFd;
  private final int sockFd;
  private final MsgVec vec;
  private final ByteBuffer packets;
  private final ByteBuffer icmp;
  private final long icmpAddress;
  private final ByteBuffer pollFds;
  private final long pollAddress;
  private final boolean[] warned = new boolean[256];

  TunToUdp(Forwarder fw, int tunFd, int sockFd) {
    this.fw = fw;
    this.tunFd = tunFd;
    this.sockFd = sockFd;
    this.vec = new MsgVec(Forwarder.BATCH, fw.slotSize);
    this.packets = vec.packets();
    this.icmp = ByteBuffer.allocateDirect(Packets.MAX_UNREACHABLE).order(ByteOrder.BIG_ENDIAN);
    this.icmpAddress = Native.address(icmp);
    this.pollFds = pollFds(tunFd, fw.wakeFd);
    this.pollAddress = Native.address(pollFds);
  }

  /** Two {@code struct pollfd}: {@code fd} and the wake-up eventfd, both for POLLIN. */
  static ByteBuffer pollFds(int fd, int wakeFd) {
    ByteBuffer b = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    b.putInt(0, fd).putShort(4, Native.POLLIN).putInt(8, wakeFd).putShort(12, Native.POLLIN);
    return b;
  }

  @Override
  public void run() {
    while (!fw.stopping()) {
      int end = forwardBatch(fw.table());
      if (end == FAILED) {
        return;
      }
      if (end == DRAINED && !fw.stopping()) {
        Native.poll(pollAddress, 2, -1);
      }
    }
  }

  /**
   * Forwards one batch: reads packets from the TUN until it runs dry or the batch is full, routes
   * each with {@code table}, sends the batch and counts what was sent and dropped. Returns {@link
   * #DRAINED}, {@link #FULL}, or {@link #FAILED} if a read failed for good (reported; the packets
   * read so far are then neither sent nor counted). This is the hot loop: keep it free of
   * allocation and of calls the JIT cannot inline; the counters stay in locals until the batch
   * ends.
   */
  private int forwardBatch(PeerTable table) {
    final int slot = vec.slotSize();
    final int port = fw.port;
    int n = 0;
    long bytes = 0;
    int oversize = 0;
    int malformed = 0;
    int noRoute = 0;
    int unreachable = 0;
    int ttl = 0;
    while (n < Forwarder.BATCH) {
      long r = Native.read(tunFd, vec.slotAddress(n), slot);
      if (r < 0) {
        int errno = (int) -r;
        if (errno == Native.EAGAIN) {
          break; // the TUN ran dry: the only way out before the batch is full
        }
        if (errno == Native.EINTR) {
          continue;
        }
        readFailed(errno);
        return FAILED;
      }
      int len = (int) r;
      int off = vec.offset(n);
      if (len >= slot) {
        oversize++;
        continue;
      }
      long verdict = Verdicts.outbound(table, packets, off, len);
      if (verdict < 0) {
        if (verdict == -Verdicts.NO_ROUTE) {
          noRoute++;
          unreachable += replyUnreachable(off, len);
        } else if (verdict == -Verdicts.TTL_EXPIRED) {
          ttl++;
        } else {
          malformed++;
        }
        continue;
      }
      int hop = (int) verdict;
      vec.setLength(n, len);
      vec.setDestination(n, hop, port);
      bytes += len;
      n++;
    }
    final Counters c = fw.counters;
    if (n > 0) {
      send(n, c);
      Counters.add(c.sentBytes, bytes);
    }
    Counters.add(c.droppedOversize, oversize);
    Counters.add(c.droppedMalformed, malformed);
    Counters.add(c.droppedNoRoute, noRoute);
    Counters.add(c.unreachableSent, unreachable);
    Counters.add(c.droppedTtl, ttl);
    return n < Forwarder.BATCH ? DRAINED : FULL;
  }

  /**
   * Answers the packet at {@code off}, which has no route, with ICMP net unreachable written into
   * the TUN; returns 1 if a reply was written, 0 if none is due (ICMP, later fragments) or the
   * write failed.
   */
  private int replyUnreachable(int off, int len) {
    int dst = Packets.destination(packets, off);
    int m = Packets.netUnreachable(packets, off, len, dst, icmp);
    return m > 0 && Native.write(tunFd, icmpAddress, m) == m ? 1 : 0;
  }

  /**
   * Reports a TUN read that failed with {@code errno} (not EAGAIN or EINTR), unless the forwarder
   * is stopping: EBADFD means the device was deleted, anything else fails the forwarder.
   */
  private void readFailed(int errno) {
    if (!fw.stopping()) {
      String why = "reading " + fw.device + " failed: " + describe(errno);
      if (errno == Native.EBADFD) {
        fw.deviceGone(why);
      } else {
        fw.fail(why);
      }
    }
  }

  /** Sends slots {@code 0..n-1}; a datagram the kernel refuses is counted and skipped. */
  private void send(int n, Counters c) {
    int i = 0;
    int sent = 0;
    while (i < n) {
      int r = Native.sendmmsg(sockFd, vec.header(i), n - i, 0);
      if (r > 0) {
        i += r;
        sent += r;
        continue;
      }
      int errno = -r;
      if (errno == Native.EINTR) {
        continue;
      }
      Forwarder.warnOnce(warned, "sending to a peer", errno);
      c.sendErrors.increment();
      i++;
    }
    Counters.add(c.sentPackets, sent);
  }

  static String describe(int errno) {
    return io.jflannel.netlink.Errno.describe(errno)
        + (errno == Native.EBADFD ? " (the device was deleted)" : "");
  }
}
