package io.jflannel.backend.vxlan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jflannel.backend.common.DeviceRepairs.Reason;
import io.jflannel.backend.common.NetlinkKernel;
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
import io.jflannel.netlink.Link;
import io.jflannel.netlink.testing.NamespacedTest;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VxlanNetworkIT extends NamespacedTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private NetworkConfig config;
  private ExternalInterface iface;

  @BeforeEach
  void externalInterface() throws Exception {
    config =
        NetworkConfig.parse("{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"vxlan\"}}");
    Link ext = externalLink();
    Ip4 ip = Ip4.parse("192.168.50.2");
    iface = new ExternalInterface("ext0", ext.index(), 1500, ip, null, ip, null);
  }

  private VxlanBackend backend() throws Exception {
    return new VxlanBackend(
        config,
        VxlanOptions.parse(config.backend()),
        iface,
        NetlinkKernel.openInNamespace(ns.name()));
  }

  private static Lease lease(String subnet, String publicIp, String mac) throws Exception {
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
  }

  private static final Lease OWN;

  static {
    try {
      OWN = lease("10.244.1.0/24", "192.168.50.2", "0e:00:00:00:00:01");
    } catch (Exception e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @Test
  void preparesTheDeviceExactlyAsUpstreamAndAdvertisesItsMac() throws Exception {
    LeaseAttrs attrs = backend().prepare(null);

    String shown = ns.ip("-d", "link", "show", "flannel.1");
    assertThat(shown)
        .contains("mtu 1450")
        .contains("vxlan id 1 local 192.168.50.2 dev ext0")
        .contains("dstport 8472")
        .contains("nolearning");
    String mac = nl.links().get("flannel.1").mac().toString();
    assertThat(attrs.backendType()).isEqualTo("vxlan");
    assertThat(attrs.backendData().toString()).isEqualTo("{\"VNI\":1,\"VtepMAC\":\"" + mac + "\"}");
    assertThat(attrs.publicIp()).isEqualTo(Ip4.parse("192.168.50.2"));
  }

  /**
   * The device watch in a real kernel: flannel.1 deleted, then set down, while the network runs;
   * each time it is back at once, with the MAC the lease advertises and every peer's entries.
   */
  @Test
  void aDeviceDeletedOrSetDownIsMadeAgainAtOnceWithItsMacAndPeers() throws Exception {
    VxlanBackend b = backend();
    LeaseAttrs attrs = b.prepare(null);
    VxlanNetwork n = (VxlanNetwork) b.register(new Lease(OWN.subnet(), null, attrs, null, 0));
    n.reconcile(
        List.of(
            lease("10.244.2.0/24", "192.168.50.3", "0e:00:00:00:00:02"),
            lease("10.244.3.0/24", "192.168.50.4", "0e:00:00:00:00:03")));
    String mac = nl.links().get("flannel.1").mac().toString();
    Thread runner =
        new Thread(
            () -> {
              try {
                n.run();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "vxlan-run");
    runner.start();
    try {
      Thread.sleep(300); // the watch subscribes
      ns.ip("link", "del", "flannel.1");
      awaitRepaired(n, Reason.DELETED, mac);
      ns.ip("link", "set", "flannel.1", "down");
      awaitRepaired(n, Reason.DOWN, mac);
    } finally {
      n.close();
      runner.join(5000);
    }
  }

  private void awaitRepaired(VxlanNetwork n, Reason reason, String mac) throws Exception {
    long t0 = System.nanoTime();
    while (true) {
      boolean routed =
          ns.ip("route", "show", "dev", "flannel.1").lines().count() == 2
              && ns.ip("neigh", "show", "dev", "flannel.1").lines().count() == 2;
      if (n.repairs().total(reason) == 1 && routed) {
        break;
      }
      assertThat((System.nanoTime() - t0) / 1_000_000)
          .as("ms until flannel.1 was made again after %s", reason)
          .isLessThan(1000);
      Thread.sleep(10);
    }
    assertThat(ns.ip("link", "show", "flannel.1")).contains("link/ether " + mac).contains(",UP");
    assertThat(ns.ip("-4", "addr", "show", "dev", "flannel.1")).contains("inet 10.244.1.0/32");
  }

  @Test
  void reusesACompatibleDeviceAndRestoresThePreviousMac() throws Exception {
    backend().prepare(null);
    int index = nl.links().get("flannel.1").index();
    LeaseAttrs previous = lease("10.244.1.0/24", "192.168.50.2", "0e:00:00:00:00:42").attrs();

    backend().prepare(previous);

    Link again = nl.links().get("flannel.1");
    assertThat(again.index()).isEqualTo(index);
    assertThat(again.mac().toString()).isEqualTo("0e:00:00:00:00:42");
  }

  @Test
  void recreatesAnIncompatibleDeviceWithThePreviousMac() throws Exception {
    ns.ip("link", "add", "flannel.1", "type", "vxlan", "id", "1", "dstport", "4789");
    LeaseAttrs previous = lease("10.244.1.0/24", "192.168.50.2", "0e:00:00:00:00:42").attrs();

    backend().prepare(previous);

    assertThat(ns.ip("-d", "link", "show", "flannel.1"))
        .contains("dstport 8472")
        .contains("local 192.168.50.2")
        .contains("link/ether 0e:00:00:00:00:42");
  }

  @Test
  void registerGivesTheDeviceItsSlash32AndDropsStaleAddressesOfTheNetwork() throws Exception {
    VxlanBackend b = backend();
    b.prepare(null);
    int vx = nl.links().get("flannel.1").index();
    nl.addresses().add(Address.of(vx, IpPrefix.parse("10.244.9.0/32")));
    nl.addresses().add(Address.of(vx, IpPrefix.parse("172.16.0.1/32")));

    try (var network = b.register(OWN)) {
      assertThat(network.mtu()).isEqualTo(1450);
      assertThat(nl.addresses().list(vx))
          .extracting(Address::prefix)
          .contains(IpPrefix.parse("10.244.1.0/32"), IpPrefix.parse("172.16.0.1/32"))
          .doesNotContain(IpPrefix.parse("10.244.9.0/32"));
      assertThat(nl.links().get(vx).isUp()).isTrue();
    }
  }

  @Test
  void programsArpFdbAndOnlinkRoutePerPeerAndRemovesThem() throws Exception {
    VxlanBackend b = backend();
    b.prepare(null);
    try (var network = b.register(OWN)) {
      Lease peer = lease("10.244.2.0/24", "192.168.50.3", "0e:00:00:00:00:02");
      network.handle(List.of(new LeaseEvent.Added(peer)));

      assertThat(ns.ip("neigh", "show", "dev", "flannel.1"))
          .contains("10.244.2.0 lladdr 0e:00:00:00:00:02 PERMANENT");
      assertThat(ns.exec("bridge", "fdb", "show", "dev", "flannel.1").stdout())
          .contains("0e:00:00:00:00:02 dst 192.168.50.3 self permanent");
      assertThat(ns.ip("route", "show", "dev", "flannel.1"))
          .contains("10.244.2.0/24 via 10.244.2.0 onlink");

      network.handle(List.of(new LeaseEvent.Removed(peer)));

      assertThat(ns.ip("neigh", "show", "dev", "flannel.1")).doesNotContain("10.244.2.0");
      assertThat(ns.exec("bridge", "fdb", "show", "dev", "flannel.1").stdout())
          .doesNotContain("0e:00:00:00:00:02");
      assertThat(ns.ip("route", "show", "dev", "flannel.1")).isBlank();
    }
  }

  @Test
  void reconcileRepairsDriftRemovesStalePeersAndWritesNothingWhenRight() throws Exception {
    VxlanBackend b = backend();
    b.prepare(null);
    try (VxlanNetwork network = (VxlanNetwork) b.register(OWN)) {
      Lease p2 = lease("10.244.2.0/24", "192.168.50.3", "0e:00:00:00:00:02");
      Lease p3 = lease("10.244.3.0/24", "192.168.50.4", "0e:00:00:00:00:03");
      Lease gone = lease("10.244.4.0/24", "192.168.50.5", "0e:00:00:00:00:04");
      network.reconcile(List.of(p2, p3, gone, OWN));
      // drift: a peer left while we were down, someone deleted entries by hand
      ns.ip("route", "del", "10.244.2.0/24");
      ns.ip("neigh", "del", "10.244.3.0", "dev", "flannel.1");
      ns.exec(
          "bridge", "fdb", "del", "0e:00:00:00:00:02", "dev", "flannel.1", "dst", "192.168.50.3");

      network.reconcile(List.of(p2, p3, OWN));

      assertThat(ns.ip("route", "show", "dev", "flannel.1"))
          .contains("10.244.2.0/24 via 10.244.2.0 onlink")
          .contains("10.244.3.0/24 via 10.244.3.0 onlink")
          .doesNotContain("10.244.4.0");
      assertThat(ns.ip("neigh", "show", "dev", "flannel.1"))
          .contains("10.244.3.0 lladdr 0e:00:00:00:00:03 PERMANENT")
          .doesNotContain("10.244.4.0");
      assertThat(ns.exec("bridge", "fdb", "show", "dev", "flannel.1").stdout())
          .contains("0e:00:00:00:00:02 dst 192.168.50.3 self permanent")
          .doesNotContain("0e:00:00:00:00:04");

      long before = network.writes();
      network.reconcile(List.of(p2, p3, OWN));
      assertThat(network.writes()).isEqualTo(before);
    }
  }

  @Test
  void reconcileFollowsAPeerWhoseLeaseChangedUnderTheSameSubnet() throws Exception {
    VxlanBackend b = backend();
    b.prepare(null);
    try (VxlanNetwork network = (VxlanNetwork) b.register(OWN)) {
      Lease before = lease("10.244.2.0/24", "192.168.50.3", "0e:00:00:00:00:02");
      network.reconcile(List.of(before, OWN));
      network.reconcile(List.of(before, OWN)); // the peer's objects are kept for the next pass

      Lease after = lease("10.244.2.0/24", "192.168.50.9", "0e:00:00:00:00:0a");
      network.reconcile(List.of(after, OWN));

      assertThat(ns.ip("neigh", "show", "dev", "flannel.1"))
          .contains("10.244.2.0 lladdr 0e:00:00:00:00:0a PERMANENT");
      assertThat(ns.exec("bridge", "fdb", "show", "dev", "flannel.1").stdout())
          .contains("0e:00:00:00:00:0a dst 192.168.50.9 self permanent")
          .doesNotContain("0e:00:00:00:00:02");

      network.handle(List.of(new LeaseEvent.Added(before))); // and back, by event
      network.reconcile(List.of(before, OWN));
      assertThat(ns.exec("bridge", "fdb", "show", "dev", "flannel.1").stdout())
          .contains("0e:00:00:00:00:02 dst 192.168.50.3 self permanent")
          .doesNotContain("0e:00:00:00:00:0a");
      long writes = network.writes();
      network.reconcile(List.of(before, OWN));
      assertThat(network.writes()).isEqualTo(writes);
    }
  }

  @Test
  void nexthopRoutesOptionProgramsNexthopObjectsAndReconcilesThem() throws Exception {
    config =
        NetworkConfig.parse(
            "{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"vxlan\",\"NexthopRoutes\":true}}");
    VxlanBackend b = backend();
    b.prepare(null);
    try (VxlanNetwork network = (VxlanNetwork) b.register(OWN)) {
      Lease p2 = lease("10.244.2.0/24", "192.168.50.3", "0e:00:00:00:00:02");
      network.reconcile(List.of(p2, OWN));

      int id = io.jflannel.backend.common.NexthopIds.ID_BASE + 2;
      assertThat(ns.ip("nexthop", "show", "id", Integer.toString(id)))
          .contains("via 10.244.2.0 dev flannel.1")
          .contains("onlink");
      assertThat(ns.ip("route", "show", "10.244.2.0/24")).contains("nhid " + id);
      assertThat(ns.ip("neigh", "show", "dev", "flannel.1"))
          .contains("10.244.2.0 lladdr 0e:00:00:00:00:02 PERMANENT");

      long before = network.writes();
      network.reconcile(List.of(p2, OWN));
      assertThat(network.writes()).isEqualTo(before);

      ns.ip("nexthop", "del", "id", Integer.toString(id)); // takes the route with it
      network.reconcile(List.of(p2, OWN));
      assertThat(ns.ip("route", "show", "10.244.2.0/24")).contains("nhid " + id);

      network.reconcile(List.of(OWN));
      assertThat(ns.ip("nexthop", "show")).isBlank();
      assertThat(ns.ip("route", "show", "dev", "flannel.1")).isBlank();
    }
  }

  @Test
  void aPeerWithGarbageBackendDataIsSkippedAndTheOthersProgrammed() throws Exception {
    VxlanBackend b = backend();
    b.prepare(null);
    try (var network = b.register(OWN)) {
      Lease bad =
          new Lease(
              Ip4Net.parse("10.244.5.0/24"),
              null,
              new LeaseAttrs(
                  Ip4.parse("192.168.50.6"), null, "vxlan", JSON.readTree("{\"VtepMAC\":7}"), null),
              null,
              0);
      Lease good = lease("10.244.2.0/24", "192.168.50.3", "0e:00:00:00:00:02");
      network.handle(List.of(new LeaseEvent.Added(bad), new LeaseEvent.Added(good)));
      assertThat(ns.ip("route", "show", "dev", "flannel.1"))
          .contains("10.244.2.0/24")
          .doesNotContain("10.244.5.0");
    }
  }

  @Test
  void badOptionsAreAClearError() throws Exception {
    NetworkConfig bad =
        NetworkConfig.parse(
            "{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"vxlan\",\"VNI\":\"x\"}}");
    assertThatThrownBy(() -> VxlanOptions.parse(bad.backend()))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("vxlan backend option VNI must be a whole number");
  }
}
