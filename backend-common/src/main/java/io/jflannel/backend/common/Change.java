package io.jflannel.backend.common;

import io.jflannel.netlink.FdbEntry;
import io.jflannel.netlink.Neighbour;
import io.jflannel.netlink.Nexthop;
import io.jflannel.netlink.Route;
import java.util.Objects;

/**
 * One write of a per-peer kernel object: a replace (create or overwrite, {@code ip ... replace}) or
 * a delete of a {@link Route}, {@link Neighbour}, {@link FdbEntry} or {@link Nexthop}.
 *
 * @param delete true to delete the object, false to replace it
 * @param object the object, one of the four types
 */
public record Change(boolean delete, Object object) {

  /** Checks that the object is one of the four types. */
  public Change {
    Objects.requireNonNull(object, "object");
    if (!(object instanceof Route
        || object instanceof Neighbour
        || object instanceof FdbEntry
        || object instanceof Nexthop)) {
      throw new IllegalArgumentException("not a per-peer kernel object: " + object);
    }
  }

  /** A replace of {@code object}. */
  public static Change replace(Object object) {
    return new Change(false, object);
  }

  /** A delete of {@code object}. */
  public static Change delete(Object object) {
    return new Change(true, object);
  }

  /** {@code "route"}, {@code "neighbour"}, {@code "fdb"} or {@code "nexthop"}, for log lines. */
  public String kind() {
    if (object instanceof Route) {
      return "route";
    }
    if (object instanceof Neighbour) {
      return "neighbour";
    }
    return object instanceof FdbEntry ? "fdb" : "nexthop";
  }

  @Override
  public String toString() {
    return (delete ? "delete " : "replace ") + object;
  }
}
