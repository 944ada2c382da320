package io.jflannel.core.backend;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
    Map<K, T> want = new HashMap<>(wanted.size() * 2);
    for (T t : wanted) {
      want.put(key.apply(t), t);
    }
    Set<K> matched = new HashSet<>(actual.size() * 2);
    for (T t : actual) {
      K k = key.apply(t);
      if (Objects.equals(want.get(k), t)) {
        matched.add(k);
      }
    }
    List<T> deletes = new ArrayList<>();
    for (T t : actual) {
      K k = key.apply(t);
      T w = want.get(k);
      if (w == null || (matched.contains(k) && !w.equals(t))) {
        deletes.add(t); // unwanted, or a stale duplicate beside the right one
      }
    }
    List<T> upserts = new ArrayList<>();
    for (T t : wanted) {
      if (!matched.contains(key.apply(t))) {
        upserts.add(t);
      }
    }
    return new Diff<>(upserts, deletes);
  }

  /** Whether the kernel already matches. */
  public boolean isEmpty() {
    return upserts.isEmpty() && deletes.isEmpty();
  }
}
