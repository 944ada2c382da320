package io.jflannel.netlink;

import static io.jflannel.netlink.wire.Rt.RTM_DELLINK;
import static io.jflannel.netlink.wire.Rt.RTM_NEWLINK;

import io.jflannel.netlink.sys.Sys;
import io.jflannel.netlink.sys.SysException;
import io.jflannel.netlink.wire.NlMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's link notifications ({@code ip monitor link}): a {@code NETLINK_ROUTE} socket
 * subscribed to the {@code RTNLGRP_LINK} multicast group, whose {@code RTM_NEWLINK} (a link
 * appeared or changed: flags, MTU, MAC, attributes) and {@code RTM_DELLINK} (a link is gone)
 * messages are decoded with the same codec as a link dump. Subscribing needs no privilege.
 *
 * <p>If the kernel had to drop notifications because they came faster than they were read, the next
 * {@link #next} reports an {@link Kind#OVERRUN} instead: the reader must then read the state it
 * cares about afresh.
 *
 * <p>Not thread-safe: one thread reads and closes it. The socket is bound to the network namespace
 * of the thread that opens it.
 */
public final class LinkEvents implements AutoCloseable {
  private static final int RTMGRP_LINK = 1;

  /** What a notification says. */
  public enum Kind {
    /** {@code RTM_NEWLINK}: the link exists now, as {@link Event#link} shows it. */
    CHANGED,
    /** {@code RTM_DELLINK}: the link is gone. */
    DELETED,
    /** Notifications were lost; {@link Event#link} is null. */
    OVERRUN
  }

  /**
   * One notification.
   *
   * @param kind what happened
   * @param link the link as the notification describes it; null for {@link Kind#OVERRUN}
   */
  public record Event(Kind kind, Link link) {}

  private final int fd;
  private final ByteBuffer rx = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.nativeOrder());
  private boolean closed;

  private LinkEvents(int fd) {
    this.fd = fd;
  }

  /**
   * Subscribes in the calling thread's network namespace; each {@link #next} waits at most {@code
   * wait} for a notification.
   */
  public static LinkEvents open(Duration wait) throws NetlinkException {
    int fd;
    try {
      fd = Sys.socket(Sys.AF_NETLINK, Sys.SOCK_RAW | Sys.SOCK_CLOEXEC, Sys.NETLINK_ROUTE);
    } catch (SysException e) {
      throw new NetlinkException("socket(AF_NETLINK, NETLINK_ROUTE)", e.errno(), null, e);
    }
    try {
      ByteBuffer tv = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
      long micros = Math.max(1000, wait.toNanos() / 1000);
      tv.putLong(0, micros / 1_000_000).putLong(8, micros % 1_000_000);
      Sys.setsockopt(fd, Sys.SOL_SOCKET, Sys.SO_RCVTIMEO, tv);
      ByteBuffer sa = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
      sa.putShort(0, (short) Sys.AF_NETLINK).putInt(8, RTMGRP_LINK);
      Sys.bind(fd, sa);
      return new LinkEvents(fd);
    } catch (SysException e) {
      Sys.close(fd);
      throw new NetlinkException("subscribe to link notifications", e.errno(), null, e);
    }
  }

  /**
   * The notifications of the next datagram, waiting up to the time given to {@link #open}; empty
   * when none came.
   *
   * @throws NetlinkException if the socket fails (other than by a timeout or an overrun)
   */
  public List<Event> next() throws NetlinkException {
    rx.clear();
    long n;
    try {
      n = Sys.recv(fd, rx, Sys.MSG_TRUNC);
    } catch (SysException e) {
      if (e.errno() == Sys.EAGAIN) {
        return List.of();
      }
      if (e.errno() == Errno.ENOBUFS) {
        return List.of(new Event(Kind.OVERRUN, null));
      }
      throw new NetlinkException("read link notifications", e.errno(), null, e);
    }
    if (n > rx.capacity()) {
      return List.of(new Event(Kind.OVERRUN, null)); // truncated: its links are unknown
    }
    rx.limit((int) n);
    List<Event> out = new ArrayList<>();
    for (NlMessage m : NlMessage.split(rx)) {
      if (m.type() == RTM_NEWLINK || m.type() == RTM_DELLINK) {
        out.add(
            new Event(m.type() == RTM_NEWLINK ? Kind.CHANGED : Kind.DELETED, LinkCodec.decode(m)));
      }
    }
    return out;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      Sys.close(fd);
    }
  }
}
