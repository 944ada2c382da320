package io.jflannel.daemon.iface;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip6;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InterfaceSelectorTest {
  private static final int DEPRECATED = HostSnapshot.IFA_F_DEPRECATED;

  private FakeHost host;
  private int lo;
  private int eth0;
  private int eth1;

  @BeforeEach
  void twoNics() {
    host = new FakeHost();
    lo = host.link("lo", 65536);
    eth0 = host.link("eth0");
    eth1 = host.link("eth1", 9000);
    host.addr(lo, "127.0.0.1/8").addr(lo, "::1/128");
    host.addr(eth0, "10.0.0.5/24").addr(eth0, "fe80::5/64");
    host.addr(eth1, "192.168.7.9/24").addr(eth1, "192.168.7.10/24");
    host.defaultRoute("10.0.0.1", eth0, 100);
  }

  private ExternalInterface select(InterfaceCriteria c) throws InterfaceSelectionException {
    return new InterfaceSelector(host).select(c);
  }

  private static InterfaceCriteria v4() {
    return InterfaceCriteria.ipv4Only();
  }

  @Test
  void withoutFlagsUsesTheDefaultRouteInterfaceAndItsAddress() throws Exception {
    ExternalInterface e = select(v4());
    assertThat(e.name()).isEqualTo("eth0");
    assertThat(e.index()).isEqualTo(eth0);
    assertThat(e.mtu()).isEqualTo(1500);
    assertThat(e.address()).isEqualTo(Ip4.parse("10.0.0.5"));
    assertThat(e.publicIp()).isEqualTo(Ip4.parse("10.0.0.5"));
    assertThat(e.ipv6Address()).isNull();
  }

  @Test
  void theLowestMetricDefaultRouteWins() throws Exception {
    host.defaultRoute("192.168.7.1", eth1, 50);
    assertThat(select(v4()).name()).isEqualTo("eth1");
  }

  @Test
  void noDefaultRouteIsAnErrorListingTheInterfacesAndTheFix() {
    host.routes.clear();
    assertThatThrownBy(() -> select(v4()))
        .isInstanceOf(InterfaceSelectionException.class)
        .hasMessage(
            "default route: no IPv4 default route in the main table; interfaces here: lo"
                + " (127.0.0.1, ::1), eth0 (10.0.0.5), eth1 (192.168.7.9, 192.168.7.10); choose one"
                + " with --iface, --iface-regex or --iface-can-reach");
  }

  @Test
  void publicIpWithoutIfaceFlagsFindsTheInterfaceThatHasIt() throws Exception {
    ExternalInterface e = select(v4().withPublicIp(Ip4.parse("192.168.7.10")));
    assertThat(e.name()).isEqualTo("eth1");
    assertThat(e.address()).isEqualTo(Ip4.parse("192.168.7.10"));
    assertThat(e.publicIp()).isEqualTo(Ip4.parse("192.168.7.10"));
    assertThat(e.mtu()).isEqualTo(9000);
  }

  @Test
  void publicIpWithoutIfaceFlagsThatNoInterfaceHasIsAnError() {
    assertThatThrownBy(() -> select(v4().withPublicIp(Ip4.parse("203.0.113.4"))))
        .isInstanceOf(InterfaceSelectionException.class)
        .hasMessageStartingWith(
            "--public-ip 203.0.113.4: 203.0.113.4 is not an address of any interface; interfaces"
                + " here: lo");
  }

  @Test
  void ifaceByNameTakesTheFirstAddress() throws Exception {
    ExternalInterface e = select(v4().withIfaces(List.of("eth1")));
    assertThat(e.name()).isEqualTo("eth1");
    assertThat(e.address()).isEqualTo(Ip4.parse("192.168.7.9"));
  }

  @Test
  void ifaceByAddressUsesThatAddressEvenIfNotTheFirst() throws Exception {
    ExternalInterface e = select(v4().withIfaces(List.of("192.168.7.10")));
    assertThat(e.name()).isEqualTo("eth1");
    assertThat(e.address()).isEqualTo(Ip4.parse("192.168.7.10"));
  }

  @Test
  void ifacesAreTriedInOrderAndTheFirstMatchWins() throws Exception {
    assertThat(select(v4().withIfaces(List.of("eth9", "eth1", "eth0"))).name()).isEqualTo("eth1");
  }

  @Test
  void explicitPublicIpIsAdvertisedWhileTheInterfaceKeepsItsAddress() throws Exception {
    ExternalInterface e =
        select(v4().withIfaces(List.of("eth0")).withPublicIp(Ip4.parse("203.0.113.4")));
    assertThat(e.address()).isEqualTo(Ip4.parse("10.0.0.5"));
    assertThat(e.publicIp()).isEqualTo(Ip4.parse("203.0.113.4"));
  }

  @Test
  void regexesAreTriedAfterEveryIface() throws Exception {
    ExternalInterface e =
        select(v4().withIfaces(List.of("eth9")).withIfaceRegexes(List.of("^10\\.0\\.")));
    assertThat(e.name()).isEqualTo("eth0");
  }

  @Test
  void regexMatchesAddressesBeforeNamesAndUsesTheMatchingAddress() throws Exception {
    // "eth" would match eth0 by name; the address match on eth1 comes first
    ExternalInterface e = select(v4().withIfaceRegexes(List.of("7\\.10|eth")));
    assertThat(e.name()).isEqualTo("eth1");
    assertThat(e.address()).isEqualTo(Ip4.parse("192.168.7.10"));
  }

  @Test
  void regexMatchesNamesWhenNoAddressMatches() throws Exception {
    ExternalInterface e = select(v4().withIfaceRegexes(List.of("^eth1$")));
    assertThat(e.name()).isEqualTo("eth1");
    assertThat(e.address()).isEqualTo(Ip4.parse("192.168.7.9"));
  }

  @Test
  void regexesAreTriedInOrder() throws Exception {
    assertThat(select(v4().withIfaceRegexes(List.of("^wlan", "^eth1"))).name()).isEqualTo("eth1");
  }

  @Test
  void canReachUsesTheRouteLookupAndItsPreferredSource() throws Exception {
    host.lookup("192.168.7.200", eth1, "192.168.7.10");
    ExternalInterface e = select(v4().withIfaceCanReach("192.168.7.200"));
    assertThat(e.name()).isEqualTo("eth1");
    assertThat(e.address()).isEqualTo(Ip4.parse("192.168.7.10"));
  }

  @Test
  void canReachIsTriedAfterIfacesAndRegexes() throws Exception {
    host.lookup("192.168.7.200", eth1, null);
    ExternalInterface e =
        select(
            v4().withIfaces(List.of("eth9"))
                .withIfaceRegexes(List.of("^wlan"))
                .withIfaceCanReach("192.168.7.200"));
    assertThat(e.name()).isEqualTo("eth1");
  }

  @Test
  void nothingMatchingNamesEveryAttemptAndTheInterfacesThatExist() {
    InterfaceCriteria c =
        v4().withIfaces(List.of("eth9", "10.9.9.9"))
            .withIfaceRegexes(List.of("^wlan"))
            .withIfaceCanReach("172.16.0.1");
    assertThatThrownBy(() -> select(c))
        .isInstanceOf(InterfaceSelectionException.class)
        .hasMessage(
            "no interface matches --iface eth9: no such interface; --iface 10.9.9.9: 10.9.9.9 is"
                + " not an address of any interface; --iface-regex ^wlan: no interface name or"
                + " address matches; --iface-can-reach 172.16.0.1: no route: RTM_GETROUTE"
                + " 172.16.0.1 failed: Network is unreachable (ENETUNREACH); interfaces here: lo"
                + " (127.0.0.1, ::1), eth0 (10.0.0.5), eth1 (192.168.7.9, 192.168.7.10); fix"
                + " --iface, --iface-regex or --iface-can-reach");
  }

  @Test
  void anInterfaceWithoutAnAddressOfTheNeededFamilyDoesNotMatch() throws Exception {
    int bare = host.link("eth2");
    host.addr(bare, "fd00::2/64");
    ExternalInterface e = select(v4().withIfaces(List.of("eth2", "eth0")));
    assertThat(e.name()).isEqualTo("eth0");
  }

  @Test
  void anInterfaceWithMtuZeroDoesNotMatch() {
    int zero = host.link("tun7", 0);
    host.addr(zero, "10.7.0.1/24");
    assertThatThrownBy(() -> select(v4().withIfaces(List.of("tun7"))))
        .hasMessageContaining("--iface tun7: tun7 has MTU 0");
  }

  @Test
  void deprecatedAddressesComeAfterPreferredOnes() throws Exception {
    int eth2 = host.link("eth2");
    host.addr(eth2, "172.20.0.1/24", DEPRECATED).addr(eth2, "172.20.0.2/24");
    assertThat(select(v4().withIfaces(List.of("eth2"))).address())
        .isEqualTo(Ip4.parse("172.20.0.2"));
  }

  @Test
  void aDeprecatedAddressIsStillUsedWhenItIsTheOnlyOne() throws Exception {
    int eth2 = host.link("eth2");
    host.addr(eth2, "172.20.0.1/24", DEPRECATED);
    assertThat(select(v4().withIfaces(List.of("eth2"))).address())
        .isEqualTo(Ip4.parse("172.20.0.1"));
  }

  @Test
  void linkLocalAddressesAreTheLastResort() throws Exception {
    int eth2 = host.link("eth2");
    host.addr(eth2, "169.254.3.3/16").addr(eth2, "172.20.0.9/24");
    assertThat(select(v4().withIfaces(List.of("eth2"))).address())
        .isEqualTo(Ip4.parse("172.20.0.9"));
  }

  @Test
  void dualStackTakesBothAddressesFromTheDefaultRouteInterface() throws Exception {
    host.addr(eth0, "2001:db8::5/64");
    host.defaultRoute("2001:db8::1", eth0, 100);
    ExternalInterface e = select(v4().withFamilies(true, true));
    assertThat(e.name()).isEqualTo("eth0");
    assertThat(e.address()).isEqualTo(Ip4.parse("10.0.0.5"));
    assertThat(e.ipv6Address()).isEqualTo(Ip6.parse("2001:db8::5"));
    assertThat(e.publicIpv6()).isEqualTo(Ip6.parse("2001:db8::5"));
  }

  @Test
  void dualStackNeedsBothDefaultRoutesOnOneInterface() {
    host.addr(eth1, "2001:db8:7::9/64");
    host.defaultRoute("2001:db8:7::1", eth1, 100);
    assertThatThrownBy(() -> select(v4().withFamilies(true, true)))
        .hasMessageStartingWith(
            "default route: the IPv6 default route uses eth1 but the IPv4 one uses eth0;"
                + " dual-stack needs both on one interface");
  }

  @Test
  void ipv6OnlyUsesTheIpv6DefaultRouteAndLeavesIpv4Empty() throws Exception {
    host.addr(eth1, "2001:db8:7::9/64");
    host.defaultRoute("2001:db8:7::1", eth1, 100);
    ExternalInterface e = select(v4().withFamilies(false, true));
    assertThat(e.name()).isEqualTo("eth1");
    assertThat(e.address()).isNull();
    assertThat(e.publicIp()).isNull();
    assertThat(e.ipv6Address()).isEqualTo(Ip6.parse("2001:db8:7::9"));
  }

  @Test
  void dualStackIfaceByIpv4NeedsTheGivenPublicIpv6OnTheSameInterface() {
    host.addr(eth1, "2001:db8:7::9/64");
    InterfaceCriteria c =
        v4().withFamilies(true, true)
            .withIfaces(List.of("10.0.0.5"))
            .withPublicIpv6(Ip6.parse("2001:db8:7::9"));
    assertThatThrownBy(() -> select(c))
        .hasMessageContaining(
            "--iface 10.0.0.5: --public-ipv6 2001:db8:7::9 is on eth1, not on eth0");
  }

  @Test
  void regexOnIpv6AddressesSeesTheCompressedForm() throws Exception {
    host.addr(eth1, "2001:db8:7:0:0:0:0:9/64");
    ExternalInterface e =
        select(v4().withFamilies(false, true).withIfaceRegexes(List.of("^2001:db8:7::9$")));
    assertThat(e.name()).isEqualTo("eth1");
  }
}
