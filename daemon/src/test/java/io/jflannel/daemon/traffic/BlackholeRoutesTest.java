package io.jflannel.daemon.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.backend.common.Change;
import io.jflannel.backend.common.testing.FakeKernel;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.netlink.Errno;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Route;
import org.junit.jupiter.api.Test;

class BlackholeRoutesTest {
  private final FakeKernel kernel = new FakeKernel();

  private static final String DUAL =
      "{\"Network\":\"10.244.0.0/16\",\"EnableIPv6\":true,\"IPv6Network\":\"fd10::/56\","
          + "\"Backend\":{\"Type\":\"vxlan\"}}";

  private static Lease own() {
    return new Lease(
        Ip4Net.parse("10.244.1.0/24"),
        Ip6Net.parse("fd10:0:0:1::/64"),
        new LeaseAttrs(Ip4.parse("192.168.0.1"), null, "vxlan", null, null),
        null,
        0);
  }

  private static Route blackhole(String dst, int metric) {
    return Route.blackhole(IpPrefix.parse(dst)).withPriority(metric);
  }

  @Test
  void addsOneBlackholeRoutePerFamilyBesideTheBridgeRouteAndThenWritesNothing() throws Exception {
    Link cni0 = kernel.addLink("cni0", 1450);
    Route bridge = Route.dev(IpPrefix.parse("10.244.1.0/24"), cni0.index());
    kernel.plant(bridge);
    BlackholeRoutes b = new BlackholeRoutes(kernel, NetworkConfig.parse(DUAL), own());
    assertThat(b.ensure()).isEqualTo(2);
    assertThat(kernel.storedRoutes())
        .containsExactlyInAnyOrder(
            bridge, blackhole("10.244.1.0/24", 1024), blackhole("fd10:0:0:1::/64", 1024));
    kernel.clearWrites();
    assertThat(b.ensure()).isZero();
    assertThat(kernel.writes()).isEmpty();
  }

  @Test
  void aDeletedRouteComesBackAStaleOneGoesAndAnUpstreamOneIsKept() throws Exception {
    kernel.plant(blackhole("10.244.1.0/24", 0)); // upstream's, kept
    kernel.plant(blackhole("10.244.9.0/24", 1024)); // an old pod CIDR of this node
    kernel.plant(blackhole("10.9.0.0/16", 0)); // outside the Network: not ours
    BlackholeRoutes b = new BlackholeRoutes(kernel, NetworkConfig.parse(DUAL), own());
    b.ensure();
    assertThat(kernel.storedRoutes())
        .containsExactlyInAnyOrder(
            blackhole("10.244.1.0/24", 0),
            blackhole("10.9.0.0/16", 0),
            blackhole("fd10:0:0:1::/64", 1024));
    kernel.remove(blackhole("fd10:0:0:1::/64", 1024));
    kernel.clearWrites();
    assertThat(b.ensure()).isEqualTo(1);
    assertThat(kernel.writes()).containsExactly(Change.replace(blackhole("fd10:0:0:1::/64", 1024)));
  }

  @Test
  void onlyTheEnabledFamiliesGetOne() throws Exception {
    BlackholeRoutes b =
        new BlackholeRoutes(
            kernel,
            NetworkConfig.parse("{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"vxlan\"}}"),
            own());
    b.ensure();
    assertThat(kernel.storedRoutes()).containsExactly(blackhole("10.244.1.0/24", 1024));
  }

  @Test
  void aRefusalIsAnExceptionNamingTheRoute() throws Exception {
    kernel.refuse(c -> true, Errno.EPERM);
    BlackholeRoutes b = new BlackholeRoutes(kernel, NetworkConfig.parse(DUAL), own());
    assertThatThrownBy(b::ensure)
        .isInstanceOf(NetlinkException.class)
        .hasMessageContaining("10.244.1.0/24");
  }
}
