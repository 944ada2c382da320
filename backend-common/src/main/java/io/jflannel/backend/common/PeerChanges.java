package io.jflannel.backend.common;

import io.jflannel.core.backend.Diff;
import io.jflannel.netlink.FdbEntry;
import io.jflannel.netlink.Neighbour;
import io.jflannel.netlink.Nexthop;
import io.jflannel.netlink.Route;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The bookkeeping of a {@link RouteNetwork} pass: the objects every current peer wants, and the
 * kernel changes to make, in the order they are written.
 */
final class PeerChanges {
  private PeerChanges() {}

  /** The identity keys of neighbours and FDB entries, as the kernel keys them. */
  record Keys(int link, Object id) {
    static Keys of(Neighbour n) {
      return new Keys(n.linkIndex(), n.ip());
    }

    static Keys of(FdbEntry f) {
      return new Keys(f.linkIndex(), f.mac());
    }
  }

  /** Every object the current peers want. */
  static final class Wanted {
    final List<Neighbour> neighbours;
    final List<FdbEntry> fdbs;
    final List<Nexthop> nexthops = new ArrayList<>();
    final List<Route> routes;

    Wanted(int peers) {
      neighbours = new ArrayList<>(peers);
      fdbs = new ArrayList<>(peers);
      routes = new ArrayList<>(peers);
    }

    void add(PeerObjects p) {
      neighbours.addAll(p.neighbours());
      fdbs.addAll(p.fdbs());
      nexthops.addAll(p.nexthops());
      routes.addAll(p.routes());
    }
  }

  /** Pending kernel changes: removals first, then neighbours, FDB entries, nexthops, routes. */
  static final class Changes {
    final List<Neighbour> neighbours = new ArrayList<>();
    final List<FdbEntry> fdbs = new ArrayList<>();
    final List<Nexthop> nexthops = new ArrayList<>();
    final List<Route> routes = new ArrayList<>();
    final List<Route> goneRoutes = new ArrayList<>();
    final List<Nexthop> goneNexthops = new ArrayList<>();
    final List<Neighbour> goneNeighbours = new ArrayList<>();
    final List<FdbEntry> goneFdbs = new ArrayList<>();

    <T> void put(Diff<T> d, List<T> upserts, List<T> deletes) {
      upserts.addAll(d.upserts());
      deletes.addAll(d.deletes());
    }

    void add(PeerObjects p) {
      neighbours.addAll(p.neighbours());
      fdbs.addAll(p.fdbs());
      nexthops.addAll(p.nexthops());
      routes.addAll(p.routes());
    }

    /** A peer changed: write only the objects of {@code now} that {@code old} did not have. */
    void addChanged(PeerObjects old, PeerObjects now) {
      newOnes(old.neighbours(), now.neighbours(), neighbours);
      newOnes(old.fdbs(), now.fdbs(), fdbs);
      newOnes(old.nexthops(), now.nexthops(), nexthops);
      newOnes(old.routes(), now.routes(), routes);
    }

    private static <T> void newOnes(List<T> old, List<T> now, List<T> out) {
      for (T t : now) {
        if (!old.contains(t)) {
          out.add(t);
        }
      }
    }

    /** Adds the writes of {@code other}, not its removals. */
    void addUpserts(Changes other) {
      neighbours.addAll(other.neighbours);
      fdbs.addAll(other.fdbs);
      nexthops.addAll(other.nexthops);
      routes.addAll(other.routes);
    }

    void remove(PeerObjects p) {
      goneRoutes.addAll(p.routes());
      goneNexthops.addAll(p.nexthops());
      goneNeighbours.addAll(p.neighbours());
      goneFdbs.addAll(p.fdbs());
    }

    /**
     * A peer changed (or became unusable, {@code now} null): remove what the old objects had that
     * the new ones do not replace, by the kernel's identity of each object.
     */
    void removeStale(PeerObjects old, PeerObjects now) {
      PeerObjects none = new PeerObjects(List.of(), List.of(), List.of(), List.of());
      PeerObjects n = now == null ? none : now;
      stale(old.routes(), n.routes(), Route::dst, goneRoutes);
      stale(old.nexthops(), n.nexthops(), Nexthop::id, goneNexthops);
      stale(old.neighbours(), n.neighbours(), Keys::of, goneNeighbours);
      stale(old.fdbs(), n.fdbs(), Keys::of, goneFdbs);
    }

    private static <T, K> void stale(List<T> old, List<T> now, Function<T, K> key, List<T> gone) {
      Set<K> kept = new HashSet<>();
      now.forEach(t -> kept.add(key.apply(t)));
      for (T t : old) {
        if (!kept.contains(key.apply(t))) {
          gone.add(t);
        }
      }
    }

    List<Change> toList() {
      List<Change> out = new ArrayList<>();
      goneRoutes.forEach(o -> out.add(Change.delete(o)));
      goneNexthops.forEach(o -> out.add(Change.delete(o)));
      goneNeighbours.forEach(o -> out.add(Change.delete(o)));
      goneFdbs.forEach(o -> out.add(Change.delete(o)));
      neighbours.forEach(o -> out.add(Change.replace(o)));
      fdbs.forEach(o -> out.add(Change.replace(o)));
      nexthops.forEach(o -> out.add(Change.replace(o)));
      routes.forEach(o -> out.add(Change.replace(o)));
      return out;
    }

    boolean isEmpty() {
      return neighbours.isEmpty()
          && fdbs.isEmpty()
          && nexthops.isEmpty()
          && routes.isEmpty()
          && goneRoutes.isEmpty()
          && goneNexthops.isEmpty()
          && goneNeighbours.isEmpty()
          && goneFdbs.isEmpty();
    }

    @Override
    public String toString() {
      return String.format(
          "writing %d neighbour, %d fdb, %d nexthop, %d route entries; removing %d neighbour,"
              + " %d fdb, %d nexthop, %d route entries",
          neighbours.size(),
          fdbs.size(),
          nexthops.size(),
          routes.size(),
          goneNeighbours.size(),
          goneFdbs.size(),
          goneNexthops.size(),
          goneRoutes.size());
    }
  }
}
