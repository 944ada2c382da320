/**
 * Subnet leases: {@link io.jflannel.core.lease.Lease} (a node's claim on its pod subnets), {@link
 * io.jflannel.core.lease.LeaseAttrs} (what it advertises, in upstream's exact JSON form) and {@link
 * io.jflannel.core.lease.LeaseEvent} (peer added or removed).
 *
 * <p>Mixed clusters of jflannel and upstream nodes read each other's leases, so the JSON form of
 * {@code LeaseAttrs} is byte-compatible with upstream's {@code json.Marshal} output, including Go's
 * string escaping and its omission rules.
 */
package io.jflannel.core.lease;
