package io.jflannel.netlink.bench;

import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Ips;
import io.jflannel.netlink.MacAddress;
import io.jflannel.netlink.Netlink;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Request;
import java.net.InetAddress;
import java.util.List;

/**
 * One kind of per-peer kernel object that the benchmark programs {@code n} of, in three ways: one
 * binding call per object, one {@link Netlink#batch} of all of them, and an {@code ip -batch} /
 * {@code bridge -batch} file of the same objects.
 *
 * <p>Entry {@code k} (1..n) stands for a remote node: pod subnet {@code 10.a.b.0/24}, VTEP MAC
 * {@code 0e:00:00:00:a:b}, node IP {@code 172.16.a.b}, with {@code a = k >> 8}, {@code b = k &
 * 255}, the numbering of {@code scripts/kernel-limits}. The batch-file lines describe the same
 * netlink messages the binding sends (same message type and flags: replace, append or add), so the
 * kernel does the same work either way; the one difference is that {@code bridge} sends FDB entries
 * with state {@code NUD_NOARP|NUD_PERMANENT} where the binding sends {@code NUD_PERMANENT}, so
 * checks accept any permanent state.
 *
 * <p>{@link #census} dumps the objects back through the binding: that is how a phase proves it did
 * what it claims. Not thread-safe; one instance per benchmark run.
 */
abstract class Workload {
  final int n;

  Workload(int n) {
    if (n < 1 || n > 65535) {
      throw new IllegalArgumentException("n must be 1..65535, not " + n);
    }
    this.n = n;
  }

  /** What a dump found: objects whose key is one of ours, and those of them exactly as written. */
  record Census(int byKey, int exact) {}

  abstract String name();

  /** {@code ip} or {@code bridge}. */
  abstract String tool();

  /** Kernel operations per entry (2 for a nexthop object plus its route). */
  int opsPerEntry() {
    return 1;
  }

  final int ops() {
    return n * opsPerEntry();
  }

  abstract void addEach(Netlink nl) throws NetlinkException;

  abstract void deleteEach(Netlink nl) throws NetlinkException;

  abstract List<Request> addRequests(Netlink nl);

  abstract List<Request> deleteRequests(Netlink nl);

  abstract String addBatch();

  abstract String deleteBatch();

  abstract Census census(Netlink nl) throws NetlinkException;

  static InetAddress ip(int a, int b, int c, int d) {
    return Ips.of(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
  }

  static IpPrefix subnet(int k) {
    return new IpPrefix(ip(10, k >> 8, k & 255, 0), 24);
  }

  static InetAddress vtep(int k) {
    return ip(10, k >> 8, k & 255, 0);
  }

  static InetAddress node(int k) {
    return ip(172, 16, k >> 8, k & 255);
  }

  static MacAddress mac(int k) {
    return new MacAddress(0x0e00_0000_0000L | k);
  }
}
