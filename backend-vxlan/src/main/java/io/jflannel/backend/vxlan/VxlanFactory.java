package io.jflannel.backend.vxlan;

import io.jflannel.backend.common.NetlinkKernel;
import io.jflannel.core.backend.Backend;
import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.BackendFactory;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.netlink.NetlinkException;

/** Creates the {@code vxlan} backend; found by {@link java.util.ServiceLoader}. */
public final class VxlanFactory implements BackendFactory {
  public static final String TYPE = "vxlan";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Backend create(NetworkConfig config, ExternalInterface iface) throws BackendException {
    VxlanOptions options = VxlanOptions.parse(config.backend());
    try {
      return new VxlanBackend(config, options, iface, NetlinkKernel.open());
    } catch (NetlinkException e) {
      throw new BackendException("vxlan: cannot open netlink: " + e.getMessage(), e);
    }
  }
}
