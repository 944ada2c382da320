package io.jflannel.core.subnet;

import io.jflannel.core.config.ConfigException;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseKey;
import io.jflannel.core.metrics.MetricSource;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The store of the cluster's subnet leases as one node sees it: where this node gets its pod subnet
 * from and learns every other node's; implemented for the Kubernetes API ({@code
 * --kube-subnet-mgr}: Node {@code spec.podCIDRs} plus {@code flannel.alpha.coreos.com/*}
 * annotations) and for etcd ({@code <prefix>/config}, {@code <prefix>/subnets/*}).
 *
 * <p>The daemon uses a manager in this order: {@link #networkConfig} → {@link #nodeRecord} →
 * (interface chosen, backend prepares its device) → {@link #acquireLease} → (local setup,
 * subnet.env) → {@link #watchLeases} and, from then on, {@link #currentLeases} for each periodic
 * reconcile → {@link #completeLease} → at stop, {@link #close}. Backends never see a manager: the
 * daemon feeds them the events.
 *
 * <p>Every method is meaningful for every store; there is no "unsupported". What a store keeps
 * about this node from before (kube: the {@code node-public-ip} annotation, the last backend data)
 * comes through {@link #nodeRecord}; a store's own metrics through {@link #declareMetrics}.
 *
 * <p>Thread-safety: implementations are safe for use from several threads; blocking methods declare
 * {@link InterruptedException} and, when interrupted, give up promptly with the interrupt flag
 * restored. Retrying after a {@link SubnetException} is the caller's decision (with jittered
 * backoff); implementations retry only the races inside one operation (etcd's create-if-absent).
 */
public interface SubnetManager extends MetricSource, AutoCloseable {

  /** Returns the manager's short name for logs and metrics: {@code "kube"} or {@code "etcd"}. */
  String name();

  /**
   * Returns the network configuration, parsed and validated by {@link NetworkConfig#parse}. Kube
   * mode reads the {@code --net-config-path} file; etcd mode reads {@code <prefix>/config}. Like
   * upstream, the daemon reads it once at start; later changes need a restart.
   *
   * @throws ConfigException if the config text is malformed or inconsistent: not worth retrying
   * @throws SubnetException if the config cannot be read (file or key missing, store unreachable):
   *     the caller may retry, as upstream does every second
   */
  NetworkConfig networkConfig() throws ConfigException, SubnetException, InterruptedException;

  /**
   * Returns what the store kept about this node before this start: addresses pinned for it and what
   * it advertised last time. Called once, before {@link #acquireLease}.
   *
   * @throws SubnetException if the store cannot be read now (the caller may go on without it)
   */
  NodeRecord nodeRecord() throws SubnetException, InterruptedException;

  /**
   * Obtains this node's subnet(s) and publishes {@code attrs} with them, so peers can reach the
   * node. Kube: the subnets are the Node's {@code spec.podCIDRs} (which must lie in the config's
   * networks) and the attributes become annotations. Etcd: reuses this node's lease or the subnet
   * recorded in the previous subnet.env if still valid, else picks a free subnet between SubnetMin
   * and SubnetMax, and creates the key with a 24 h TTL. Called once.
   *
   * @param attrs what this node advertises: public IP(s), backend type and data
   * @return this node's lease
   * @throws SubnetException if no lease can be had now (store unreachable, no pod CIDR assigned,
   *     out of subnets)
   */
  Lease acquireLease(LeaseAttrs attrs) throws SubnetException, InterruptedException;

  /**
   * Declares this node's network ready and keeps its lease: kube sets the Node condition {@code
   * NetworkUnavailable=False} (reason {@code FlannelIsUp}) unless disabled; etcd starts renewing
   * the lease before it expires and watching its key. Called once, after the backend runs.
   *
   * @param lease the lease {@link #acquireLease} returned
   * @param onLost called at most once, from a thread of the manager, if the store takes the lease
   *     away for good (etcd: the key was deleted or expired); upstream then shuts the daemon down
   * @throws SubnetException if the readiness cannot be published (kube: the status patch failed)
   */
  void completeLease(Lease lease, Consumer<Lease> onLost)
      throws SubnetException, InterruptedException;

  /**
   * Starts delivering changes to the peer leases to {@code listener}, under the contract described
   * on {@link LeaseListener} (one thread, coalesced per lease, initial state first, own lease
   * excluded). Reconnects to the store on its own, with backoff, until the watch is closed.
   *
   * @throws IllegalStateException if {@link #acquireLease} has not succeeded yet
   * @throws SubnetException if the watch cannot be started
   */
  LeaseWatch watchLeases(LeaseListener listener) throws SubnetException;

  /**
   * Returns every current peer lease (all leases but this node's own), for a level-triggered
   * reconcile of the kernel state. Kube answers from its informer cache; etcd may list the prefix.
   *
   * @throws IllegalStateException if {@link #acquireLease} has not succeeded yet
   * @throws SubnetException if the current set cannot be known (cache not synced, store
   *     unreachable)
   */
  List<Lease> currentLeases() throws SubnetException, InterruptedException;

  /**
   * Reads every lease the store holds now, this node's included, for {@code flanneld diagnose}:
   * nothing is acquired, published, renewed or watched, and nothing is written. Call after {@link
   * #networkConfig}.
   *
   * @param expectedOwn the subnets this node last wrote to subnet.env, or null: etcd ties a lease
   *     to a node by nothing else (kube reads this node's Node and ignores it)
   * @return every lease, and this node's lease with its exact expiration (etcd: the lease of {@code
   *     expectedOwn}, asked from etcd; kube: this Node's pod CIDRs and annotations)
   * @throws SubnetException if the store cannot be read
   */
  default LeaseSnapshot inspect(LeaseKey expectedOwn) throws SubnetException, InterruptedException {
    throw new SubnetException(name() + ": this lease store cannot be inspected");
  }

  /**
   * Returns why the store cannot be reached right now (etcd: the lease watch is down and
   * reconnecting; kube: the Node watch is), or empty while it can be, before {@link #watchLeases},
   * and when the manager cannot tell. The daemon's readiness check polls it every second and turns
   * {@code /readyz} 503 once the store has been unreachable longer than its threshold; it never
   * restarts anything because of it. Cheap and non-blocking: reads state, never the network.
   */
  default Optional<String> unreachable() {
    return Optional.empty();
  }

  /**
   * Stops renewals and watches and releases the client. Does not delete this node's lease: like
   * upstream, leases, annotations and keys stay in place for a zero-downtime restart. Idempotent;
   * never throws.
   */
  @Override
  void close();
}
