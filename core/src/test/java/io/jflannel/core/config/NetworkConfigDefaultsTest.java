package io.jflannel.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.ip.Ip6Net;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NetworkConfigDefaultsTest {

  @Test
  void appliesUpstreamDefaultsToAMinimalConfig() throws Exception {
    NetworkConfig config = NetworkConfig.parse("{ \"network\": \"10.3.0.0/16\" }");

    assertThat(config.enableIPv4()).isTrue();
    assertThat(config.network()).isEqualTo(Ip4Net.parse("10.3.0.0/16"));
    assertThat(config.subnetLen()).isEqualTo(24);
    assertThat(config.subnetMin()).isEqualTo(Ip4.parse("10.3.1.0"));
    assertThat(config.subnetMax()).isEqualTo(Ip4.parse("10.3.255.0"));
    assertThat(config.enableIPv6()).isFalse();
    assertThat(config.ipv6Network()).isNull();
    assertThat(config.ipv6SubnetLen()).isZero();
    assertThat(config.ipv6SubnetMin()).isNull();
    assertThat(config.ipv6SubnetMax()).isNull();
    assertThat(config.enableNFTables()).isFalse();
    assertThat(config.backendType()).isEqualTo("udp");
    assertThat(config.backend().isEmpty()).isTrue();
  }

  @ParameterizedTest(name = "Network {0} gets SubnetLen {1}, SubnetMin {2}, SubnetMax {3}")
  @CsvSource({
    "10.0.0.0/8, 24, 10.0.1.0, 10.255.255.0",
    "10.244.0.0/16, 24, 10.244.1.0, 10.244.255.0",
    "10.244.0.0/22, 24, 10.244.1.0, 10.244.3.0",
    "10.244.0.0/23, 25, 10.244.0.128, 10.244.1.128",
    "10.244.0.0/24, 26, 10.244.0.64, 10.244.0.192",
    "10.0.0.0/28, 30, 10.0.0.4, 10.0.0.12",
    "0.0.0.0/1, 24, 0.0.1.0, 127.255.255.0",
    "255.255.0.0/16, 24, 255.255.1.0, 255.255.255.0"
  })
  void derivesSubnetLenAndRangeFromTheNetworkPrefix(
      String network, int subnetLen, String min, String max) throws Exception {
    NetworkConfig config = NetworkConfig.parse("{\"Network\": \"" + network + "\"}");

    assertThat(config.subnetLen()).isEqualTo(subnetLen);
    assertThat(config.subnetMin()).isEqualTo(Ip4.parse(min));
    assertThat(config.subnetMax()).isEqualTo(Ip4.parse(max));
  }

  @Test
  void keepsGivenSubnetLenMinAndMax() throws Exception {
    NetworkConfig config =
        NetworkConfig.parse(
            "{ \"Network\": \"10.3.0.0/16\", \"SubnetMin\": \"10.3.5.0\", \"SubnetMax\":"
                + " \"10.3.8.0\", \"SubnetLen\": 28 }");

    assertThat(config.subnetLen()).isEqualTo(28);
    assertThat(config.subnetMin()).isEqualTo(Ip4.parse("10.3.5.0"));
    assertThat(config.subnetMax()).isEqualTo(Ip4.parse("10.3.8.0"));
  }

  @Test
  void treatsZeroValuesAsNotGiven() throws Exception {
    NetworkConfig config =
        NetworkConfig.parse(
            "{\"Network\": \"10.3.0.0/16\", \"SubnetLen\": 0, \"SubnetMin\": \"0.0.0.0\","
                + " \"SubnetMax\": \"0.0.0.0\"}");

    assertThat(config.subnetLen()).isEqualTo(24);
    assertThat(config.subnetMin()).isEqualTo(Ip4.parse("10.3.1.0"));
    assertThat(config.subnetMax()).isEqualTo(Ip4.parse("10.3.255.0"));
  }

  @Test
  void treatsNullValuesAsAbsent() throws Exception {
    NetworkConfig config =
        NetworkConfig.parse(
            "{\"Network\": \"10.3.0.0/16\", \"SubnetLen\": null, \"EnableIPv4\": null,"
                + " \"EnableIPv6\": null, \"IPv6Network\": null, \"Backend\": {\"Type\":"
                + " \"vxlan\"}}");

    assertThat(config.enableIPv4()).isTrue();
    assertThat(config.enableIPv6()).isFalse();
    assertThat(config.subnetLen()).isEqualTo(24);
  }

  @Test
  void appliesUpstreamIpv6Defaults() throws Exception {
    NetworkConfig config =
        NetworkConfig.parse(
            "{ \"enableIPv6\": true, \"ipv6Network\": \"fc00::/48\", \"enableIPv4\": false }");

    assertThat(config.enableIPv4()).isFalse();
    assertThat(config.network()).isNull();
    assertThat(config.subnetLen()).isZero();
    assertThat(config.subnetMin()).isNull();
    assertThat(config.subnetMax()).isNull();
    assertThat(config.ipv6Network()).isEqualTo(Ip6Net.parse("fc00::/48"));
    assertThat(config.ipv6SubnetLen()).isEqualTo(64);
    assertThat(config.ipv6SubnetMin()).hasToString("fc00:0:0:1::");
    assertThat(config.ipv6SubnetMax()).hasToString("fc00:0:0:ffff::");
  }

  @ParameterizedTest(name = "IPv6Network {0} gets IPv6SubnetLen {1}, min {2}, max {3}")
  @CsvSource({
    "2001:cafe:42::/56, 64, 2001:cafe:42:1::, 2001:cafe:42:ff::",
    "fc00::/62, 64, fc00:0:0:1::, fc00:0:0:3::",
    "fc00::/63, 65, fc00::8000:0:0:0, fc00:0:0:1:8000::",
    "fc00::/124, 126, fc00::4, fc00::c"
  })
  void derivesIpv6SubnetLenAndRangeFromThePrefix(String network, int len, String min, String max)
      throws Exception {
    NetworkConfig config =
        NetworkConfig.parse(
            "{\"EnableIPv4\": false, \"EnableIPv6\": true, \"IPv6Network\": \"" + network + "\"}");

    assertThat(config.ipv6SubnetLen()).isEqualTo(len);
    assertThat(config.ipv6SubnetMin()).isEqualTo(Ip6.parse(min));
    assertThat(config.ipv6SubnetMax()).isEqualTo(Ip6.parse(max));
  }

  @Test
  void keepsGivenIpv6SubnetLenMinAndMax() throws Exception {
    NetworkConfig config =
        NetworkConfig.parse(
            "{ \"EnableIPv6\": true, \"IPv6Network\": \"fc00::/48\", \"IPv6SubnetMin\":"
                + " \"fc00:0:0:1::\", \"IPv6SubnetMax\": \"fc00:0:0:f::\", \"IPv6SubnetLen\": 124,"
                + " \"enableIPv4\": false }");

    assertThat(config.ipv6SubnetLen()).isEqualTo(124);
    assertThat(config.ipv6SubnetMin()).hasToString("fc00:0:0:1::");
    assertThat(config.ipv6SubnetMax()).hasToString("fc00:0:0:f::");
  }

  @Test
  void treatsAnIpv6ZeroAddressAsNotGiven() throws Exception {
    NetworkConfig config =
        NetworkConfig.parse(
            "{\"EnableIPv6\": true, \"IPv6Network\": \"fc00::/48\", \"IPv6SubnetMin\": \"::\","
                + " \"IPv6SubnetLen\": 0, \"Network\": \"10.0.0.0/8\"}");

    assertThat(config.ipv6SubnetLen()).isEqualTo(64);
    assertThat(config.ipv6SubnetMin()).hasToString("fc00:0:0:1::");
  }

  @Test
  void supportsDualStack() throws Exception {
    NetworkConfig config =
        NetworkConfig.parse(
            "{\"Network\": \"10.244.0.0/16\", \"EnableIPv6\": true, \"IPv6Network\":"
                + " \"2001:cafe:42::/56\", \"Backend\": {\"Type\": \"vxlan\"}}");

    assertThat(config.enableIPv4()).isTrue();
    assertThat(config.enableIPv6()).isTrue();
    assertThat(config.network()).hasToString("10.244.0.0/16");
    assertThat(config.ipv6Network()).hasToString("2001:cafe:42::/56");
  }

  @Test
  void leavesTheFieldsOfADisabledFamilyUnset() throws Exception {
    NetworkConfig config =
        NetworkConfig.parse(
            "{\"Network\": \"10.244.0.0/16\", \"IPv6Network\": \"fc00::/48\", \"IPv6SubnetLen\":"
                + " 200}");

    assertThat(config.enableIPv6()).isFalse();
    assertThat(config.ipv6Network()).isNull();
    assertThat(config.ipv6SubnetLen()).isZero();
  }

  @Test
  void readsEnableNfTables() throws Exception {
    assertThat(
            NetworkConfig.parse("{\"Network\": \"10.244.0.0/16\", \"EnableNFTables\": true}")
                .enableNFTables())
        .isTrue();
  }

  @Test
  void matchesKeysInAnyLetterCase() throws Exception {
    NetworkConfig config =
        NetworkConfig.parse(
            "{\"NETWORK\": \"10.5.0.0/16\", \"subnetlen\": 26, \"SUBNETmin\": \"10.5.0.64\","
                + " \"enableipv6\": true, \"ipv6network\": \"fc00::/48\", \"enablenftables\":"
                + " true, \"backend\": {\"type\": \"host-gw\"}}");

    assertThat(config.network()).hasToString("10.5.0.0/16");
    assertThat(config.subnetLen()).isEqualTo(26);
    assertThat(config.subnetMin()).hasToString("10.5.0.64");
    assertThat(config.enableIPv6()).isTrue();
    assertThat(config.ipv6Network()).hasToString("fc00::/48");
    assertThat(config.enableNFTables()).isTrue();
    assertThat(config.backendType()).isEqualTo("host-gw");
  }

  @Test
  void skipsAByteOrderMarkSomeEditorsWrite() throws Exception {
    assertThat(NetworkConfig.parse("\uFEFF{\"Network\": \"10.5.0.0/16\"}").network())
        .hasToString("10.5.0.0/16");
  }

  @Test
  void ignoresUnknownKeys() throws Exception {
    NetworkConfig config =
        NetworkConfig.parse(
            "{\"Network\": \"10.5.0.0/16\", \"Networks\": [1, 2], \"BackendType\": 7,"
                + " \"Comment\": {\"nested\": [true]}}");

    assertThat(config.network()).hasToString("10.5.0.0/16");
    assertThat(config.backendType()).isEqualTo("udp");
  }

  @Test
  void letsTheLaterOfTwoEqualKeysWinAsGoDoes() throws Exception {
    NetworkConfig config =
        NetworkConfig.parse(
            "{\"Network\": \"10.1.0.0/16\", \"network\": \"10.2.0.0/16\", \"SubnetLen\": 20,"
                + " \"Network\": \"10.3.0.0/16\", \"subnetLEN\": 25}");

    assertThat(config.network()).hasToString("10.3.0.0/16");
    assertThat(config.subnetLen()).isEqualTo(25);
  }

  @Test
  void choosesUdpWhenTheBackendIsMissingAsUpstreamDoes() throws Exception {
    NetworkConfig config = NetworkConfig.parse("{\"Network\": \"10.244.0.0/16\"}");

    assertThat(config.backendType()).isEqualTo("udp");
    assertThat(config.backend()).isEmpty();
  }

  @Test
  void lowerCasesTheBackendTypeAndKeepsItsOptions() throws Exception {
    NetworkConfig config =
        NetworkConfig.parse(
            "{\"Network\": \"10.244.0.0/16\", \"Backend\": {\"TYPE\": \"VXLAN\", \"VNI\": 4096,"
                + " \"DirectRouting\": true}}");

    assertThat(config.backendType()).isEqualTo("vxlan");
    assertThat(config.backend().get("VNI").intValue()).isEqualTo(4096);
    assertThat(config.backend().get("DirectRouting").booleanValue()).isTrue();
    assertThat(config.backend().get("TYPE").textValue()).isEqualTo("VXLAN");
  }

  @Test
  void cannotBeChangedThroughItsBackendObject() throws Exception {
    NetworkConfig config =
        NetworkConfig.parse("{\"Network\": \"10.244.0.0/16\", \"Backend\": {\"Type\": \"vxlan\"}}");

    config.backend().put("VNI", 99);

    assertThat(config.backend().has("VNI")).isFalse();
  }

  @Test
  void constructorEnforcesTheStructuralInvariants() throws Exception {
    NetworkConfig ok =
        NetworkConfig.parse("{\"Network\": \"10.244.0.0/16\", \"Backend\": {\"Type\": \"vxlan\"}}");

    assertThatThrownBy(
            () ->
                new NetworkConfig(
                    true,
                    null,
                    24,
                    ok.subnetMin(),
                    ok.subnetMax(),
                    false,
                    null,
                    0,
                    null,
                    null,
                    false,
                    "vxlan",
                    ok.backend()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                new NetworkConfig(
                    false,
                    null,
                    0,
                    null,
                    null,
                    false,
                    null,
                    0,
                    null,
                    null,
                    false,
                    "vxlan",
                    ok.backend()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                new NetworkConfig(
                    true,
                    ok.network(),
                    24,
                    ok.subnetMin(),
                    ok.subnetMax(),
                    false,
                    null,
                    0,
                    null,
                    null,
                    false,
                    "",
                    ok.backend()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
