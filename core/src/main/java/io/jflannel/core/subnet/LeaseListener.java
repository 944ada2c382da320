package io.jflannel.core.subnet;

import io.jflannel.core.lease.LeaseEvent;
import java.util.List;

/**
 * Receives changes to the set of peer leases from {@link SubnetManager#watchLeases}; in the daemon
 * it feeds them to the backend's {@link io.jflannel.core.backend.Network}.
 *
 * <p>Delivery contract, which every {@link SubnetManager} keeps:
 *
 * <ul>
 *   <li><b>One thread.</b> Calls come from a single thread owned by the manager, one at a time, in
 *       the order the changes happened; the listener needs no locking of its own.
 *   <li><b>Coalescing.</b> Changes to the same subnets that happen while a batch is waiting or
 *       being handled collapse into one event carrying the latest state, so a batch holds at most
 *       one event per lease and pending work is bounded by the number of peers, never by the rate
 *       of changes: a burst of 5,000 nodes starting cannot overflow a queue (upstream issue #2252).
 *       An {@code Added} followed by a {@code Removed} is delivered as the {@code Removed}; a
 *       {@code Removed} followed by an {@code Added} as the {@code Added}.
 *   <li><b>Peers only.</b> The manager's own lease (the one {@link SubnetManager#acquireLease}
 *       returned) is never delivered.
 *   <li><b>Initial state first.</b> The first batches hold an {@code Added} for every peer lease
 *       that exists when the watch starts; then come changes. Empty batches are not delivered.
 *   <li><b>Failures.</b> If the listener throws, the manager logs the exception and carries on with
 *       the next batch; the failed batch is not delivered again. The daemon's periodic reconcile
 *       against {@link SubnetManager#currentLeases} repairs what was missed.
 * </ul>
 *
 * <p>The listener should return promptly (a netlink batch, not a network round trip): changes that
 * arrive meanwhile wait, coalesced, for the next call.
 */
@FunctionalInterface
public interface LeaseListener {

  /**
   * Handles one batch of changes.
   *
   * @param events at most one event per lease, in the order the latest change of each happened;
   *     never empty, never modified by the manager afterwards
   */
  void onEvents(List<LeaseEvent> events);
}
