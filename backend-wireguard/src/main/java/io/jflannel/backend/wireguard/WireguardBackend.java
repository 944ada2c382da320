package io.jflannel.backend.wireguard;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jflannel.backend.common.Kernel;
import io.jflannel.backend.common.KernelTypes;
import io.jflannel.core.backend.Backend;
import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.backend.Network;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.NetlinkException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wireguard backend before and after lease acquisition, as upstream's: {@link #prepare} reads
 * (or makes) the private key, creates the device(s) and advertises the public key in {@code
 * BackendData} (and {@code BackendV6Data}) as {@code {"PublicKey":"<base64>"}}; {@link #register}
 * gives each device its key, port, MTU, address and whole-Network route and returns the {@link
 * WireguardNetwork} that keeps the peers.
 *
 * <p>Devices: in separate mode {@code flannel-wg} for IPv4 and {@code flannel-wg-v6} for IPv6 (each
 * only if the family is enabled); in the other modes one {@code flannel-wg} for both. Owns the
 * {@link Kernel} and the devices until {@code register} hands them to the network.
 */
public final class WireguardBackend implements Backend {
  private static final Logger log = LoggerFactory.getLogger(WireguardBackend.class);

  /** IPv4/IPv6 header, UDP header, WireGuard's type, key index, nonce and tag: upstream's 80. */
  static final int OVERHEAD = 80;

  static final String DEVICE = "flannel-wg";
  static final String DEVICE_V6 = "flannel-wg-v6";

  private final NetworkConfig config;
  private final WgOptions options;
  private final ExternalInterface iface;
  private final Kernel kernel;
  private final WgDevices devices;
  private final Path keyFile;
  private final List<WgDevice> opened = new ArrayList<>();
  private WgKey privateKey;

  WireguardBackend(
      NetworkConfig config,
      WgOptions options,
      ExternalInterface iface,
      Kernel kernel,
      WgDevices devices,
      Path keyFile) {
    this.config = config;
    this.options = options;
    this.iface = iface;
    this.kernel = kernel;
    this.devices = devices;
    this.keyFile = keyFile;
  }

  /** The MTU the device MTU derives from: the MTU option, else the interface's. */
  int baseMtu() {
    return options.mtu() > 0 ? options.mtu() : iface.mtu();
  }

  private boolean separate() {
    return options.mode() == Mode.SEPARATE;
  }

  @Override
  public LeaseAttrs prepare(LeaseAttrs previous) throws BackendException {
    if (!opened.isEmpty()) {
      throw new IllegalStateException("prepare called twice");
    }
    checkAddresses();
    try {
      privateKey = KeyFile.loadOrCreate(keyFile);
    } catch (IOException e) {
      kernel.close();
      throw new BackendException("wireguard: " + e.getMessage(), e);
    }
    WgKey publicKey = X25519.publicOf(privateKey);
    int mtu = baseMtu() - OVERHEAD;
    try {
      if (!separate() || config.enableIPv4()) {
        opened.add(devices.open(DEVICE, mtu));
      }
      if (separate() && config.enableIPv6()) {
        opened.add(devices.open(DEVICE_V6, mtu));
      }
      for (WgDevice d : opened) {
        d.ensure();
      }
    } catch (BackendException | WgException e) {
      closeAll();
      throw e instanceof BackendException be
          ? be
          : new BackendException("wireguard: " + e.getMessage(), e);
    }
    log.info("wireguard: public key {} (mode {}, mtu {})", publicKey, options.mode().text(), mtu);
    ObjectNode data = JsonNodeFactory.instance.objectNode().put("PublicKey", publicKey.base64());
    return new LeaseAttrs(
        config.enableIPv4() ? iface.publicIp() : null,
        config.enableIPv6() ? iface.publicIpv6() : null,
        WireguardFactory.TYPE,
        config.enableIPv4() ? data : null,
        config.enableIPv6() ? data : null);
  }

  private void checkAddresses() throws BackendException {
    if (config.enableIPv4() && iface.address() == null) {
      throw new BackendException(
          "wireguard: the net config enables IPv4 but "
              + iface.name()
              + " has no IPv4 address;"
              + " choose another interface (--iface) or set \"EnableIPv4\": false");
    }
    if (config.enableIPv6() && iface.ipv6Address() == null) {
      throw new BackendException(
          "wireguard: the net config enables IPv6 but "
              + iface.name()
              + " has no IPv6 address;"
              + " choose another interface (--iface) or set \"EnableIPv6\": false");
    }
  }

  @Override
  public Network register(Lease lease) throws BackendException {
    if (opened.isEmpty()) {
      throw new IllegalStateException("register before prepare");
    }
    List<WgLink> links = new ArrayList<>();
    List<PeerSpec> specs = new ArrayList<>();
    int mtu = baseMtu() - OVERHEAD;
    for (WgDevice d : opened) {
      boolean v6dev = d.name().equals(DEVICE_V6);
      List<IpPrefix> addrs = new ArrayList<>();
      List<IpPrefix> nets = new ArrayList<>();
      if (!v6dev && config.enableIPv4() && lease.subnet() != null) {
        addrs.add(KernelTypes.host(lease.subnet().ip()));
        nets.add(KernelTypes.prefix(config.network()));
      }
      if ((v6dev || !separate()) && config.enableIPv6() && lease.ipv6Subnet() != null) {
        addrs.add(KernelTypes.host(lease.ipv6Subnet().ip()));
        nets.add(KernelTypes.prefix(config.ipv6Network()));
      }
      int port = v6dev ? options.listenPortV6() : options.listenPort();
      links.add(new WgLink(d, privateKey, port, mtu, addrs, nets));
      int family = !separate() ? 0 : v6dev ? 6 : 4;
      specs.add(
          new PeerSpec(options.mode(), family, port, options.psk(), options.keepalive(), iface));
    }
    try {
      WireguardNetwork net =
          new WireguardNetwork(kernel, lease, baseMtu() - OVERHEAD, links, specs);
      net.start();
      for (WgLink l : links) {
        log.info(
            "{}: {} mtu {}, port {}, route(s) {} dev {}; {}",
            l.name(),
            l.addresses(),
            l.mtu(),
            l.port(),
            l.networks(),
            l.name(),
            l.device().kind());
      }
      return net;
    } catch (WgException | NetlinkException e) {
      closeAll();
      throw new BackendException("wireguard: cannot configure the device: " + e.getMessage(), e);
    }
  }

  private void closeAll() {
    opened.forEach(WgDevice::close);
    opened.clear();
    kernel.close();
  }
}
