package io.jflannel.netlink.bench;

import io.jflannel.netlink.NetNs;
import io.jflannel.netlink.Netlink;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Request;
import io.jflannel.netlink.Result;
import io.jflannel.netlink.sys.Sys;
import io.jflannel.netlink.sys.SysException;
import io.jflannel.netlink.wire.Rt;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Experiments behind the reading of the batched binding in BENCHMARKS.md: where its time goes, and
 * what other chunk sizes or another batching design would change. Not part of the benchmark table;
 * {@code PROBE=neigh,fdb scripts/bench-netlink} runs it for those kinds after the benchmark, in the
 * same namespace.
 *
 * <ol>
 *   <li>{@link Netlink#batch} over slices of {@code c} requests (the socket caps a chunk at 1024
 *       messages / 128 KiB, so only smaller chunks can be tried from outside);
 *   <li>the same encoded messages sent by hand through {@link Sys}: one {@code sendto} per chunk
 *       (inside which the kernel carries out every request of the chunk) and one {@code recvfrom}
 *       per ack, timed apart;
 *   <li>as 2, but only the last message of each chunk asks for an ack: the kernel still answers
 *       every failed request, so a fully successful chunk costs one {@code recvfrom};
 *   <li>user and system CPU time of the calling thread over repeated {@link Netlink#batch} calls.
 * </ol>
 *
 * Every phase is verified like the benchmark's (n objects after an add, none after a delete).
 */
final class BatchProbe implements AutoCloseable {
  private static final int REPS = 5;
  private final Netlink nl;
  private final int fd;
  private final ByteBuffer tx = ByteBuffer.allocateDirect(4 << 20).order(ByteOrder.nativeOrder());
  private final ByteBuffer rx = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.nativeOrder());
  private final ByteBuffer kernel = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
  private int seq = 1;

  /** Time of one hand-made batch: encoding, sendto, reading replies; recvfrom calls made. */
  record Split(long encodeNs, long sendNs, long recvNs, int recvCalls) {
    Split plus(Split o) {
      return new Split(
          encodeNs + o.encodeNs, sendNs + o.sendNs, recvNs + o.recvNs, recvCalls + o.recvCalls);
    }

    double totalMs() {
      return (encodeNs + sendNs + recvNs) / 1e6;
    }
  }

  private BatchProbe(Netlink nl, int fd) {
    this.nl = nl;
    this.fd = fd;
    kernel.putShort(0, (short) Sys.AF_NETLINK);
  }

  static BatchProbe open(Netlink nl, String netns) throws NetlinkException {
    int fd =
        NetNs.call(
            netns,
            () -> {
              try {
                int s = Sys.socket(Sys.AF_NETLINK, Sys.SOCK_RAW | Sys.SOCK_CLOEXEC, 0);
                Sys.setsockopt(s, Sys.SOL_SOCKET, Sys.SO_RCVBUFFORCE, 8 << 20);
                Sys.setsockopt(s, Sys.SOL_SOCKET, Sys.SO_SNDBUFFORCE, 4 << 20); // 4096-chunks
                Sys.setsockopt(s, Sys.SOL_NETLINK, Sys.NETLINK_CAP_ACK, 1);
                Sys.setsockopt(s, Sys.SOL_NETLINK, Sys.NETLINK_EXT_ACK, 1);
                ByteBuffer sa = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
                sa.putShort(0, (short) Sys.AF_NETLINK);
                Sys.bind(s, sa);
                return s;
              } catch (SysException e) {
                throw new NetlinkException("probe socket", e.errno(), e.getMessage(), e);
              }
            });
    return new BatchProbe(nl, fd);
  }

  /** Sends {@code rs} by hand, {@code chunk} per sendto; fails if any request failed. */
  Split send(List<Request> rs, int chunk, boolean ackEach) throws IOException {
    Split total = new Split(0, 0, 0, 0);
    for (int i = 0; i < rs.size(); i += chunk) {
      total = total.plus(sendChunk(rs.subList(i, Math.min(rs.size(), i + chunk)), ackEach));
    }
    return total;
  }

  private Split sendChunk(List<Request> rs, boolean ackEach) throws IOException {
    long t0 = System.nanoTime();
    tx.clear();
    int first = seq;
    for (int i = 0; i < rs.size(); i++) {
      byte[] b = rs.get(i).encode(seq++);
      if (!ackEach && i < rs.size() - 1) {
        short flags = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getShort(6);
        ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).putShort(6, (short) (flags & ~4));
      }
      tx.put(b);
    }
    tx.flip();
    int last = seq - 1;
    long t1 = System.nanoTime();
    long sent = Sys.sendto(fd, tx, 0, kernel.duplicate());
    if (sent != tx.remaining()) {
      throw new IOException("short send " + sent);
    }
    long t2 = System.nanoTime();
    int calls = 0;
    int pending = ackEach ? rs.size() : 1;
    while (pending > 0) {
      rx.clear();
      long n = Sys.recv(fd, rx, 0);
      calls++;
      for (int at = 0; at + 20 <= n; at += Math.max(Rt.NLMSG_HDRLEN, Rt.align(rx.getInt(at)))) {
        int type = rx.getShort(at + 4) & 0xffff;
        int s = rx.getInt(at + 8);
        if (type != Rt.NLMSG_ERROR || s < first || s > last) {
          continue;
        }
        if (rx.getInt(at + 16) != 0) {
          throw new IOException(rs.get(s - first) + ": errno " + -rx.getInt(at + 16));
        }
        if (ackEach || s == last) {
          pending--;
        }
      }
    }
    long t3 = System.nanoTime();
    return new Split(t1 - t0, t2 - t1, t3 - t2, calls);
  }

  @Override
  public void close() {
    Sys.close(fd);
  }

  static void run(Netlink nl, String netns, List<Workload> workloads) throws IOException {
    System.out.println("PROBE: batched binding experiments (median of " + REPS + " add+del)");
    try (BatchProbe p = open(nl, netns)) {
      for (Workload w : workloads) {
        for (int c : new int[] {1, 16, 64, 256, 1024}) {
          List<Double> add = new ArrayList<>();
          List<Double> del = new ArrayList<>();
          for (int r = 0; r < REPS; r++) {
            add.add(p.timeBatch(w, w.addRequests(nl), c, w.ops()));
            del.add(p.timeBatch(w, w.deleteRequests(nl), c, 0));
          }
          p.print(w, "Netlink.batch, slices of " + c, add, del, null, null);
        }
        for (boolean ackEach : new boolean[] {true, false}) {
          for (int c : new int[] {256, 1024, 4096}) {
            List<Double> add = new ArrayList<>();
            List<Double> del = new ArrayList<>();
            Split sa = null;
            Split sd = null;
            for (int r = 0; r < REPS; r++) {
              sa = p.send(w.addRequests(nl), c, ackEach);
              NetlinkBench.expect(nl, w, w.ops(), "after probe add");
              sd = p.send(w.deleteRequests(nl), c, ackEach);
              NetlinkBench.expect(nl, w, 0, "after probe delete");
              add.add(sa.totalMs());
              del.add(sd.totalMs());
            }
            String how = ackEach ? "by hand, ack each, chunk " : "by hand, ack last, chunk ";
            p.print(w, how + c, add, del, sa, sd);
          }
        }
        p.cpu(w);
      }
    }
    System.out.println();
  }

  private double timeBatch(Workload w, List<Request> rs, int c, int want) throws IOException {
    long t0 = System.nanoTime();
    for (int i = 0; i < rs.size(); i += c) {
      for (Result r : nl.batch(rs.subList(i, Math.min(rs.size(), i + c)))) {
        if (!r.ok()) {
          throw r.exception();
        }
      }
    }
    double ms = (System.nanoTime() - t0) / 1e6;
    NetlinkBench.expect(nl, w, want, "after probe phase");
    return ms;
  }

  private void print(Workload w, String how, List<Double> add, List<Double> del, Split a, Split d) {
    double am = NetlinkBench.median(add);
    double dm = NetlinkBench.median(del);
    String split =
        a == null
            ? ""
            : String.format(
                Locale.ROOT,
                "  last add: encode %.1f sendto %.1f recv %.1f ms, %d recvfrom;"
                    + " last del: sendto %.1f recv %.1f ms",
                a.encodeNs / 1e6,
                a.sendNs / 1e6,
                a.recvNs / 1e6,
                a.recvCalls,
                d.sendNs / 1e6,
                d.recvNs / 1e6);
    System.out.printf(
        Locale.ROOT,
        "  %-14s %-34s add %7.1f ms %7.0f ops/s  del %7.1f ms %7.0f ops/s%s%n",
        w.name(),
        how,
        am,
        w.ops() / am * 1e3,
        dm,
        w.ops() / dm * 1e3,
        split);
  }

  /** User and system CPU of this thread over 10 batched add+delete rounds. */
  private void cpu(Workload w) throws IOException {
    long[] before = threadTicks();
    long t0 = System.nanoTime();
    int rounds = 10;
    for (int r = 0; r < rounds; r++) {
      nl.batch(w.addRequests(nl));
      nl.batch(w.deleteRequests(nl));
    }
    long wall = System.nanoTime() - t0;
    long[] after = threadTicks();
    NetlinkBench.expect(nl, w, 0, "after the CPU rounds");
    double tick = 10.0; // ms per clock tick (CLK_TCK 100)
    System.out.printf(
        Locale.ROOT,
        "  %-14s Netlink.batch CPU over %d add+del rounds: wall %.0f ms, user %.0f ms,"
            + " system %.0f ms (%.1f us user per op)%n",
        w.name(),
        rounds,
        wall / 1e6,
        (after[0] - before[0]) * tick,
        (after[1] - before[1]) * tick,
        (after[0] - before[0]) * tick * 1e3 / (2.0 * rounds * w.ops()));
  }

  /** utime and stime of the calling thread, in clock ticks. */
  private static long[] threadTicks() throws IOException {
    String s = Files.readString(Path.of("/proc/thread-self/stat"));
    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
    return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
  }
}
