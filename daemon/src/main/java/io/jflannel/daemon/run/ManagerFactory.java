package io.jflannel.daemon.run;

import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.subnet.SubnetException;
import io.jflannel.core.subnet.SubnetManager;

/**
 * Makes the subnet manager the options ask for ({@code --kube-subnet-mgr}: Kubernetes, else etcd)
 * and answers the store-specific questions the daemon asks before the lease: what this node
 * advertised last time and which public IP the store pins for it.
 */
public interface ManagerFactory {
  /** Connects to the store. */
  SubnetManager connect() throws SubnetException, InterruptedException;

  /**
   * What this node advertised before (kube: its annotations; etcd: the lease with its public IP),
   * or null; lets the backend keep the VTEP MAC across reboots.
   */
  LeaseAttrs previousAttrs(SubnetManager manager, LeaseAttrs probe) throws InterruptedException;
}
