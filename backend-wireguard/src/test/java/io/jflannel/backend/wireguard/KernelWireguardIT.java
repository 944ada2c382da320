package io.jflannel.backend.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.jflannel.backend.common.NetlinkKernel;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.netlink.Errno;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.NetNs;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.testing.NamespacedTest;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend on the kernel path, in a throwaway namespace: a kernel {@code flannel-wg} configured
 * through generic netlink, a peer written and read back, a restart writing nothing. Skipped, with
 * the reason, on a kernel without WireGuard (then the path is covered by the generic-netlink golden
 * bytes and the shared backend tests only).
 */
class KernelWireguardIT extends NamespacedTest {
  @TempDir Path dir;

  @Test
  void kernelDeviceGetsKeyPortAddressRouteAndPeers() throws Exception {
    Link eth = externalLink();
    try {
      nl.links().createWireguard("wgprobe", 0);
      nl.links().delete(nl.links().get("wgprobe").index());
    } catch (NetlinkException e) {
      assumeTrue(
          e.errno() != Errno.EOPNOTSUPP,
          "this kernel has no WireGuard (ip link add type wireguard: EOPNOTSUPP; modprobe"
              + " wireguard); the userspace path is tested by UapiWgDeviceIT and the e2e suite");
      throw e;
    }
    WireguardNetwork net = NetNs.call(ns.name(), () -> start(eth));
    try {
      Lease peer = peer();
      net.reconcile(List.of(peer));
      WgState s = net.links().get(0).device().read();
      assertThat(s.listenPort()).isEqualTo(51820);
      assertThat(s.peers()).hasSize(1);
      assertThat(ns.exec("wg", "show", "flannel-wg", "dump").stdout())
          .contains("192.168.50.3:51820");
      long writes = net.writes();
      net.reconcile(List.of(peer));
      assertThat(net.writes()).isEqualTo(writes);
    } finally {
      net.close();
    }
  }

  private WireguardNetwork start(Link eth) {
    try {
      NetlinkKernel kernel = NetlinkKernel.open();
      Ip4 ip = Ip4.parse("192.168.50.2");
      ExternalInterface iface =
          new ExternalInterface(eth.name(), eth.index(), eth.mtu(), ip, null, ip, null);
      NetworkConfig config =
          NetworkConfig.parse(
              "{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"wireguard\"}}");
      WgDevices devices =
          new WgDevices(kernel, GenlWgDevice::open, Optional.empty(), UapiWgDevice.SOCKET_DIR);
      WireguardBackend b =
          new WireguardBackend(
              config, WgOptions.parse(config.backend()), iface, kernel, devices, dir.resolve("k"));
      LeaseAttrs own = b.prepare(null);
      return (WireguardNetwork)
          b.register(new Lease(Ip4Net.parse("10.244.1.0/24"), null, own, null, 0));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Lease peer() {
    WgKey pub = X25519.publicOf(X25519.generatePrivate());
    return new Lease(
        Ip4Net.parse("10.244.2.0/24"),
        null,
        new LeaseAttrs(
            Ip4.parse("192.168.50.3"),
            null,
            "wireguard",
            JsonNodeFactory.instance.objectNode().put("PublicKey", pub.base64()),
            null),
        null,
        0);
  }
}
