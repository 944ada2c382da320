package io.jflannel.core.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ip6NetTest {

  private final ObjectMapper mapper = new ObjectMapper();

  @Test
  void parsesCidrText() {
    Ip6Net net = Ip6Net.parse("2001:cafe:42::/56");
    assertThat(net.ip()).isEqualTo(Ip6.parse("2001:cafe:42::"));
    assertThat(net.prefixLength()).isEqualTo(56);
    assertThat(net).hasToString("2001:cafe:42::/56");
    assertThat(Ip6Net.parse("fc00::/48")).hasToString("fc00::/48");
  }

  @Test
  void parseRejectsHostBitsAndNamesTheNetworkAddress() {
    assertThatThrownBy(() -> Ip6Net.parse("fc00::1/64"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fc00::1/64 has host bits set; use its network address fc00::/64");
  }

  @Test
  void ofClearsHostBits() {
    assertThat(Ip6Net.of(Ip6.parse("2001:cafe:42:1::5"), 56))
        .isEqualTo(Ip6Net.parse("2001:cafe:42::/56"));
    assertThat(Ip6Net.of(Ip6.parse("ffff::ffff"), 0)).isEqualTo(Ip6Net.parse("::/0"));
    assertThat(Ip6Net.of(Ip6.parse("fc00::1"), 128)).hasToString("fc00::1/128");
  }

  @Test
  void parseContainingAcceptsHostBitsAsGoDoes() {
    assertThat(Ip6Net.parseContaining("2001:cafe:42:1::1/64"))
        .isEqualTo(Ip6Net.parse("2001:cafe:42:1::/64"));
    assertThatThrownBy(() -> Ip6Net.parseContaining("fc00::1/129"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"fc00::", "fc00::/", "fc00::/129", "fc00::/-1", "10.0.0.0/8", "/64", "fc00::/6x"})
  void rejectsMalformedCidrs(String text) {
    assertThatThrownBy(() -> Ip6Net.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not an IPv6 CIDR");
  }

  @Test
  void hostRouteHoldsOneAddress() {
    Ip6Net host = Ip6Net.parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
    assertThat(host.size()).isEqualTo(BigInteger.ONE);
    assertThat(host.lastAddress()).isEqualTo(host.ip());
    assertThat(host.subnets(128)).containsExactly(host);
    assertThat(host.contains(host.ip())).isTrue();
    assertThatThrownBy(host::next).isInstanceOf(ArithmeticException.class);
    assertThatThrownBy(host::firstUsable).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void wholeSpaceContainsEverything() {
    Ip6Net all = Ip6Net.parse("::/0");
    assertThat(all.size()).isEqualTo(BigInteger.ONE.shiftLeft(128));
    assertThat(all.contains(Ip6.parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))).isTrue();
    assertThat(all.contains(Ip6Net.parse("fc00::/7"))).isTrue();
    assertThat(all.subnetCount(128)).isEqualTo(BigInteger.ONE.shiftLeft(128));
    assertThat(all.subnets(1)).extracting(Ip6Net::toString).containsExactly("::/1", "8000::/1");
    assertThat(all.subnets(128).skip(2).findFirst()).contains(Ip6Net.parse("::2/128"));
    assertThatThrownBy(all::next).isInstanceOf(ArithmeticException.class);
  }

  @Test
  void firstUsableIsTheAddressAfterTheNetworkAddress() {
    assertThat(Ip6Net.parse("2001:cafe:42:1::/64").firstUsable())
        .isEqualTo(Ip6.parse("2001:cafe:42:1::1"));
  }

  @Test
  void nextCarriesAcrossTheMiddleOfTheAddress() {
    assertThat(Ip6Net.parse("fc00:0:0:1::/64").next()).isEqualTo(Ip6Net.parse("fc00:0:0:2::/64"));
    assertThat(Ip6Net.parse("fc00::ffff:ffff:ffff:ffff/128").next())
        .isEqualTo(Ip6Net.parse("fc00:0:0:1::/128"));
    assertThat(Ip6Net.parse("fc00::ffff:ffff:ffff:fff0/124").next())
        .isEqualTo(Ip6Net.parse("fc00:0:0:1::/124"));
    assertThat(Ip6Net.parse("7fff:ffff:ffff:ffff::/64").next())
        .isEqualTo(Ip6Net.parse("8000::/64"));
    assertThatThrownBy(() -> Ip6Net.parse("ffff:ffff:ffff:ffff::/64").next())
        .isInstanceOf(ArithmeticException.class)
        .hasMessage("no IPv6 network follows ffff:ffff:ffff:ffff::/64");
  }

  @Test
  void iteratesSubnetsInAddressOrder() {
    Ip6Net net = Ip6Net.parse("fc00::/48");
    assertThat(net.subnetCount(64)).isEqualTo(BigInteger.valueOf(65536));
    List<Ip6Net> subnets = net.subnets(64).collect(Collectors.toList());
    assertThat(subnets).hasSize(65536).isSorted().doesNotHaveDuplicates();
    assertThat(subnets.get(0)).hasToString("fc00::/64");
    assertThat(subnets.get(1)).hasToString("fc00:0:0:1::/64");
    assertThat(subnets.get(65535)).hasToString("fc00:0:0:ffff::/64");
    assertThat(Ip6Net.parse("fc00::/124").subnets(126))
        .extracting(Ip6Net::toString)
        .containsExactly("fc00::/126", "fc00::4/126", "fc00::8/126", "fc00::c/126");
    assertThat(Ip6Net.parse("fc00:0:ffff:ffff:ffff:ffff::/96").subnets(97))
        .extracting(Ip6Net::toString)
        .containsExactly("fc00:0:ffff:ffff:ffff:ffff::/97", "fc00:0:ffff:ffff:ffff:ffff:8000:0/97");
  }

  @Test
  void iteratesSubnetsCrossingTheMiddleOfTheAddress() {
    Ip6Net net = Ip6Net.parse("fc00::/62");
    assertThat(net.subnets(66).count()).isEqualTo(16);
    assertThat(net.subnets(66).skip(4).findFirst()).contains(Ip6Net.parse("fc00:0:0:1::/66"));
  }

  @Test
  void containsAndOverlaps() {
    Ip6Net net = Ip6Net.parse("2001:cafe:42::/56");
    assertThat(net.contains(Ip6Net.parse("2001:cafe:42:ff::/64"))).isTrue();
    assertThat(net.contains(Ip6Net.parse("2001:cafe:42:100::/64"))).isFalse();
    assertThat(net.contains(Ip6Net.parse("2001:cafe:42::/48"))).isFalse();
    assertThat(net.overlaps(Ip6Net.parse("2001:cafe:42::/48"))).isTrue();
    assertThat(net.overlaps(Ip6Net.parse("2001:cafe:42:ff::1/128"))).isTrue();
    assertThat(net.overlaps(Ip6Net.parse("2001:cafe:43::/56"))).isFalse();
    assertThat(Ip6Net.parse("fc00::1/128").overlaps(Ip6Net.parse("fc00::/128"))).isFalse();
  }

  @Test
  void serialisesAsAJsonString() throws Exception {
    Ip6Net net = Ip6Net.parse("2001:cafe:42::/56");
    assertThat(mapper.writeValueAsString(net)).isEqualTo("\"2001:cafe:42::/56\"");
    assertThat(mapper.readValue("\"2001:cafe:42::/56\"", Ip6Net.class)).isEqualTo(net);
  }
}
