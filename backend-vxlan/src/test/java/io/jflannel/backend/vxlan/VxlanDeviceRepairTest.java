package io.jflannel.backend.vxlan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jflannel.backend.common.DeviceRepairs.Reason;
import io.jflannel.backend.common.testing.FakeKernel;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.netlink.Address;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.MacAddress;
import io.jflannel.netlink.VxlanAttrs;
import io.jflannel.netlink.VxlanSpec;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * flannel.1 deleted, set down or changed under a running network, on the in-memory kernel: it is
 * made again as the backend made it (same MAC, address, settings) and every peer is programmed
 * again; each repair is counted by reason; a device that is right costs nothing.
 */
class VxlanDeviceRepairTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private FakeKernel kernel;
  private VxlanNetwork network;
  private Link made;
  private final List<Lease> peers =
      List.of(
          lease("10.244.2.0/24", "192.168.50.3", "0e:00:00:00:00:02"),
          lease("10.244.3.0/24", "192.168.50.4", "0e:00:00:00:00:03"));

  private static Lease lease(String subnet, String publicIp, String mac) {
    try {
      return new Lease(
          Ip4Net.parse(subnet),
          null,
          new LeaseAttrs(
              Ip4.parse(publicIp),
              null,
              "vxlan",
              JSON.readTree("{\"VNI\":1,\"VtepMAC\":\"" + mac + "\"}"),
              null),
          null,
          0);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  @BeforeEach
  void running() throws Exception {
    kernel = new FakeKernel();
    Link eth0 = kernel.addLink("eth0", 1500);
    kernel.connect(eth0.index(), IpPrefix.parse("192.168.50.0/24"));
    Ip4 ip = Ip4.parse("192.168.50.2");
    ExternalInterface iface = new ExternalInterface("eth0", eth0.index(), 1500, ip, null, ip, null);
    NetworkConfig config =
        NetworkConfig.parse("{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"vxlan\"}}");
    VxlanBackend b = new VxlanBackend(config, VxlanOptions.parse(config.backend()), iface, kernel);
    LeaseAttrs attrs = b.prepare(null);
    network =
        (VxlanNetwork) b.register(new Lease(Ip4Net.parse("10.244.1.0/24"), null, attrs, null, 0));
    network.reconcile(peers);
    made = device();
    kernel.clearWrites();
  }

  private Link device() {
    return kernel.findLink("flannel.1").orElseThrow();
  }

  private void assertMadeAgainWithEveryPeer() throws Exception {
    Link now = device();
    assertThat(now.mac()).as("the MAC the lease advertises").isEqualTo(made.mac());
    assertThat(now.vxlan()).isEqualTo(made.vxlan());
    assertThat(now.mtu()).isEqualTo(1450);
    assertThat(now.isUp()).isTrue();
    assertThat(kernel.addresses(now.index()))
        .extracting(Address::prefix)
        .containsExactly(IpPrefix.parse("10.244.1.0/32"));
    assertThat(kernel.storedRoutes())
        .filteredOn(r -> r.linkIndex() == now.index())
        .extracting(r -> r.dst().toString())
        .containsExactlyInAnyOrder("10.244.2.0/24", "10.244.3.0/24");
    assertThat(kernel.storedNeighbours()).allMatch(n -> n.linkIndex() == now.index()).hasSize(2);
    assertThat(kernel.storedFdb()).allMatch(f -> f.linkIndex() == now.index()).hasSize(2);
  }

  @Test
  void aDeletedDeviceIsMadeAgainWithItsMacAndEveryPeer() throws Exception {
    kernel.deleteLink(made.index()); // takes its routes, ARP and FDB entries with it
    assertThat(kernel.storedRoutes()).isEmpty();

    network.devicesChanged();

    assertMadeAgainWithEveryPeer();
    assertThat(network.repairs().total(Reason.DELETED)).isEqualTo(1);
    kernel.clearWrites();
    network.devicesChanged(); // its own notifications find nothing to do
    assertThat(kernel.writes()).isEmpty();
    assertThat(network.repairs().total(Reason.DELETED)).isEqualTo(1);
  }

  @Test
  void aDeviceSetDownIsSetUpAgainAndItsPeersRewritten() throws Exception {
    kernel.setDown(made.index()); // the kernel drops its routes and ARP entries
    assertThat(kernel.storedRoutes()).isEmpty();
    network.devicesChanged();
    assertMadeAgainWithEveryPeer();
    assertThat(device().index()).as("the same device").isEqualTo(made.index());
    assertThat(network.repairs().total(Reason.DOWN)).isEqualTo(1);
  }

  @Test
  void aDeviceMadeAgainWithOtherSettingsIsReplacedAndAChangedMacRestored() throws Exception {
    kernel.deleteLink(made.index());
    VxlanAttrs other =
        new VxlanAttrs(7, made.vxlan().local(), made.vxlan().underlayIndex(), 4789, false, false);
    kernel.createVxlan(
        new VxlanSpec("flannel.1", other, 1450, MacAddress.parse("0e:00:00:00:07:07")));
    network.devicesChanged();
    assertMadeAgainWithEveryPeer();
    assertThat(network.repairs().total(Reason.CHANGED)).isEqualTo(1);

    kernel.setMac(device().index(), MacAddress.parse("0e:00:00:00:09:09"));
    network.devicesChanged();
    assertMadeAgainWithEveryPeer();
    assertThat(network.repairs().total(Reason.CHANGED)).isEqualTo(2);
  }

  @Test
  void theReconcileMakesAMissingDeviceAgainWhenNoNotificationCame() throws Exception {
    kernel.deleteLink(made.index());
    network.reconcile(peers);
    assertMadeAgainWithEveryPeer();
    assertThat(network.repairs().total(Reason.DELETED)).isEqualTo(1);
  }

  @Test
  void aRightDeviceCostsNothing() throws Exception {
    network.devicesChanged();
    network.reconcile(peers);
    assertThat(kernel.writes()).isEmpty();
    assertThat(kernel.deviceOps()).isEmpty();
    assertThat(network.repairs().total(Reason.DELETED)).isZero();
  }
}
