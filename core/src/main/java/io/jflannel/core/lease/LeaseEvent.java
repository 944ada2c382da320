package io.jflannel.core.lease;

import java.util.Objects;

/**
 * A change to the set of peer leases, as delivered to a {@link
 * io.jflannel.core.subnet.LeaseListener}: a peer's lease appeared or changed ({@link Added}), or it
 * went away ({@link Removed}).
 *
 * <p>{@code Added} is also the event for a changed lease (new public IP, new VTEP MAC): the lease
 * it carries replaces any earlier state for the same subnets, and the receiver makes the kernel
 * match it. The interface is sealed: code that handles both records handles every event.
 */
public sealed interface LeaseEvent {

  /** Returns the lease the event is about; for {@link Removed} its last known state. */
  Lease lease();

  /**
   * A peer's lease appeared or changed: program the routes (and, for vxlan, ARP and FDB entries)
   * that reach it.
   *
   * @param lease the peer's current lease
   */
  record Added(Lease lease) implements LeaseEvent {
    /** Checks that the lease is present. */
    public Added {
      Objects.requireNonNull(lease, "lease");
    }
  }

  /**
   * A peer's lease went away (node deleted, etcd key expired or deleted): remove what reached it.
   *
   * @param lease the peer's last known lease
   */
  record Removed(Lease lease) implements LeaseEvent {
    /** Checks that the lease is present. */
    public Removed {
      Objects.requireNonNull(lease, "lease");
    }
  }
}
