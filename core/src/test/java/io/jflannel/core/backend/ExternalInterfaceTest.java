package io.jflannel.core.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip6;
import org.junit.jupiter.api.Test;

class ExternalInterfaceTest {

  private static final Ip4 ADDRESS = Ip4.parse("192.168.64.3");
  private static final Ip6 ADDRESS6 = Ip6.parse("2001:db8::3");

  @Test
  void holdsAnIpv4OnlyIpv6OnlyOrDualStackInterface() {
    assertThat(new ExternalInterface("eth0", 2, 1500, ADDRESS, null, ADDRESS, null).mtu())
        .isEqualTo(1500);
    assertThat(new ExternalInterface("eth0", 2, 1500, null, ADDRESS6, null, ADDRESS6).publicIpv6())
        .isEqualTo(ADDRESS6);
    assertThat(
            new ExternalInterface(
                    "eth0", 2, 9001, ADDRESS, ADDRESS6, Ip4.parse("203.0.113.7"), ADDRESS6)
                .publicIp())
        .isEqualTo(Ip4.parse("203.0.113.7"));
  }

  @Test
  void rejectsAnInterfaceWithoutAddresses() {
    assertThatThrownBy(() -> new ExternalInterface("eth0", 2, 1500, null, null, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("eth0 needs an IPv4 or an IPv6 address");
  }

  @Test
  void rejectsAPublicAddressWithoutAnInterfaceAddressOfItsFamily() {
    assertThatThrownBy(() -> new ExternalInterface("eth0", 2, 1500, ADDRESS, null, null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new ExternalInterface("eth0", 2, 1500, ADDRESS, null, ADDRESS, ADDRESS6))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsAZeroMtuIndexOrName() {
    assertThatThrownBy(() -> new ExternalInterface("eth0", 2, 0, ADDRESS, null, ADDRESS, null))
        .hasMessage("MTU of eth0 must be positive, got 0");
    assertThatThrownBy(() -> new ExternalInterface("eth0", 0, 1500, ADDRESS, null, ADDRESS, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ExternalInterface("", 2, 1500, ADDRESS, null, ADDRESS, null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
