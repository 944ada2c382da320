package io.jflannel.daemon.run;

import io.jflannel.core.subnet.SubnetException;
import io.jflannel.core.subnet.SubnetManager;

/**
 * Makes the subnet manager the options ask for ({@code --kube-subnet-mgr}: Kubernetes, else etcd).
 * Everything the daemon asks a store afterwards goes through the {@link SubnetManager} SPI.
 */
@FunctionalInterface
public interface ManagerFactory {
  /** Connects to the store. */
  SubnetManager connect() throws SubnetException, InterruptedException;
}
