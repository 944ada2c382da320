package io.jflannel.backend.common;

import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.Finding;
import io.jflannel.core.backend.Inspection;
import io.jflannel.core.backend.Network;
import io.jflannel.core.backend.PlannedChange;
import io.jflannel.core.lease.Lease;
import java.util.List;

/**
 * An {@link Inspection} made of what a backend found about its devices and a network built over a
 * {@link ReadOnlyKernel}, whose {@link Network#plan} says what a reconcile would write. Owns the
 * network (which owns the kernel), or, without a network, the kernel itself.
 */
public final class NetworkInspection implements Inspection {
  private final List<Finding> devices;
  private final List<String> names;
  private final int mtu;
  private final Network network; // null: nothing per peer to plan (no usable device)
  private final Kernel kernel;

  /**
   * @param devices the findings about the backend's devices
   * @param names the devices that carry pod traffic
   * @param mtu the MTU for subnet.env
   * @param network the read-only network, or null when there is none to ask
   * @param kernel the read-only kernel, closed with the inspection
   */
  public NetworkInspection(
      List<Finding> devices, List<String> names, int mtu, Network network, Kernel kernel) {
    this.devices = List.copyOf(devices);
    this.names = List.copyOf(names);
    this.mtu = mtu;
    this.network = network;
    this.kernel = kernel;
  }

  @Override
  public List<Finding> devices() {
    return devices;
  }

  @Override
  public List<String> deviceNames() {
    return names;
  }

  @Override
  public int mtu() {
    return mtu;
  }

  @Override
  public List<PlannedChange> plan(List<Lease> peers) throws BackendException {
    return network == null ? List.of() : network.plan(peers);
  }

  @Override
  public void close() {
    if (network != null) {
      network.close();
    }
    kernel.close();
  }
}
