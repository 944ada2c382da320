package io.jflannel.backend.udp;

import io.jflannel.backend.udp.sys.MsgVec;
import io.jflannel.backend.udp.sys.Native;
import java.nio.ByteBuffer;

/**
 * One TUN queue's inbound loop: receives a batch of datagrams with one {@code recvmmsg(2)} and
 * writes each payload, an IP packet, into the TUN.
 *
 * <p>Per datagram: a source address that is not the public IP of a current peer lease → dropped and
 * counted (nothing unknown is injected into this node's network); larger than a packet buffer →
 * dropped; not IPv4 or broken → dropped; TTL decremented, dropped at zero, as upstream. Runs on its
 * own thread; all state is confined to it.
 */
final class UdpToTun implements Runnable {
  /** Attempts at a TUN write that keeps answering EAGAIN before the packet is dropped. */
  private static final int WRITE_ATTEMPTS = 100;

  private final Forwarder fw;
  private final int sockFd;
  private final int tunFd;
  private final MsgVec vec;
  private final ByteBuffer packets;
  private final long pollAddress;
  private final ByteBuffer pollFds;
  private final boolean[] warned = new boolean[256];

  UdpToTun(Forwarder fw, int sockFd, int tunFd) {
    this.fw = fw;
    this.sockFd = sockFd;
    this.tunFd = tunFd;
    this.vec = new MsgVec(Forwarder.BATCH, fw.slotSize);
    this.packets = vec.packets();
    this.pollFds = TunToUdp.pollFds(sockFd, fw.wakeFd);
    this.pollAddress = Native.address(pollFds);
  }

  @Override
  public void run() {
    final Counters c = fw.counters;
    int used = Forwarder.BATCH;
    while (!fw.stopping()) {
      vec.resetForReceive(used);
      int r = Native.recvmmsg(sockFd, vec.header(0), Forwarder.BATCH, Native.MSG_DONTWAIT);
      if (r <= 0) {
        used = 0;
        int errno = -r;
        if (r == 0 || errno == Native.EINTR) {
          continue;
        }
        if (errno == Native.EAGAIN) {
          Native.poll(pollAddress, 2, -1);
          continue;
        }
        if (!fw.stopping()) {
          fw.fail("receiving on udp port " + fw.port + " failed: " + TunToUdp.describe(errno));
        }
        return;
      }
      used = r;
      PeerTable table = fw.table();
      int written = 0;
      long bytes = 0;
      int unknown = 0;
      int oversize = 0;
      int malformed = 0;
      int ttl = 0;
      for (int i = 0; i < r; i++) {
        int len = vec.receivedLength(i);
        int verdict =
            Verdicts.inbound(table, vec.sourceIp(i), vec.flags(i), packets, vec.offset(i), len);
        if (verdict != Verdicts.FORWARD) {
          switch (verdict) {
            case Verdicts.UNKNOWN_SOURCE -> unknown++;
            case Verdicts.OVERSIZE -> oversize++;
            case Verdicts.TTL_EXPIRED -> ttl++;
            default -> malformed++;
          }
          continue;
        }
        if (writeTun(vec.slotAddress(i), len, c)) {
          written++;
          bytes += len;
        }
      }
      Counters.add(c.receivedPackets, written);
      Counters.add(c.receivedBytes, bytes);
      Counters.add(c.droppedUnknownSource, unknown);
      Counters.add(c.droppedOversize, oversize);
      Counters.add(c.droppedMalformed, malformed);
      Counters.add(c.droppedTtl, ttl);
    }
  }

  private boolean writeTun(long address, int len, Counters c) {
    for (int attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      long w = Native.write(tunFd, address, len);
      if (w >= 0) {
        return true;
      }
      int errno = (int) -w;
      if (errno == Native.EINTR || errno == Native.EAGAIN) {
        continue;
      }
      if (errno == Native.EBADFD && !fw.stopping()) {
        fw.deviceGone("writing to " + fw.device + " failed: " + TunToUdp.describe(errno));
      }
      Forwarder.warnOnce(warned, "writing to " + fw.device, errno);
      break;
    }
    c.tunWriteErrors.increment();
    return false;
  }
}
