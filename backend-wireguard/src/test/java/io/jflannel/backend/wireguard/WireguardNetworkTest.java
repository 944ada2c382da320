package io.jflannel.backend.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jflannel.backend.common.testing.FakeKernel;
import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.netlink.Address;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Ips;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.Route;
import io.jflannel.netlink.wire.Rt;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wireguard backend's device and per-peer invariants on a fake kernel and fake devices. */
class WireguardNetworkTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Lease OWN = lease("10.244.1.0/24", "192.168.50.2", pub(1));

  @TempDir Path dir;
  private FakeKernel kernel;
  private ExternalInterface iface;
  private final Map<String, FakeWgDevice> devices = new HashMap<>();

  @BeforeEach
  void host() {
    kernel = new FakeKernel();
    Link eth0 = kernel.addLink("eth0", 1500);
    Ip4 ip = Ip4.parse("192.168.50.2");
    iface = new ExternalInterface("eth0", eth0.index(), 1500, ip, null, ip, null);
  }

  static WgKey priv(int n) {
    byte[] b = new byte[32];
    b[5] = (byte) n;
    b[1] = 7;
    return WgKey.of(X25519.clamp(b));
  }

  static String pub(int n) {
    return X25519.publicOf(priv(n)).base64();
  }

  static Lease lease(String subnet, String publicIp, String publicKey) {
    try {
      return new Lease(
          Ip4Net.parse(subnet),
          null,
          new LeaseAttrs(
              Ip4.parse(publicIp),
              null,
              "wireguard",
              JSON.readTree("{\"PublicKey\":\"" + publicKey + "\"}"),
              null),
          null,
          0);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private WireguardBackend backend(String options) throws Exception {
    NetworkConfig config =
        NetworkConfig.parse(
            "{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"wireguard\"" + options + "}}");
    WgDevices wg =
        new WgDevices(
            kernel,
            (name, k, mtu) -> devices.computeIfAbsent(name, FakeWgDevice::new),
            Optional.empty(),
            dir);
    return new WireguardBackend(
        config, WgOptions.parse(config.backend()), iface, kernel, wg, dir.resolve("wgkey"));
  }

  private WireguardNetwork network(String options) throws Exception {
    WireguardBackend b = backend(options);
    b.prepare(null);
    return (WireguardNetwork) b.register(OWN);
  }

  private FakeWgDevice dev() {
    return devices.get("flannel-wg");
  }

  private static WgPeer peer(String key, String ip, String subnet) {
    return new WgPeer(
        WgKey.parseBase64(key),
        new InetSocketAddress(Ips.parse(ip), 51820),
        List.of(IpPrefix.parse(subnet)),
        null,
        0);
  }

  @Test
  void prepareMakesTheKeyFileAndAdvertisesItsPublicKey() throws Exception {
    LeaseAttrs attrs = backend("").prepare(null);
    Path file = dir.resolve("wgkey");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("r--------");
    WgKey key = WgKey.parseBase64(Files.readString(file));
    assertThat(attrs.backendType()).isEqualTo("wireguard");
    assertThat(attrs.backendData().toString())
        .isEqualTo("{\"PublicKey\":\"" + X25519.publicOf(key).base64() + "\"}");
    assertThat(attrs.backendV6Data()).isNull();
    assertThat(attrs.publicIp()).isEqualTo(Ip4.parse("192.168.50.2"));

    LeaseAttrs again = backend("").prepare(null);
    assertThat(again.backendData()).isEqualTo(attrs.backendData());
    assertThat(WgKey.parseBase64(Files.readString(file))).isEqualTo(key);
  }

  @Test
  void registerConfiguresTheDeviceAsUpstream() throws Exception {
    WireguardNetwork net = network(",\"ListenPort\":51999");
    Link link = kernel.findLink("flannel-wg").orElseThrow();
    assertThat(link.kind()).isEqualTo("wireguard");
    assertThat(link.mtu()).isEqualTo(1420);
    assertThat(link.isUp()).isTrue();
    assertThat(net.mtu()).isEqualTo(1420);
    assertThat(kernel.addresses(link.index()))
        .extracting(Address::prefix)
        .containsExactly(IpPrefix.parse("10.244.1.0/32"));
    assertThat(kernel.storedRoutes())
        .filteredOn(r -> r.linkIndex() == link.index())
        .extracting(Route::dst, Route::scope)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(IpPrefix.parse("10.244.0.0/16"), Rt.RT_SCOPE_LINK));
    assertThat(dev().port).isEqualTo(51999);
    assertThat(dev().privateKey)
        .isEqualTo(WgKey.parseBase64(Files.readString(dir.resolve("wgkey"))));
  }

  @Test
  void mtuOptionOverridesTheInterfaces() throws Exception {
    WireguardNetwork net = network(",\"MTU\":9000");
    assertThat(net.mtu()).isEqualTo(8920);
    assertThat(kernel.findLink("flannel-wg").orElseThrow().mtu()).isEqualTo(8920);
  }

  @Test
  void peersAreAddedChangedInPlaceRotatedAndRemoved() throws Exception {
    WireguardNetwork net =
        network(",\"PSK\":\"" + pub(9) + "\",\"PersistentKeepaliveInterval\":25");
    Lease a = lease("10.244.2.0/24", "192.168.50.3", pub(2));
    Lease b = lease("10.244.3.0/24", "192.168.50.4", pub(3));
    net.handle(
        List.of(new LeaseEvent.Added(a), new LeaseEvent.Added(b), new LeaseEvent.Added(OWN)));
    WgPeer pa = dev().peers.get(WgKey.parseBase64(pub(2)));
    assertThat(pa.endpoint()).isEqualTo(new InetSocketAddress(Ips.parse("192.168.50.3"), 51820));
    assertThat(pa.allowedIps()).containsExactly(IpPrefix.parse("10.244.2.0/24"));
    assertThat(pa.presharedKey()).isEqualTo(WgKey.parseBase64(pub(9)));
    assertThat(pa.keepalive()).isEqualTo(25);
    assertThat(dev().peers).hasSize(2);

    dev().updates.clear();
    Lease moved = lease("10.244.2.0/24", "192.168.50.13", pub(2));
    net.handle(List.of(new LeaseEvent.Added(moved)));
    assertThat(dev().updates).hasSize(1);
    assertThat(dev().updates.get(0).removals()).isEmpty();
    assertThat(dev().updates.get(0).upserts())
        .extracting(WgPeer::endpointText)
        .containsExactly("192.168.50.13:51820");

    dev().updates.clear();
    Lease rotated = lease("10.244.2.0/24", "192.168.50.13", pub(4));
    net.handle(List.of(new LeaseEvent.Added(rotated)));
    assertThat(dev().updates).hasSize(1);
    assertThat(dev().updates.get(0).removals()).containsExactly(WgKey.parseBase64(pub(2)));
    assertThat(dev().updates.get(0).upserts())
        .extracting(WgPeer::publicKey)
        .containsExactly(WgKey.parseBase64(pub(4)));
    assertThat(dev().peers.keySet())
        .containsExactlyInAnyOrder(WgKey.parseBase64(pub(3)), WgKey.parseBase64(pub(4)));

    net.handle(List.of(new LeaseEvent.Removed(b)));
    assertThat(dev().peers.keySet()).containsExactly(WgKey.parseBase64(pub(4)));
    assertThat(net.writes()).isPositive();
  }

  @Test
  void aRestartOverACorrectDeviceWritesNothing() throws Exception {
    WireguardNetwork first = network("");
    List<Lease> peers =
        List.of(
            lease("10.244.2.0/24", "192.168.50.3", pub(2)),
            lease("10.244.3.0/24", "192.168.50.4", pub(3)));
    first.reconcile(peers);
    first.close();
    kernel.clearWrites();
    int updates = dev().updates.size();

    WireguardNetwork second = network("");
    second.handle(peers.stream().map(l -> (LeaseEvent) new LeaseEvent.Added(l)).toList());
    second.reconcile(peers);
    assertThat(dev().updates).hasSize(updates);
    assertThat(second.writes()).isZero();
    assertThat(kernel.writes()).isEmpty();
    assertThat(kernel.deviceOps()).noneMatch(op -> op.startsWith("create") || op.startsWith("set"));
  }

  @Test
  void reconcileRepairsDrift() throws Exception {
    WireguardNetwork net = network("");
    List<Lease> peers =
        List.of(
            lease("10.244.2.0/24", "192.168.50.3", pub(2)),
            lease("10.244.3.0/24", "192.168.50.4", pub(3)));
    net.handle(peers.stream().map(l -> (LeaseEvent) new LeaseEvent.Added(l)).toList());
    WgKey k2 = WgKey.parseBase64(pub(2));
    WgKey k3 = WgKey.parseBase64(pub(3));
    WgKey stranger = WgKey.parseBase64(pub(8));
    dev().peers.remove(k2);
    dev().peers.put(k3, peer(pub(3), "192.168.50.99", "10.244.3.0/24"));
    dev().peers.put(stranger, peer(pub(8), "192.168.50.8", "10.244.8.0/24"));
    dev().port = 1234;

    net.reconcile(peers);
    assertThat(dev().peers.keySet()).containsExactlyInAnyOrder(k2, k3);
    assertThat(dev().peers.get(k3).endpointText()).isEqualTo("192.168.50.4:51820");
    assertThat(dev().port).isEqualTo(51820);
    dev().updates.clear();
    net.reconcile(peers);
    assertThat(dev().updates).isEmpty();
  }

  @Test
  void aMalformedKeyIsSkippedAndTheOthersStillWork() throws Exception {
    WireguardNetwork net = network("");
    Lease bad = lease("10.244.5.0/24", "192.168.50.5", "not-a-key");
    Lease short_ = lease("10.244.6.0/24", "192.168.50.6", "AAAA");
    Lease good = lease("10.244.2.0/24", "192.168.50.3", pub(2));
    net.handle(
        List.of(
            new LeaseEvent.Added(bad), new LeaseEvent.Added(short_), new LeaseEvent.Added(good)));
    assertThat(dev().peers.keySet()).containsExactly(WgKey.parseBase64(pub(2)));
    net.reconcile(List.of(bad, short_, good));
    assertThat(dev().peers).hasSize(1);
  }

  @Test
  void leasesOfAnotherBackendAreSkipped() throws Exception {
    WireguardNetwork net = network("");
    Lease vx =
        new Lease(
            Ip4Net.parse("10.244.7.0/24"),
            null,
            new LeaseAttrs(
                Ip4.parse("192.168.50.7"),
                null,
                "vxlan",
                JSON.readTree("{\"VNI\":1,\"VtepMAC\":\"0e:00:00:00:00:01\"}"),
                null),
            null,
            0);
    net.handle(List.of(new LeaseEvent.Added(vx)));
    assertThat(dev().peers).isEmpty();
  }

  @Test
  void aDeadWireguardGoIsBroughtBackWithItsPeers() throws Exception {
    WireguardNetwork net = network("");
    List<Lease> peers = List.of(lease("10.244.2.0/24", "192.168.50.3", pub(2)));
    net.reconcile(peers);
    dev().alive = false;
    Thread t =
        new Thread(
            () -> {
              try {
                net.run();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    t.start();
    long deadline = System.currentTimeMillis() + 5000;
    while (net.restarts() == 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    net.close();
    t.join(5000);
    assertThat(net.restarts()).isEqualTo(1);
    assertThat(dev().created).isEqualTo(1);
    assertThat(dev().peers.keySet()).containsExactly(WgKey.parseBase64(pub(2)));
    assertThat(dev().port).isEqualTo(51820);
    assertThat(t.isAlive()).isFalse();
    assertThat(dev().closed).isTrue();
    List<WgUpdate> last =
        dev().peerUpdates().subList(dev().peerUpdates().size() - 3, dev().peerUpdates().size());
    assertThat(last)
        .as("the peer written back, then a keepalive set and unset: its handshake starts at once")
        .extracting(u -> u.upserts().get(0).keepalive())
        .containsExactly(0, 1, 0);
    assertThat(dev().peers.get(WgKey.parseBase64(pub(2))).keepalive()).isZero();
    assertThat(net.repairs().total(io.jflannel.backend.common.DeviceRepairs.Reason.DELETED))
        .isEqualTo(1);
  }

  @Test
  void aDeviceThePeriodicReconcileFindsGoneIsMadeAnewAndItsHandshakesStarted() throws Exception {
    WireguardNetwork net = network("");
    List<Lease> peers = List.of(lease("10.244.2.0/24", "192.168.50.3", pub(2)));
    net.reconcile(peers);
    int before = dev().peerUpdates().size();
    dev().alive = false; // deleted; the resync gets there before the device watch
    net.reconcile(peers);
    assertThat(dev().created).isEqualTo(1);
    assertThat(dev().peers.keySet()).containsExactly(WgKey.parseBase64(pub(2)));
    assertThat(dev().peerUpdates().subList(before, dev().peerUpdates().size()))
        .as("the peer written back, then a keepalive set and unset: its handshake starts at once")
        .extracting(u -> u.upserts().get(0).keepalive())
        .containsExactly(0, 1, 0);
    int after = dev().peerUpdates().size();
    net.reconcile(peers);
    assertThat(dev().peerUpdates())
        .as("nothing more when the device was already right")
        .hasSize(after);
    net.close();
  }

  @Test
  void noKernelWireguardAndNoWireguardGoIsOneLineNamingBothFixes() throws Exception {
    kernel.hasWireguard(false);
    assertThatThrownBy(() -> backend("").prepare(null))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("modprobe wireguard")
        .hasMessageContaining("apt-get install wireguard-go")
        .hasMessageContaining("EOPNOTSUPP")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void noKernelWireguardPicksWireguardGo() throws Exception {
    kernel.hasWireguard(false);
    WgDevices wg =
        new WgDevices(
            kernel,
            (n, k, mtu) -> {
              throw new AssertionError("kernel path");
            },
            Optional.of(Path.of("/usr/bin/wireguard-go")),
            dir);
    WgDevice d = wg.open("flannel-wg", 1420);
    assertThat(d).isInstanceOf(UapiWgDevice.class);
    assertThat(((UapiWgDevice) d).socket()).isEqualTo(dir.resolve("flannel-wg.sock"));
  }

  @Test
  void separateDualStackHasTwoDevicesAndARestartWritesNothing() throws Exception {
    Link eth0 = kernel.findLink("eth0").orElseThrow();
    Ip4 ip = Ip4.parse("192.168.50.2");
    io.jflannel.core.ip.Ip6 ip6 = io.jflannel.core.ip.Ip6.parse("fd00:50::2");
    iface = new ExternalInterface("eth0", eth0.index(), 1500, ip, ip6, ip, ip6);
    NetworkConfig config =
        NetworkConfig.parse(
            "{\"Network\":\"10.244.0.0/16\",\"EnableIPv6\":true,\"IPv6Network\":\"fd10::/48\","
                + "\"Backend\":{\"Type\":\"wireguard\"}}");
    Lease own =
        new Lease(
            Ip4Net.parse("10.244.1.0/24"),
            io.jflannel.core.ip.Ip6Net.parse("fd10:0:1::/64"),
            OWN.attrs(),
            null,
            0);
    WgDevices wg =
        new WgDevices(
            kernel,
            (name, k, mtu) -> devices.computeIfAbsent(name, FakeWgDevice::new),
            Optional.empty(),
            dir);
    WireguardBackend b =
        new WireguardBackend(
            config, WgOptions.parse(config.backend()), iface, kernel, wg, dir.resolve("wgkey"));
    LeaseAttrs attrs = b.prepare(null);
    assertThat(attrs.backendV6Data()).isEqualTo(attrs.backendData());
    assertThat(attrs.publicIpv6()).isEqualTo(ip6);
    WireguardNetwork net = (WireguardNetwork) b.register(own);
    Link v6 = kernel.findLink("flannel-wg-v6").orElseThrow();
    assertThat(kernel.addresses(v6.index()))
        .extracting(Address::prefix)
        .containsExactly(IpPrefix.parse("fd10:0:1::/128"));
    assertThat(devices.get("flannel-wg-v6").port).isEqualTo(51821);
    assertThat(kernel.storedRoutes())
        .filteredOn(r -> r.linkIndex() == v6.index())
        .extracting(Route::dst)
        .contains(IpPrefix.parse("fd10::/48"));
    net.close();
    kernel.clearWrites();
    int ops = kernel.deviceOps().size();
    WireguardBackend again =
        new WireguardBackend(
            config, WgOptions.parse(config.backend()), iface, kernel, wg, dir.resolve("wgkey"));
    again.prepare(null);
    WireguardNetwork second = (WireguardNetwork) again.register(own);
    second.reconcile(List.of());
    assertThat(second.writes()).isZero();
    assertThat(kernel.writes()).isEmpty();
    assertThat(kernel.deviceOps().subList(ops, kernel.deviceOps().size()))
        .noneMatch(
            op ->
                op.startsWith("create")
                    || op.startsWith("set")
                    || op.startsWith("replace")
                    || op.startsWith("delete"));
  }
}
