package io.jflannel.core.backend;

import java.util.Objects;

/**
 * One kernel write a reconcile would make now ({@link Network#plan}): an entry a peer needs that is
 * missing or differs, or an entry of the network's that no peer wants.
 *
 * @param op what the reconcile would do
 * @param kind the kind of kernel object: {@code "route"}, {@code "neighbour"}, {@code "fdb"},
 *     {@code "nexthop"}, or a backend's own (udp: {@code "address"}, {@code "link"})
 * @param object the object as the reconcile would write it (or, for {@link Op#REMOVE}, as the
 *     kernel has it), one line
 * @param peer the subnets of the peer lease that needs it, e.g. {@code "10.244.2.0/24"}; null for
 *     {@link Op#REMOVE} and for the backend's own device
 * @param actual for {@link Op#FIX}: the kernel's object under the same key; else null
 */
public record PlannedChange(Op op, String kind, String object, String peer, String actual) {

  /** What a reconcile would do. */
  public enum Op {
    /** Write an object the kernel lacks. */
    ADD,
    /** Overwrite the kernel's object of the same key, which differs. */
    FIX,
    /** Delete an object of the network's that no current peer wants. */
    REMOVE
  }

  public PlannedChange {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(object, "object");
  }
}
