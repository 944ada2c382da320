package io.jflannel.netlink;

import io.jflannel.netlink.wire.Rt;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Process-wide counts of the rtnetlink requests every {@link Netlink} handle sent, and of those the
 * kernel refused, by object ({@code link}, {@code address}, {@code route}, {@code neighbour},
 * {@code fdb}, {@code nexthop}) and operation ({@code add}, {@code replace}, {@code append}, {@code
 * delete}, {@code get}, {@code dump}); for metrics.
 *
 * <p>An FDB request is an {@code RTM_*NEIGH} message of family {@code AF_BRIDGE}. A refusal is a
 * request answered with a non-zero errno, whatever the caller made of it (a delete of an entry
 * already gone counts). Requests of other types are not counted. A request lost with its socket
 * (the whole batch fails) counts as sent, not as refused.
 *
 * <p>Thread-safety: lock-free ({@link LongAdder}s); counting costs two adds per request.
 */
public final class NetlinkStats {

  /** The objects counted, in label order. */
  public static final List<String> OBJECTS =
      List.of("link", "address", "route", "neighbour", "fdb", "nexthop");

  /** The operations counted, in label order. */
  public static final List<String> OPS =
      List.of("add", "replace", "append", "delete", "get", "dump");

  private static final NetlinkStats GLOBAL = new NetlinkStats();

  private final LongAdder[] requests = adders();
  private final LongAdder[] refused = adders();

  NetlinkStats() {}

  /** The counts of every handle in this process. */
  public static NetlinkStats global() {
    return GLOBAL;
  }

  /** One count: the object, the operation, requests sent and how many of them were refused. */
  public record Count(String object, String op, long requests, long refused) {}

  /** The counts of every (object, operation) pair that saw a request, in label order. */
  public List<Count> counts() {
    List<Count> out = new ArrayList<>();
    for (int o = 0; o < OBJECTS.size(); o++) {
      for (int p = 0; p < OPS.size(); p++) {
        int i = o * OPS.size() + p;
        long n = requests[i].sum();
        if (n > 0) {
          out.add(new Count(OBJECTS.get(o), OPS.get(p), n, refused[i].sum()));
        }
      }
    }
    return out;
  }

  /** Counts {@code request}, refused when {@code errno} is not 0. */
  void record(Request request, int errno) {
    int i = slot(request.type(), request.flags(), request.family());
    if (i >= 0) {
      requests[i].increment();
      if (errno != 0) {
        refused[i].increment();
      }
    }
  }

  /** The counter index of a message, or -1 when it is not one of ours. */
  static int slot(int type, int flags, int family) {
    int object;
    int kind; // 0 new, 1 del, 2 get
    switch (type) {
      case Rt.RTM_NEWLINK, Rt.RTM_DELLINK, Rt.RTM_GETLINK -> {
        object = 0;
        kind = type - Rt.RTM_NEWLINK;
      }
      case Rt.RTM_NEWADDR, Rt.RTM_DELADDR, Rt.RTM_GETADDR -> {
        object = 1;
        kind = type - Rt.RTM_NEWADDR;
      }
      case Rt.RTM_NEWROUTE, Rt.RTM_DELROUTE, Rt.RTM_GETROUTE -> {
        object = 2;
        kind = type - Rt.RTM_NEWROUTE;
      }
      case Rt.RTM_NEWNEIGH, Rt.RTM_DELNEIGH, Rt.RTM_GETNEIGH -> {
        object = family == Rt.AF_BRIDGE ? 4 : 3;
        kind = type - Rt.RTM_NEWNEIGH;
      }
      case Rt.RTM_NEWNEXTHOP, Rt.RTM_DELNEXTHOP, Rt.RTM_GETNEXTHOP -> {
        object = 5;
        kind = type - Rt.RTM_NEWNEXTHOP;
      }
      default -> {
        return -1;
      }
    }
    int op;
    if (kind == 1) {
      op = 3;
    } else if (kind == 2) {
      op = (flags & Rt.NLM_F_DUMP) == Rt.NLM_F_DUMP ? 5 : 4;
    } else if ((flags & Rt.NLM_F_REPLACE) != 0) {
      op = 1;
    } else if ((flags & Rt.NLM_F_APPEND) != 0) {
      op = 2;
    } else {
      op = 0;
    }
    return object * OPS.size() + op;
  }

  private static LongAdder[] adders() {
    LongAdder[] a = new LongAdder[OBJECTS.size() * OPS.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = new LongAdder();
    }
    return a;
  }
}
