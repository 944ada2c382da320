package io.jflannel.backend.hostgw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.NullNode;
import io.jflannel.backend.common.NetlinkKernel;
import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.testing.NamespacedTest;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HostGwNetworkIT extends NamespacedTest {
  private NetworkConfig config;
  private ExternalInterface iface;

  @BeforeEach
  void externalInterface() throws Exception {
    config =
        NetworkConfig.parse("{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"host-gw\"}}");
    Link ext = externalLink();
    Ip4 ip = Ip4.parse("192.168.50.2");
    iface = new ExternalInterface("ext0", ext.index(), 1500, ip, null, ip, null);
  }

  private static Lease lease(String subnet, String publicIp) {
    return new Lease(
        Ip4Net.parse(subnet),
        null,
        new LeaseAttrs(Ip4.parse(publicIp), null, "host-gw", NullNode.getInstance(), null),
        null,
        0);
  }

  private static final Lease OWN = lease("10.244.1.0/24", "192.168.50.2");

  private HostGwNetwork network() throws Exception {
    HostGwBackend b = new HostGwBackend(config, iface, NetlinkKernel.openInNamespace(ns.name()));
    LeaseAttrs attrs = b.prepare(null);
    assertThat(attrs.backendType()).isEqualTo("host-gw");
    assertThat(attrs.backendData()).isNull();
    assertThat(attrs.toJson())
        .isEqualTo(
            "{\"PublicIP\":\"192.168.50.2\",\"PublicIPv6\":null,\"BackendType\":\"host-gw\"}");
    return (HostGwNetwork) b.register(OWN);
  }

  @Test
  void routesEachPeerViaItsPublicIpAndRemovesIt() throws Exception {
    try (HostGwNetwork n = network()) {
      assertThat(n.mtu()).isEqualTo(1500);
      Lease peer = lease("10.244.2.0/24", "192.168.50.3");
      n.handle(List.of(new LeaseEvent.Added(peer)));
      assertThat(ns.ip("route", "show", "10.244.2.0/24")).contains("via 192.168.50.3 dev ext0");
      n.handle(List.of(new LeaseEvent.Removed(peer)));
      assertThat(ns.ip("route", "show", "10.244.2.0/24")).isBlank();
    }
  }

  @Test
  void reconcileRemovesRoutesOfNodesThatLeftAndRestoresDeletedOnesAndWritesNothingWhenRight()
      throws Exception {
    try (HostGwNetwork n = network()) {
      ns.ip("route", "add", "10.244.7.0/24", "via", "192.168.50.7", "dev", "ext0"); // left
      ns.ip("route", "add", "10.9.0.0/16", "via", "192.168.50.9", "dev", "ext0"); // not ours
      n.reconcile(List.of(lease("10.244.2.0/24", "192.168.50.3"), OWN));
      assertThat(ns.ip("route", "show"))
          .contains("10.244.2.0/24 via 192.168.50.3 dev ext0")
          .contains("10.9.0.0/16 via 192.168.50.9")
          .doesNotContain("10.244.7.0");

      ns.ip("route", "del", "10.244.2.0/24");
      n.reconcile(List.of(lease("10.244.2.0/24", "192.168.50.3"), OWN));
      assertThat(ns.ip("route", "show")).contains("10.244.2.0/24 via 192.168.50.3 dev ext0");

      long before = n.writes();
      n.reconcile(List.of(lease("10.244.2.0/24", "192.168.50.3"), OWN));
      assertThat(n.writes()).isEqualTo(before);
    }
  }

  @Test
  void reconcileFollowsAPeerWhosePublicIpChangedUnderTheSameSubnet() throws Exception {
    try (HostGwNetwork n = network()) {
      n.reconcile(List.of(lease("10.244.2.0/24", "192.168.50.3"), OWN));
      n.reconcile(List.of(lease("10.244.2.0/24", "192.168.50.3"), OWN));
      n.reconcile(List.of(lease("10.244.2.0/24", "192.168.50.8"), OWN));
      assertThat(ns.ip("route", "show", "10.244.2.0/24"))
          .contains("via 192.168.50.8 dev ext0")
          .doesNotContain("192.168.50.3");
      long before = n.writes();
      n.reconcile(List.of(lease("10.244.2.0/24", "192.168.50.8"), OWN));
      assertThat(n.writes()).isEqualTo(before);
    }
  }

  @Test
  void aPeerThatIsNotOnLinkFailsAloneAndTheOthersWork() throws Exception {
    try (HostGwNetwork n = network()) {
      n.handle(
          List.of(
              new LeaseEvent.Added(lease("10.244.3.0/24", "10.200.0.3")),
              new LeaseEvent.Added(lease("10.244.2.0/24", "192.168.50.3"))));
      assertThat(ns.ip("route", "show"))
          .contains("10.244.2.0/24 via 192.168.50.3")
          .doesNotContain("10.244.3.0");
    }
  }

  @Test
  void nexthopRoutesOptionRoutesPeersThroughNexthopObjects() throws Exception {
    config =
        NetworkConfig.parse(
            "{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"host-gw\",\"nexthoproutes\":true}}");
    try (HostGwNetwork n = network()) {
      Lease peer = lease("10.244.2.0/24", "192.168.50.3");
      n.handle(List.of(new LeaseEvent.Added(peer)));
      int id = io.jflannel.backend.common.NexthopIds.ID_BASE + 2;
      assertThat(ns.ip("nexthop", "show", "id", Integer.toString(id)))
          .contains("via 192.168.50.3 dev ext0");
      assertThat(ns.ip("route", "show", "10.244.2.0/24")).contains("nhid " + id);
      long before = n.writes();
      n.reconcile(List.of(peer, OWN));
      assertThat(n.writes()).isEqualTo(before);
      n.handle(List.of(new LeaseEvent.Removed(peer)));
      assertThat(ns.ip("route", "show", "10.244.2.0/24")).isBlank();
      assertThat(ns.ip("nexthop", "show")).isBlank();
    }
  }

  @Test
  void refusesToStartBehindNat() throws Exception {
    ExternalInterface natted =
        new ExternalInterface(
            "ext0", iface.index(), 1500, iface.address(), null, Ip4.parse("203.0.113.5"), null);
    assertThatThrownBy(
            () -> new HostGwBackend(config, natted, NetlinkKernel.openInNamespace(ns.name())))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("probably you're on a NAT, which is not supported by the host-gw");
  }
}
