package io.jflannel.backend.udp;

import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The udp backend's forwarding table: which peer's public IP a destination address goes to (longest
 * prefix match over the peers' lease subnets), and whether a datagram's source address belongs to a
 * peer at all.
 *
 * <p>Built once per change of the peer set and never modified: the packet loops read the current
 * table through one volatile reference and the event thread replaces it whole, so the packet path
 * takes no lock. Lookups allocate nothing: subnets sit in an open-addressing hash table keyed by
 * (network address, prefix length), probed once per distinct prefix length from the longest down
 * (one probe in a cluster where every lease has the configured SubnetLen), and the public IPs in an
 * open-addressing set. Upstream's C proxy scans a list with move-to-front instead, which is linear
 * in the number of peers for interleaved flows.
 *
 * <p>Immutable and thread-safe.
 */
final class PeerTable {
  /** A peer subnet and the public IP its traffic is sent to. */
  record Route(Ip4Net subnet, Ip4 publicIp) {}

  static final PeerTable EMPTY = of(List.of());

  private final List<Route> routes;
  private final int[] lengths;
  private final int[] nets;
  private final int[] lens;
  private final int[] hops;
  private final int mask;
  private final int[] sources;
  private final int sourceMask;

  private PeerTable(List<Route> routes) {
    this.routes = routes;
    TreeSet<Integer> distinct = new TreeSet<>();
    for (Route r : routes) {
      distinct.add(r.subnet().prefixLength());
    }
    this.lengths = distinct.descendingSet().stream().mapToInt(Integer::intValue).toArray();
    int capacity = tableSize(routes.size());
    this.mask = capacity - 1;
    this.nets = new int[capacity];
    this.lens = new int[capacity];
    this.hops = new int[capacity];
    Arrays.fill(lens, -1);
    for (Route r : routes) {
      int net = r.subnet().address();
      int len = r.subnet().prefixLength();
      int i = hash(net, len) & mask;
      while (lens[i] >= 0) {
        i = (i + 1) & mask;
      }
      nets[i] = net;
      lens[i] = len;
      hops[i] = r.publicIp().value();
    }
    int sourceCapacity = tableSize(routes.size());
    this.sourceMask = sourceCapacity - 1;
    this.sources = new int[sourceCapacity];
    for (Route r : routes) {
      int ip = r.publicIp().value();
      int i = hash(ip, 0) & sourceMask;
      while (sources[i] != 0 && sources[i] != ip) {
        i = (i + 1) & sourceMask;
      }
      sources[i] = ip;
    }
  }

  /**
   * Builds the table. When two routes name the same subnet the later wins; routes whose public IP
   * is {@code 0.0.0.0} are left out (no peer can be reached there).
   */
  static PeerTable of(List<Route> routes) {
    Map<Ip4Net, Route> unique = new LinkedHashMap<>();
    for (Route r : routes) {
      if (!r.publicIp().isAny()) {
        unique.remove(r.subnet());
        unique.put(r.subnet(), r);
      }
    }
    return new PeerTable(List.copyOf(unique.values()));
  }

  /** Load factor at most 1/2, at least 8 slots, a power of two. */
  private static int tableSize(int entries) {
    int n = 8;
    while (n < entries * 2) {
      n <<= 1;
    }
    return n;
  }

  private static int hash(int key, int len) {
    int h = (key ^ (len << 26)) * 0x9E3779B1;
    return h ^ (h >>> 15);
  }

  /**
   * The public IP (host-order int) of the peer whose subnet holds {@code dst}, the longest matching
   * prefix winning; 0 if no peer subnet holds it.
   */
  int nextHop(int dst) {
    for (int len : lengths) {
      int net = dst & Ip4Net.mask(len);
      int i = hash(net, len) & mask;
      int l;
      while ((l = lens[i]) >= 0) {
        if (l == len && nets[i] == net) {
          return hops[i];
        }
        i = (i + 1) & mask;
      }
    }
    return 0;
  }

  /** Whether {@code ip} is the public IP of a peer in this table. */
  boolean isPeer(int ip) {
    if (ip == 0) {
      return false;
    }
    int i = hash(ip, 0) & sourceMask;
    int s;
    while ((s = sources[i]) != 0) {
      if (s == ip) {
        return true;
      }
      i = (i + 1) & sourceMask;
    }
    return false;
  }

  /** The routes, in the order given (duplicates resolved). */
  List<Route> routes() {
    return routes;
  }

  /** Number of peer subnets. */
  int size() {
    return routes.size();
  }
}
