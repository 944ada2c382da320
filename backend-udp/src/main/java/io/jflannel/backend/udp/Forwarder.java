package io.jflannel.backend.udp;

import io.jflannel.backend.udp.sys.Native;
import io.jflannel.netlink.Errno;
import io.jflannel.netlink.Tun;
import io.jflannel.netlink.sys.SysException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves packets between the TUN device and the UDP socket: per TUN queue, one thread reads packets
 * from the TUN and sends them to peers ({@link TunToUdp}), another receives datagrams and writes
 * them into the TUN ({@link UdpToTun}).
 *
 * <p>The loops share only the {@link PeerTable}, read through one volatile field and replaced whole
 * by {@link #publish}, and the {@link Counters}. Each loop owns its buffers, allocated once; the
 * steady state allocates nothing per packet. Idle loops sleep in {@code poll(2)} on their
 * descriptor and on an eventfd that {@link #close} makes readable, so closing wakes every loop at
 * once; descriptors are closed only after the loops have returned, so no loop can touch a reused
 * descriptor number.
 *
 * <p>Owns the TUN queue descriptors and sockets it is given, and closes them. Thread-safe.
 */
final class Forwarder implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Forwarder.class);

  /** Datagrams per {@code sendmmsg} / {@code recvmmsg}; and TUN reads per batch. */
  static final int BATCH = 32;

  final String device;
  final int port;
  final int slotSize;
  final Counters counters;
  final int wakeFd;
  private final List<Tun> queues;
  private final int[] sockFds;
  private final List<Thread> threads = new ArrayList<>();
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile PeerTable table = PeerTable.EMPTY;
  private volatile boolean stopping;
  private volatile String failure;
  private volatile boolean deviceGone;
  private boolean started;
  private boolean closed;

  /**
   * @param device the TUN device name, for messages
   * @param queues the TUN queues (one is fine), switched to non-blocking here
   * @param sockFds the bound UDP sockets; queue {@code i} uses {@code sockFds[i % length]}
   * @param port the UDP port peers listen on
   * @param mtu the TUN MTU: the largest packet expected either way
   */
  Forwarder(String device, List<Tun> queues, int[] sockFds, int port, int mtu) throws SysException {
    this(device, queues, sockFds, port, mtu, new Counters());
  }

  /**
   * As above, counting into {@code counters}: a forwarder that replaces another (the TUN device was
   * re-created) goes on with its predecessor's counts.
   */
  Forwarder(String device, List<Tun> queues, int[] sockFds, int port, int mtu, Counters counters)
      throws SysException {
    for (Tun q : queues) {
      Native.setNonBlocking(q.fd());
    }
    this.device = device;
    this.queues = List.copyOf(queues);
    this.sockFds = sockFds.clone();
    this.port = port;
    this.slotSize = (Math.max(mtu, 1500) + 64 + 63) / 64 * 64;
    this.counters = counters;
    this.wakeFd = Native.eventFd();
  }

  /** Makes {@code next} the table every loop uses from its next batch on. */
  void publish(PeerTable next) {
    table = next;
  }

  PeerTable table() {
    return table;
  }

  boolean stopping() {
    return stopping;
  }

  int queues() {
    return queues.size();
  }

  /** Starts the loops; at most once, and not after {@link #close}. */
  synchronized void start() {
    if (started || closed) {
      return;
    }
    started = true;
    for (int q = 0; q < queues.size(); q++) {
      int tun = queues.get(q).fd();
      int sock = sockFds[q % sockFds.length];
      threads.add(thread(new TunToUdp(this, tun, sock), "udp-tun-to-udp-" + q));
      threads.add(thread(new UdpToTun(this, sock, tun), "udp-udp-to-tun-" + q));
    }
    threads.forEach(Thread::start);
    log.info("forwarding {} <-> udp port {} on {} queue(s)", device, port, queues.size());
  }

  private Thread thread(Runnable loop, String name) {
    Thread t =
        new Thread(
            () -> {
              try {
                loop.run();
              } catch (RuntimeException | Error e) {
                fail(Thread.currentThread().getName() + " died: " + e);
                throw e;
              }
            },
            name);
    t.setDaemon(true);
    return t;
  }

  /** Blocks until {@link #close} or a loop failure; returns the failure, or null after close. */
  String await() throws InterruptedException {
    done.await();
    return failure;
  }

  /** A loop cannot go on: records the first reason and stops every loop. */
  void fail(String reason) {
    synchronized (this) {
      if (failure == null && !stopping) {
        failure = reason;
      }
    }
    stopping = true;
    Native.signal(wakeFd);
    done.countDown();
  }

  /**
   * A loop found the TUN device gone ({@code EBADFD}: deleted by hand): stops every loop as {@link
   * #fail} does, and remembers why, so the network can re-create the device and go on.
   */
  void deviceGone(String reason) {
    deviceGone = true;
    fail(reason);
  }

  /** Whether the loops stopped because the TUN device was deleted. */
  boolean isDeviceGone() {
    return deviceGone;
  }

  /** Logs a per-loop errno once at WARN; later ones of the same errno only count. */
  static void warnOnce(boolean[] seen, String what, int errno) {
    if (errno >= 0 && errno < seen.length && !seen[errno]) {
      seen[errno] = true;
      log.warn("{} failed: {} (further such errors are only counted)", what, Errno.describe(errno));
    }
  }

  UdpStats stats() {
    return counters.snapshot();
  }

  /** The UDP sockets, for a successor. */
  int[] sockets() {
    return sockFds.clone();
  }

  /** Stops the loops, waits for them, closes every descriptor. Idempotent. */
  @Override
  public void close() {
    stop(true);
  }

  /**
   * Stops the loops, waits for them, and closes the TUN queues and the eventfd but not the UDP
   * sockets, which a successor takes over. Idempotent, like {@link #close}.
   */
  void closeKeepingSockets() {
    stop(false);
  }

  private void stop(boolean sockets) {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    stopping = true;
    Native.signal(wakeFd);
    done.countDown();
    boolean interrupted = false;
    for (Thread t : threads) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        interrupted = true;
      }
      if (t.isAlive()) {
        log.warn("{} did not stop within 5 s; leaving its descriptors open", t.getName());
        return;
      }
    }
    queues.forEach(Tun::close);
    if (sockets) {
      for (int fd : sockFds) {
        Native.close(fd);
      }
    }
    Native.close(wakeFd);
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
