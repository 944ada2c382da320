package io.jflannel.core.backend;

import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;

/**
 * One backend (vxlan, host-gw, udp) bound to this node's external interface and network config: it
 * sets up the local data plane in two steps around lease acquisition, and then runs as a {@link
 * Network}.
 *
 * <p>The daemon calls {@link #prepare} before it acquires the lease, because the lease must carry
 * what the backend creates (vxlan: the device's MAC), and {@link #register} after, because the
 * local setup needs the subnet (vxlan: the device's {@code /32} address). A backend never talks to
 * a {@link io.jflannel.core.subnet.SubnetManager}; the daemon acquires the lease and feeds peer
 * events to the network.
 *
 * <p>Each method is called once, in that order, from the daemon's start-up thread. {@code flanneld
 * diagnose} calls {@link #inspect} instead, and neither of the others.
 */
public interface Backend {

  /**
   * Creates or adopts the backend's device (vxlan: {@code flannel.<VNI>}; udp: {@code flannel0};
   * host-gw: none) and returns what this node advertises with its lease.
   *
   * @param previous what this node advertised before (kube: its annotations; etcd: the lease that
   *     carries its public IP), or null on a first start; lets a backend keep identities peers
   *     already know, such as the vxlan device's MAC after a reboot (upstream issue #1795)
   * @return the public address(es), the backend type and the backend data peers need, e.g. {@code
   *     {"VNI":1,"VtepMAC":"..."}}
   * @throws BackendException if the device cannot be created or the options are invalid
   */
  LeaseAttrs prepare(LeaseAttrs previous) throws BackendException;

  /**
   * Configures the local side for this node's lease (device address, link up, whole-network route
   * where the backend needs one) and returns the running network.
   *
   * @param lease this node's lease, as the subnet manager returned it
   * @throws BackendException if the local setup fails
   */
  Network register(Lease lease) throws BackendException;

  /**
   * Looks at this backend's state on this host for {@code flanneld diagnose}, without creating,
   * changing or deleting anything: the devices as they are, and a read-only network over them that
   * can say what a reconcile would write.
   *
   * @param lease this node's lease, as the store holds it
   * @throws BackendException if the kernel cannot be read, or the backend cannot be inspected
   */
  default Inspection inspect(Lease lease) throws BackendException {
    throw new BackendException(
        "this backend cannot be inspected: flanneld diagnose checks its host and lease only");
  }
}
