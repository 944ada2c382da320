package io.jflannel.backend.udp;

import io.jflannel.backend.common.NetlinkKernel;
import io.jflannel.core.backend.Backend;
import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.BackendFactory;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.netlink.NetlinkException;

/** Creates the {@code udp} backend; found by {@link java.util.ServiceLoader}. */
public final class UdpFactory implements BackendFactory {
  public static final String TYPE = "udp";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Backend create(NetworkConfig config, ExternalInterface iface) throws BackendException {
    UdpOptions options = UdpOptions.parse(config.backend());
    try {
      return new UdpBackend(config, options, iface, NetlinkKernel.open());
    } catch (NetlinkException e) {
      throw new BackendException("udp: cannot open netlink: " + e.getMessage(), e);
    }
  }
}
