package io.jflannel.daemon.iface;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip6;
import io.jflannel.netlink.testing.NamespacedTest;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Interface selection against a real kernel: a fresh namespace with two veth "NICs", {@code ext0}
 * (192.168.50.2/24) and {@code ext1} (192.168.60.2/24, MTU 1400), the default route via {@code
 * ext1}.
 */
class InterfaceSelectorIT extends NamespacedTest {
  private InterfaceSelector selector;

  @BeforeEach
  void twoNics() throws Exception {
    externalLink();
    ns.ip("link", "add", "ext1", "type", "veth", "peer", "name", "ext1p");
    ns.ip("link", "set", "ext1", "mtu", "1400");
    ns.ip("addr", "add", "192.168.60.2/24", "dev", "ext1");
    ns.ip("addr", "add", "192.168.60.3/24", "dev", "ext1");
    ns.ip("link", "set", "ext1p", "up");
    ns.ip("link", "set", "ext1", "up");
    ns.ip("route", "add", "default", "via", "192.168.60.1", "dev", "ext1");
    selector = new InterfaceSelector(nl);
  }

  private static InterfaceCriteria v4() {
    return InterfaceCriteria.ipv4Only();
  }

  @Test
  void withoutFlagsPicksTheDefaultRouteInterfaceWithItsMtu() throws Exception {
    ExternalInterface e = selector.select(v4());
    assertThat(e.name()).isEqualTo("ext1");
    assertThat(e.index()).isEqualTo(nl.links().get("ext1").index());
    assertThat(e.mtu()).isEqualTo(1400);
    assertThat(e.address()).isEqualTo(Ip4.parse("192.168.60.2"));
    assertThat(e.publicIp()).isEqualTo(Ip4.parse("192.168.60.2"));
  }

  @Test
  void withoutDefaultRouteOrFlagsTheErrorListsTheInterfaces() {
    ns.ip("route", "del", "default");
    assertThatThrownBy(() -> selector.select(v4()))
        .isInstanceOf(InterfaceSelectionException.class)
        .hasMessageContaining("no IPv4 default route in the main table")
        .hasMessageContaining("ext0 (192.168.50.2)")
        .hasMessageContaining("ext1 (192.168.60.2, 192.168.60.3)");
  }

  @Test
  void publicIpFindsTheInterfaceThatHasIt() throws Exception {
    ExternalInterface e = selector.select(v4().withPublicIp(Ip4.parse("192.168.50.2")));
    assertThat(e.name()).isEqualTo("ext0");
    assertThat(e.mtu()).isEqualTo(1500);
  }

  @Test
  void ifaceByNameAndByAddressInOrder() throws Exception {
    assertThat(selector.select(v4().withIfaces(List.of("nope0", "ext0"))).name()).isEqualTo("ext0");
    ExternalInterface byIp = selector.select(v4().withIfaces(List.of("192.168.60.3")));
    assertThat(byIp.name()).isEqualTo("ext1");
    assertThat(byIp.address()).isEqualTo(Ip4.parse("192.168.60.3"));
  }

  @Test
  void ifaceRegexMatchesAddressesThenNames() throws Exception {
    assertThat(selector.select(v4().withIfaceRegexes(List.of("^192\\.168\\.50\\."))).name())
        .isEqualTo("ext0");
    assertThat(selector.select(v4().withIfaceRegexes(List.of("t1$"))).name()).isEqualTo("ext1");
  }

  @Test
  void ifaceCanReachUsesTheKernelsRouteLookup() throws Exception {
    ns.ip("route", "add", "10.99.0.0/16", "via", "192.168.50.1", "dev", "ext0");
    ExternalInterface e = selector.select(v4().withIfaceCanReach("10.99.1.1"));
    assertThat(e.name()).isEqualTo("ext0");
    assertThat(e.address()).isEqualTo(Ip4.parse("192.168.50.2"));
    assertThat(selector.select(v4().withIfaceCanReach("203.0.113.1")).name()).isEqualTo("ext1");
  }

  @Test
  void nothingMatchingIsOneErrorNamingEachAttempt() {
    InterfaceCriteria c = v4().withIfaces(List.of("eth9")).withIfaceRegexes(List.of("^wlan"));
    assertThatThrownBy(() -> selector.select(c))
        .isInstanceOf(InterfaceSelectionException.class)
        .hasMessageStartingWith(
            "no interface matches --iface eth9: no such interface; --iface-regex ^wlan: no"
                + " interface name or address matches; interfaces here: lo (127.0.0.1, ::1), ")
        .hasMessageEndingWith("; fix --iface, --iface-regex or --iface-can-reach");
  }

  @Test
  void aDeprecatedAddressIsPassedOverForAPreferredOne() throws Exception {
    ns.ip("addr", "flush", "dev", "ext0");
    ns.ip("addr", "add", "192.168.50.7/24", "dev", "ext0", "preferred_lft", "0");
    ns.ip("addr", "add", "192.168.50.8/24", "dev", "ext0");
    assertThat(ns.ip("addr", "show", "dev", "ext0"))
        .contains("192.168.50.7/24")
        .contains("deprecated");
    ExternalInterface e = selector.select(v4().withIfaces(List.of("ext0")));
    assertThat(e.address()).isEqualTo(Ip4.parse("192.168.50.8"));
  }

  @Test
  void dualStackTakesBothAddressesFromTheDefaultRouteInterface() throws Exception {
    ns.ip("addr", "add", "fd00:60::2/64", "dev", "ext1", "nodad");
    ns.ip("-6", "route", "add", "default", "via", "fd00:60::1", "dev", "ext1");
    ExternalInterface e = selector.select(v4().withFamilies(true, true));
    assertThat(e.name()).isEqualTo("ext1");
    assertThat(e.address()).isEqualTo(Ip4.parse("192.168.60.2"));
    assertThat(e.ipv6Address()).isEqualTo(Ip6.parse("fd00:60::2"));
  }
}
