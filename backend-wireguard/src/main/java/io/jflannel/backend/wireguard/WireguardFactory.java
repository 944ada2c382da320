package io.jflannel.backend.wireguard;

import io.jflannel.backend.common.Kernel;
import io.jflannel.backend.common.NetlinkKernel;
import io.jflannel.core.backend.Backend;
import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.BackendFactory;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.netlink.NetlinkException;

/** Creates the {@code wireguard} backend; found by {@link java.util.ServiceLoader}. */
public final class WireguardFactory implements BackendFactory {
  public static final String TYPE = "wireguard";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Backend create(NetworkConfig config, ExternalInterface iface) throws BackendException {
    WgOptions options = WgOptions.parse(config.backend());
    Kernel kernel;
    try {
      kernel = NetlinkKernel.open();
    } catch (NetlinkException e) {
      throw new BackendException("wireguard: cannot open netlink: " + e.getMessage(), e);
    }
    WgDevices devices =
        new WgDevices(
            kernel,
            GenlWgDevice::open,
            WireguardGo.find(System.getenv("PATH")),
            UapiWgDevice.SOCKET_DIR);
    return new WireguardBackend(
        config, options, iface, kernel, devices, KeyFile.path(System.getenv()));
  }
}
