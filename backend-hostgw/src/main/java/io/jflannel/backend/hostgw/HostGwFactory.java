package io.jflannel.backend.hostgw;

import io.jflannel.backend.common.NetlinkKernel;
import io.jflannel.core.backend.Backend;
import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.BackendFactory;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.netlink.NetlinkException;

/** Creates the {@code host-gw} backend; found by {@link java.util.ServiceLoader}. */
public final class HostGwFactory implements BackendFactory {
  public static final String TYPE = "host-gw";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Backend create(NetworkConfig config, ExternalInterface iface) throws BackendException {
    try {
      return new HostGwBackend(config, iface, NetlinkKernel.open());
    } catch (NetlinkException e) {
      throw new BackendException("host-gw: cannot open netlink: " + e.getMessage(), e);
    }
  }
}
