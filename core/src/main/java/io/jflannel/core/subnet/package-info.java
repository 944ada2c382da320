/**
 * The subnet manager SPI: {@link io.jflannel.core.subnet.SubnetManager} (acquire this node's lease,
 * watch the peers'), {@link io.jflannel.core.subnet.LeaseListener} with its delivery contract, and
 * {@link io.jflannel.core.subnet.SubnetException}. Implementations (Kubernetes, etcd) live in the
 * {@code subnet} module.
 *
 * <p>Unlike upstream's {@code subnet.Manager}, no method answers "unimplemented": {@code
 * RenewLease} and {@code WatchLease} are internal to the etcd manager, and the kube-only lookups
 * (stored MAC, stored public IP) are methods of the kube implementation. Events coalesce per lease
 * instead of queueing, so startup in a large cluster cannot overflow a channel (upstream #2252).
 */
package io.jflannel.core.subnet;
