package io.jflannel.core.backend;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The changes that turn the kernel objects a backend owns into the ones it wants: the core of the
 * level-triggered reconcile.
 *
 * <p>Both sides are keyed by the object's identity in the kernel (a route's destination, a
 * neighbour's IP, an FDB entry's MAC). A wanted object that is missing or differs in any field is
 * an upsert (a replace-style write); an owned object whose key is not wanted is a delete; an object
 * equal on both sides costs nothing, which is what makes a restart with nothing changed write
 * nothing. One hash lookup per object, so a pass over 5,000 peers is a few milliseconds.
 *
 * @param upserts objects to write (create or replace), in the order of {@code wanted}
 * @param deletes owned objects to remove, in the order of {@code actual}
 */
public record Diff<T>(List<T> upserts, List<T> deletes) {

  /**
   * Compares {@code wanted} with {@code actual}, the objects the caller owns as the kernel reports
   * them. Objects must have value equality; when {@code actual} holds several objects with one key
   * (routes with different metrics), those that differ from the wanted object are deleted once an
   * equal one exists, else the wanted object is upserted first and they go on the next pass.
   */
  public static <T, K> Diff<T> of(
      Collection<T> wanted, Collection<T> actual, Function<? super T, ? extends K> key) {
    // one hash lookup per object: a reconcile pass diffs 15,000 of them in a C1-only JVM
    Map<K, Slot<T>> want = new HashMap<>(wanted.size() * 2);
    List<Slot<T>> wantedSlots = new ArrayList<>(wanted.size());
    for (T t : wanted) {
      Slot<T> slot = new Slot<>(t);
      Slot<T> earlier = want.put(key.apply(t), slot);
      if (earlier != null) { // the same key wanted twice: the later object wins, as in a map
        earlier.want = t;
        want.put(key.apply(t), earlier);
        slot = earlier;
      }
      wantedSlots.add(slot);
    }
    int n = actual.size();
    List<Slot<T>> actualSlots = new ArrayList<>(n);
    boolean[] equal = new boolean[n];
    int i = 0;
    for (T t : actual) {
      Slot<T> slot = want.get(key.apply(t));
      actualSlots.add(slot);
      if (slot != null && slot.want.equals(t)) {
        equal[i] = true;
        slot.matched = true;
      }
      i++;
    }
    List<T> deletes = new ArrayList<>();
    i = 0;
    for (T t : actual) {
      Slot<T> slot = actualSlots.get(i);
      if (slot == null || (slot.matched && !equal[i])) {
        deletes.add(t); // unwanted, or a stale duplicate beside the right one
      }
      i++;
    }
    List<T> upserts = new ArrayList<>();
    i = 0;
    for (T t : wanted) {
      if (!wantedSlots.get(i).matched) {
        upserts.add(t);
      }
      i++;
    }
    return new Diff<>(upserts, deletes);
  }

  /** The wanted object of one key, and whether the kernel holds an equal one. */
  private static final class Slot<T> {
    T want;
    boolean matched;

    Slot(T want) {
      this.want = want;
    }
  }

  /** Whether the kernel already matches. */
  public boolean isEmpty() {
    return upserts.isEmpty() && deletes.isEmpty();
  }
}
