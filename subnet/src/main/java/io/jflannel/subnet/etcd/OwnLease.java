package io.jflannel.subnet.etcd;

import io.jflannel.core.lease.Lease;
import java.time.Instant;

/**
 * This node's lease as the etcd manager holds it: the {@link Lease} handed to the daemon plus what
 * renewing it needs (the key, the value written, the key's create revision, the etcd lease id).
 *
 * <p>The create revision identifies this incarnation of the key: renewals are conditional on it, so
 * a key deleted by an operator and re-created by another node is never overwritten.
 *
 * <p>Immutable and thread-safe.
 *
 * @param lease the lease returned by {@link EtcdSubnetManager#acquireLease}
 * @param key the full etcd key, e.g. {@code /coreos.com/network/subnets/10.5.52.0-24}
 * @param value the JSON written ({@link io.jflannel.core.lease.LeaseAttrs#toJson()})
 * @param createRevision the key's create revision
 * @param leaseId the etcd lease attached to the key; 0 for a reservation (no TTL)
 */
record OwnLease(Lease lease, String key, String value, long createRevision, long leaseId) {

  /** Returns this lease after a renewal: a new etcd lease, expiration and revision. */
  OwnLease renewed(long newLeaseId, Instant expiration, long revision) {
    Lease renewed =
        new Lease(lease.subnet(), lease.ipv6Subnet(), lease.attrs(), expiration, revision);
    return new OwnLease(renewed, key, value, createRevision, newLeaseId);
  }

  /** Returns true for a reservation: a key without TTL, never renewed. */
  boolean reservation() {
    return leaseId == 0;
  }
}
