package io.jflannel.backend.hostgw;

import io.jflannel.backend.common.Kernel;
import io.jflannel.backend.common.NetworkInspection;
import io.jflannel.backend.common.ReadOnlyKernel;
import io.jflannel.core.backend.Backend;
import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.backend.Inspection;
import io.jflannel.core.backend.Network;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import java.util.List;
import java.util.Objects;

/**
 * The host-gw backend before and after lease acquisition: nothing to create, a refusal behind NAT,
 * and the {@link HostGwNetwork} that keeps the routes.
 *
 * <p>Owns the {@link Kernel} it is given until {@link #register} hands it to the network (which
 * closes it).
 */
public final class HostGwBackend implements Backend {
  private final NetworkConfig config;
  private final ExternalInterface iface;
  private final Kernel kernel;

  /**
   * @throws BackendException if the public IP differs from the interface IP (NAT)
   */
  public HostGwBackend(NetworkConfig config, ExternalInterface iface, Kernel kernel)
      throws BackendException {
    this.config = config;
    this.iface = iface;
    this.kernel = kernel;
    if (!Objects.equals(iface.publicIp(), iface.address())
        || !Objects.equals(iface.publicIpv6(), iface.ipv6Address())) {
      kernel.close();
      throw new BackendException(
          "host-gw: the public IP "
              + (iface.publicIp() != null ? iface.publicIp() : iface.publicIpv6())
              + " differs from the IP of "
              + iface.name()
              + ", meaning that probably you're on a NAT, which is not supported by the host-gw"
              + " backend; use the vxlan backend, or drop --public-ip / the public-ip-overwrite"
              + " annotation");
    }
  }

  /**
   * No backend data: upstream's etcd value then has no {@code BackendData} key, and its kube
   * annotation reads {@code null}.
   */
  @Override
  public LeaseAttrs prepare(LeaseAttrs previous) {
    return new LeaseAttrs(iface.publicIp(), iface.publicIpv6(), HostGwFactory.TYPE, null, null);
  }

  @Override
  public Network register(Lease lease) throws BackendException {
    return new HostGwNetwork(kernel, iface, config, lease, nexthopRoutes(config));
  }

  /**
   * No device to check: a read-only network over the routes, for the per-peer check. The inspection
   * owns this backend's kernel from then on.
   */
  @Override
  public Inspection inspect(Lease lease) {
    Kernel ro = new ReadOnlyKernel(kernel);
    HostGwNetwork network = new HostGwNetwork(ro, iface, config, lease, nexthopRoutes(config));
    return new NetworkInspection(List.of(), List.of(), iface.mtu(), network, ro);
  }

  /** Our {@code NexthopRoutes} option (upstream ignores the key); keys are case-insensitive. */
  static boolean nexthopRoutes(NetworkConfig config) {
    boolean want = false;
    for (var it = config.backend().fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (k.equalsIgnoreCase("NexthopRoutes")) {
        want = config.backend().get(k).asBoolean(false);
      }
    }
    return want;
  }
}
