package io.jflannel.core.backend;

import io.jflannel.core.lease.Lease;
import java.util.List;

/**
 * A read-only look at one backend's kernel state on this host, for {@code flanneld diagnose}
 * ({@link Backend#inspect}): its devices as they are, and what a reconcile would change for a set
 * of peers, computed by the same code the running network reconciles with, so the two cannot
 * disagree. Nothing it does writes to the kernel.
 *
 * <p>Owns the kernel handle it reads through; {@link #close} releases it.
 */
public interface Inspection extends AutoCloseable {

  /**
   * The backend's own devices (vxlan: {@code flannel.<VNI>}, {@code flannel-v6.<VNI>}; udp: {@code
   * flannel0}; host-gw: none) checked against what this node's lease needs: present, up, the
   * attributes, address, MAC and MTU the backend would give them. One finding per thing checked.
   */
  List<Finding> devices();

  /** The names of the devices that carry pod traffic here (for the reverse-path filter check). */
  List<String> deviceNames();

  /**
   * The MTU pods must use, as the running network would write it to subnet.env ({@link
   * Network#mtu}).
   */
  int mtu();

  /**
   * What a reconcile against {@code peers} would write now ({@link Network#plan}); empty when the
   * kernel matches. Peers of a family whose device is missing are left out (the device finding says
   * why).
   *
   * @param peers every peer lease, this node's own excluded
   * @throws BackendException if the kernel state cannot be read
   */
  List<PlannedChange> plan(List<Lease> peers) throws BackendException;

  @Override
  void close();
}
