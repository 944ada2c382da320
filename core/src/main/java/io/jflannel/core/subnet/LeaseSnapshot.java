package io.jflannel.core.subnet;

import io.jflannel.core.lease.Lease;
import java.util.List;
import java.util.Optional;

/**
 * The store's leases as read at one moment, for {@code flanneld diagnose} ({@link
 * SubnetManager#inspect}).
 *
 * @param leases every lease the store holds, this node's included
 * @param own this node's lease as the store holds it, with its exact expiration; empty when the
 *     store holds none for it
 */
public record LeaseSnapshot(List<Lease> leases, Optional<Lease> own) {
  public LeaseSnapshot {
    leases = List.copyOf(leases);
  }
}
