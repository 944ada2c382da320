/**
 * The backend SPI: a {@link io.jflannel.core.backend.BackendFactory} (found with {@code
 * ServiceLoader}) creates a {@link io.jflannel.core.backend.Backend} for the configured type and
 * the {@link io.jflannel.core.backend.ExternalInterface}; the backend prepares its device, then
 * runs as a {@link io.jflannel.core.backend.Network} that keeps per-peer kernel state in line with
 * the leases the daemon feeds it.
 *
 * <p>As in upstream, the contract is small (a network has a lease, an MTU and a run loop); unlike
 * upstream, a network also accepts a full set of peers to reconcile against, so a restart repairs
 * drift instead of only adding what events mention.
 */
package io.jflannel.core.backend;
