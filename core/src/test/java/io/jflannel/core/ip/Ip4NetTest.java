package io.jflannel.core.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ip4NetTest {

  private final ObjectMapper mapper = new ObjectMapper();

  @Test
  void parsesCidrText() {
    Ip4Net net = Ip4Net.parse("10.244.1.0/24");
    assertThat(net.address()).isEqualTo(0x0AF40100);
    assertThat(net.prefixLength()).isEqualTo(24);
    assertThat(net.ip()).isEqualTo(Ip4.parse("10.244.1.0"));
    assertThat(net).hasToString("10.244.1.0/24");
  }

  @Test
  void parseRejectsHostBitsAndNamesTheNetworkAddress() {
    assertThatThrownBy(() -> Ip4Net.parse("10.244.1.5/16"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("10.244.1.5/16 has host bits set; use its network address 10.244.0.0/16");
  }

  @Test
  void ofClearsHostBits() {
    assertThat(Ip4Net.of(Ip4.parse("10.244.1.5"), 16)).isEqualTo(Ip4Net.parse("10.244.0.0/16"));
    assertThat(Ip4Net.of(-1, 0)).isEqualTo(Ip4Net.parse("0.0.0.0/0"));
    assertThat(Ip4Net.of(-1, 32)).hasToString("255.255.255.255/32");
  }

  @Test
  void parseContainingAcceptsHostBitsAsGoDoes() {
    assertThat(Ip4Net.parseContaining("10.244.1.1/24")).isEqualTo(Ip4Net.parse("10.244.1.0/24"));
    assertThat(Ip4Net.parseContaining("10.244.0.0/16")).isEqualTo(Ip4Net.parse("10.244.0.0/16"));
    assertThatThrownBy(() -> Ip4Net.parseContaining("10.244.1.1"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.244.0.0",
        "10.244.0.0/",
        "10.244.0.0/33",
        "10.244.0.0/-1",
        "10.244.0.0/1000",
        "10.244.0.0/x",
        "10.244.0/16",
        "/16",
        "fc00::/48",
        "10.244.0.0/16/16"
      })
  void rejectsMalformedCidrs(String text) {
    assertThatThrownBy(() -> Ip4Net.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not an IPv4 CIDR");
  }

  @Test
  void constructorRejectsBadPrefixLengths() {
    assertThatThrownBy(() -> new Ip4Net(0, 33)).hasMessageContaining("0 to 32");
    assertThatThrownBy(() -> new Ip4Net(0, -1)).hasMessageContaining("0 to 32");
    assertThatThrownBy(() -> Ip4Net.of(0, 40)).hasMessageContaining("0 to 32");
  }

  @Test
  void wholeSpaceContainsEverything() {
    Ip4Net all = Ip4Net.parse("0.0.0.0/0");
    assertThat(all.size()).isEqualTo(1L << 32);
    assertThat(all.mask()).isZero();
    assertThat(all.contains(Ip4.parse("255.255.255.255"))).isTrue();
    assertThat(all.contains(Ip4.parse("0.0.0.0"))).isTrue();
    assertThat(all.contains(Ip4Net.parse("10.0.0.0/8"))).isTrue();
    assertThat(all.lastAddress()).isEqualTo(Ip4.parse("255.255.255.255"));
    assertThat(all.subnetCount(32)).isEqualTo(1L << 32);
    assertThat(all.subnetCount(0)).isEqualTo(1);
    assertThat(all.subnets(0)).containsExactly(all);
    assertThatThrownBy(all::next).isInstanceOf(ArithmeticException.class);
  }

  @Test
  void hostRouteHoldsOneAddress() {
    Ip4Net host = Ip4Net.parse("255.255.255.255/32");
    assertThat(host.size()).isEqualTo(1);
    assertThat(host.mask()).isEqualTo(-1);
    assertThat(host.lastAddress()).isEqualTo(host.ip());
    assertThat(host.contains(Ip4.parse("255.255.255.255"))).isTrue();
    assertThat(host.contains(Ip4.parse("255.255.255.254"))).isFalse();
    assertThat(host.subnets(32)).containsExactly(host);
    assertThatThrownBy(host::next)
        .isInstanceOf(ArithmeticException.class)
        .hasMessage("no IPv4 network follows 255.255.255.255/32");
    assertThatThrownBy(host::firstUsable).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void firstUsableIsTheAddressAfterTheNetworkAddress() {
    assertThat(Ip4Net.parse("10.244.1.0/24").firstUsable()).isEqualTo(Ip4.parse("10.244.1.1"));
    assertThat(Ip4Net.parse("10.244.1.2/31").firstUsable()).isEqualTo(Ip4.parse("10.244.1.3"));
  }

  @Test
  void containsAddressesAndNetworksInside() {
    Ip4Net net = Ip4Net.parse("10.244.0.0/16");
    assertThat(net.contains(Ip4.parse("10.244.255.255"))).isTrue();
    assertThat(net.contains(Ip4.parse("10.245.0.0"))).isFalse();
    assertThat(net.contains(Ip4Net.parse("10.244.3.0/24"))).isTrue();
    assertThat(net.contains(net)).isTrue();
    assertThat(net.contains(Ip4Net.parse("10.0.0.0/8"))).isFalse();
    assertThat(net.contains(Ip4Net.parse("10.245.0.0/24"))).isFalse();
  }

  @Test
  void overlapsWhenOneContainsTheOther() {
    Ip4Net net = Ip4Net.parse("10.244.0.0/16");
    assertThat(net.overlaps(Ip4Net.parse("10.0.0.0/8"))).isTrue();
    assertThat(Ip4Net.parse("10.0.0.0/8").overlaps(net)).isTrue();
    assertThat(net.overlaps(Ip4Net.parse("10.244.7.0/24"))).isTrue();
    assertThat(net.overlaps(Ip4Net.parse("10.245.0.0/16"))).isFalse();
    assertThat(net.overlaps(Ip4Net.parse("0.0.0.0/0"))).isTrue();
  }

  @Test
  void nextIsTheFollowingNetworkOfTheSameLength() {
    assertThat(Ip4Net.parse("10.244.1.0/24").next()).isEqualTo(Ip4Net.parse("10.244.2.0/24"));
    assertThat(Ip4Net.parse("10.244.255.0/24").next()).isEqualTo(Ip4Net.parse("10.245.0.0/24"));
    assertThat(Ip4Net.parse("127.255.255.255/32").next()).isEqualTo(Ip4Net.parse("128.0.0.0/32"));
    assertThat(Ip4Net.parse("255.255.255.0/24").lastAddress())
        .isEqualTo(Ip4.parse("255.255.255.255"));
    assertThatThrownBy(() -> Ip4Net.parse("255.255.255.0/24").next())
        .isInstanceOf(ArithmeticException.class);
  }

  @Test
  void iteratesSubnetsInAddressOrder() {
    Ip4Net net = Ip4Net.parse("10.244.0.0/16");
    List<Ip4Net> subnets = net.subnets(24).collect(Collectors.toList());
    assertThat(subnets).hasSize(256);
    assertThat(net.subnetCount(24)).isEqualTo(256);
    assertThat(subnets.get(0)).isEqualTo(Ip4Net.parse("10.244.0.0/24"));
    assertThat(subnets.get(1)).isEqualTo(Ip4Net.parse("10.244.1.0/24"));
    assertThat(subnets.get(255)).isEqualTo(Ip4Net.parse("10.244.255.0/24"));
    assertThat(subnets).isSorted().doesNotHaveDuplicates();
    assertThat(net.subnets(16)).containsExactly(net);
    assertThat(Ip4Net.parse("10.244.0.0/28").subnets(30))
        .extracting(Ip4Net::toString)
        .containsExactly("10.244.0.0/30", "10.244.0.4/30", "10.244.0.8/30", "10.244.0.12/30");
  }

  @Test
  void iteratesSubnetsLazily() {
    Ip4Net all = Ip4Net.parse("0.0.0.0/0");
    assertThat(all.subnets(32).skip(5).findFirst()).contains(Ip4Net.parse("0.0.0.5/32"));
    assertThat(Ip4Net.parse("255.255.255.0/24").subnets(32).reduce((a, b) -> b))
        .contains(Ip4Net.parse("255.255.255.255/32"));
  }

  @Test
  void rejectsSubnetLengthsOutsideTheNetwork() {
    Ip4Net net = Ip4Net.parse("10.244.0.0/16");
    assertThatThrownBy(() -> net.subnets(15)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> net.subnetCount(33)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ordersByUnsignedAddressThenPrefix() {
    assertThat(Ip4Net.parse("200.0.0.0/8")).isGreaterThan(Ip4Net.parse("10.0.0.0/8"));
    assertThat(Ip4Net.parse("10.0.0.0/16")).isGreaterThan(Ip4Net.parse("10.0.0.0/8"));
  }

  @Test
  void serialisesAsAJsonString() throws Exception {
    Ip4Net net = Ip4Net.parse("10.244.0.0/16");
    assertThat(mapper.writeValueAsString(net)).isEqualTo("\"10.244.0.0/16\"");
    assertThat(mapper.readValue("\"10.244.0.0/16\"", Ip4Net.class)).isEqualTo(net);
  }
}
