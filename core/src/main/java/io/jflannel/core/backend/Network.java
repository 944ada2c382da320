package io.jflannel.core.backend;

import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.metrics.MetricSource;
import java.util.List;

/**
 * This node's overlay network as a backend runs it: it holds the node's lease and MTU and keeps the
 * kernel's per-peer state (routes; for vxlan also ARP and FDB entries; for udp the peer table) in
 * line with the peer leases the daemon feeds it.
 *
 * <p>Two ways in, both needed: {@link #handle} applies changes as they arrive (edge-triggered,
 * cheap), and {@link #reconcile} makes the kernel match a complete set of peers (level-triggered:
 * removes state of peers that vanished while the daemon was down, restores entries someone
 * deleted). Both are idempotent: applying the same state twice changes nothing.
 *
 * <p>Threading: {@link #handle} and {@link #reconcile} are called from one thread, the daemon's
 * event thread, never concurrently with each other; {@link #run} runs on a thread of its own;
 * {@link #close} may be called from any thread and makes {@code run} return.
 *
 * <p>Closing stops the network's threads and releases its descriptors but leaves the kernel state
 * (device, routes, neighbours) in place, so a restarted daemon takes over without a traffic gap.
 */
public interface Network extends MetricSource, AutoCloseable {

  /** Returns this node's lease, the one the network was registered with. */
  Lease lease();

  /**
   * Returns the MTU pods must use, written to subnet.env as {@code FLANNEL_MTU}: the interface MTU
   * less the encapsulation overhead (vxlan 50, udp 28, host-gw 0).
   */
  int mtu();

  /**
   * Applies a batch of peer lease changes. A problem with one peer (garbage backend data, a route
   * the kernel refuses) is logged and skipped: every other peer keeps working and the next
   * reconcile retries it. Leases of another backend type are ignored with a warning.
   *
   * @param events at most one event per peer, as a {@link io.jflannel.core.subnet.LeaseListener}
   *     receives them
   * @throws BackendException if the batch could not be applied at all (e.g. the device is gone)
   */
  void handle(List<LeaseEvent> events) throws BackendException;

  /**
   * Makes the kernel state for peers match exactly {@code peers}: adds what is missing, repairs
   * what differs, removes entries of subnets not in the list. Per-peer problems are logged and
   * skipped, as in {@link #handle}.
   *
   * @param peers every current peer lease (this node's own lease excluded)
   * @throws BackendException if the kernel state could not be read or changed at all
   */
  void reconcile(List<Lease> peers) throws BackendException;

  /**
   * Says what {@link #reconcile} would write for {@code peers} now, without writing anything: the
   * entries peers need that are missing or differ, and the entries of this network no peer wants.
   * The reconcile and the plan share the code that compares, so they cannot disagree; {@code
   * flanneld diagnose} reports the plan. Leaves the network's own bookkeeping as it was.
   *
   * @param peers every current peer lease (this node's own lease excluded)
   * @return the writes, empty when the kernel matches
   * @throws BackendException if the kernel state cannot be read, or the backend cannot plan
   */
  default List<PlannedChange> plan(List<Lease> peers) throws BackendException {
    throw new BackendException("this backend cannot say what its reconcile would write");
  }

  /**
   * Runs the backend's own loop until {@link #close} is called (udp: forwarding packets between the
   * TUN device and the UDP socket); returns at once for a backend that has none.
   *
   * @throws BackendException if the loop fails and cannot continue
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  void run() throws BackendException, InterruptedException;

  /** Stops {@link #run} and releases descriptors; kernel state stays. Idempotent; never throws. */
  @Override
  void close();
}
