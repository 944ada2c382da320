package io.jflannel.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NetworkConfigErrorsTest {

  private static AbstractThrowableAssert<?, ? extends Throwable> parsing(String json) {
    return assertThatThrownBy(() -> NetworkConfig.parse(json))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\r"));
  }

  @Test
  void rejectsMalformedJsonNamingThePosition() {
    parsing("{\n  \"Network\": \"10.244.0.0/16\",\n  \"Backend\": {\"Type\": \"vxlan\"\n}")
        .hasMessageStartingWith("the network config is not valid JSON: ")
        .hasMessageContaining("at line 4, column 2")
        .hasMessageContaining("; fix the syntax, e.g. {\"Network\": \"10.244.0.0/16\"");
    parsing("{\"Network\": '10.244.0.0/16'}")
        .hasMessageContaining("not valid JSON")
        .hasMessageContaining("at line 1, column 13");
    parsing("{\"Network\": \"10.244.0.0/16\",}").hasMessageContaining("not valid JSON");
    parsing("{Network: 1}").hasMessageContaining("not valid JSON");
    parsing("{\"SubnetLen\": 024}").hasMessageContaining("not valid JSON");
  }

  @Test
  void rejectsInputBeyondTheParserLimitsNamingThePosition() {
    parsing("{\"Backend\": " + "[".repeat(1500) + "]".repeat(1500) + "}")
        .hasMessageStartingWith("the network config exceeds the JSON parser's limits: ")
        .hasMessageContaining("at line 1, column ")
        .hasMessageEndingWith("; shorten it");
    parsing("{\"SubnetLen\": 1" + "0".repeat(1500) + "}")
        .hasMessageStartingWith("the network config exceeds the JSON parser's limits: ");
  }

  @Test
  void keepsTheParserExceptionAsTheCause() {
    assertThatThrownBy(() -> NetworkConfig.parse("{")).hasCauseInstanceOf(Exception.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "\n\t"})
  void rejectsAnEmptyConfig(String json) {
    parsing(json)
        .hasMessage(
            "the network config is empty; write a JSON object like {\"Network\":"
                + " \"10.244.0.0/16\", \"Backend\": {\"Type\": \"vxlan\"}}");
  }

  @Test
  void rejectsANullConfig() {
    parsing(null).hasMessageStartingWith("the network config is missing;");
  }

  @Test
  void rejectsTopLevelValuesThatAreNotObjects() {
    parsing("[{\"Network\": \"10.244.0.0/16\"}]")
        .hasMessageStartingWith("the network config must be a JSON object, not an array;");
    parsing("\"10.244.0.0/16\"")
        .hasMessageStartingWith(
            "the network config must be a JSON object, not the string \"10.244.0.0/16\";");
    parsing("null").hasMessageStartingWith("the network config must be a JSON object, not null;");
    parsing("42").hasMessageStartingWith("the network config must be a JSON object, not 42;");
  }

  @Test
  void rejectsContentAfterTheObject() {
    parsing("{\"Network\": \"10.244.0.0/16\"} {}")
        .hasMessage(
            "the network config has more JSON after its closing '}' at line 1, column 30; remove"
                + " it so the config is exactly one JSON object");
    parsing("{\"Network\": \"10.244.0.0/16\"} x").hasMessageContaining("not valid JSON");
  }

  @Test
  void rejectsAConfigWithNoFamilyEnabled() {
    parsing("{\"Network\": \"10.244.0.0/16\", \"EnableIPv4\": false}")
        .hasMessage(
            "no IP family is enabled (upstream: \"none defined stack\"): EnableIPv4 and EnableIPv6"
                + " are both false; set \"EnableIPv4\": true with a \"Network\", and/or"
                + " \"EnableIPv6\": true with an \"IPv6Network\"");
  }

  @Test
  void rejectsAMissingNetwork() {
    parsing("{\"Backend\": {\"Type\": \"vxlan\"}}")
        .hasMessage(
            "Network is missing but IPv4 is enabled (EnableIPv4 defaults to true); set"
                + " \"Network\" to the cluster's IPv4 pod CIDR, e.g. \"Network\":"
                + " \"10.244.0.0/16\", or set \"EnableIPv4\": false for an IPv6-only cluster");
    parsing("{}").hasMessageStartingWith("Network is missing");
    parsing("{\"Network\": null}").hasMessageStartingWith("Network is missing");
  }

  @Test
  void rejectsAWholeAddressSpaceNetworkAsUpstreamDoes() {
    parsing("{\"Network\": \"0.0.0.0/0\"}")
        .hasMessage(
            "Network 0.0.0.0/0 spans every IPv4 address, which upstream reads as no Network at"
                + " all; set \"Network\" to the cluster's pod CIDR, e.g. \"Network\":"
                + " \"10.244.0.0/16\"");
    parsing("{\"EnableIPv4\": false, \"EnableIPv6\": true, \"IPv6Network\": \"::/0\"}")
        .hasMessageStartingWith("IPv6Network ::/0 spans every IPv6 address");
  }

  @Test
  void rejectsANetworkWithHostBits() {
    parsing("{\"Network\": \"10.244.1.0/16\"}")
        .hasMessage(
            "Network: 10.244.1.0/16 has host bits set; use its network address 10.244.0.0/16");
  }

  @Test
  void rejectsANetworkThatIsNotAnIpv4Cidr() {
    parsing("{\"Network\": \"10.244.0.0\"}")
        .hasMessage(
            "Network: \"10.244.0.0\" is not an IPv4 CIDR: the /<prefix length> is missing, e.g."
                + " 10.244.0.0/16");
    parsing("{\"Network\": \"fc00::/48\"}")
        .hasMessage("Network: \"fc00::/48\" is not an IPv4 CIDR like 10.244.0.0/16");
    parsing("{\"Network\": 10}")
        .hasMessage("Network must be a string holding an IPv4 CIDR like 10.244.0.0/16, not 10");
    parsing("{\"Network\": [\"10.244.0.0/16\"]}")
        .hasMessage(
            "Network must be a string holding an IPv4 CIDR like 10.244.0.0/16, not an array");
  }

  @Test
  void rejectsASubnetLenLongerThan30() {
    parsing("{\"Network\": \"10.244.0.0/16\", \"SubnetLen\": 31}")
        .hasMessage(
            "SubnetLen /31 is too long (upstream: \"SubnetLen must be less than /31\"); set"
                + " \"SubnetLen\" to 30 or less, or omit it to get the default");
    parsing("{\"Network\": \"10.244.0.0/16\", \"SubnetLen\": 123456789012345678901234567890}")
        .hasMessageStartingWith("SubnetLen /123456789012345678901234567890 is too long");
  }

  @Test
  void rejectsASubnetLenThatGivesFewerThanFourSubnets() {
    parsing("{\"Network\": \"10.244.0.0/16\", \"SubnetLen\": 17}")
        .hasMessage(
            "SubnetLen /17 is too short for Network 10.244.0.0/16 (upstream: \"network must be"
                + " able to accommodate at least four subnets\"); set \"SubnetLen\" to 18 or more");
    parsing("{\"Network\": \"10.244.0.0/29\", \"SubnetLen\": 30}")
        .hasMessageEndingWith("; use a Network with a prefix length of 28 or less");
  }

  @Test
  void rejectsANetworkTooSmallForTheDefaultSubnetLen() {
    parsing("{\"Network\": \"10.244.0.0/29\"}")
        .hasMessage(
            "Network 10.244.0.0/29 is too small (upstream: \"network is too small. Minimum useful"
                + " network prefix is /28\"); use a Network with a prefix length of 28 or less");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"24\"", "24.0", "2.4e1", "-1", "true", "{}", "[24]"})
  void rejectsASubnetLenThatIsNotAWholeNumber(String value) {
    parsing("{\"Network\": \"10.244.0.0/16\", \"SubnetLen\": " + value + "}")
        .hasMessageStartingWith("SubnetLen must be a whole number of prefix bits, not ")
        .hasMessageEndingWith("; write it without quotes or decimals, e.g. \"SubnetLen\": 24");
  }

  @Test
  void rejectsSubnetBoundsOutsideTheNetwork() {
    parsing("{\"Network\": \"10.244.0.0/16\", \"SubnetMin\": \"10.1.0.0\"}")
        .hasMessage(
            "SubnetMin 10.1.0.0 is not in the range of the Network 10.244.0.0/16; set"
                + " \"SubnetMin\" to the start of a subnet inside 10.244.0.0/16, or omit it to get"
                + " the default");
    parsing("{\"Network\": \"10.244.0.0/16\", \"SubnetMax\": \"10.245.0.0\"}")
        .hasMessageStartingWith("SubnetMax 10.245.0.0 is not in the range of the Network");
  }

  @Test
  void rejectsSubnetBoundsOffASubnetBoundary() {
    parsing("{\"Network\": \"10.244.0.0/16\", \"SubnetMin\": \"10.244.1.5\"}")
        .hasMessage(
            "SubnetMin is not on a SubnetLen boundary: 10.244.1.5 is inside the /24 that starts at"
                + " 10.244.1.0; set \"SubnetMin\" to 10.244.1.0");
    parsing("{\"Network\": \"10.244.0.0/16\", \"SubnetLen\": 20, \"SubnetMax\": \"10.244.17.0\"}")
        .hasMessage(
            "SubnetMax is not on a SubnetLen boundary: 10.244.17.0 is inside the /20 that starts"
                + " at 10.244.16.0; set \"SubnetMax\" to 10.244.16.0");
  }

  @Test
  void rejectsSubnetBoundsThatAreNotAddresses() {
    parsing("{\"Network\": \"10.244.0.0/16\", \"SubnetMin\": \"10.244.1.0/24\"}")
        .hasMessage("SubnetMin: \"10.244.1.0/24\" is not an IPv4 address like 10.244.0.1");
    parsing("{\"Network\": \"10.244.0.0/16\", \"SubnetMax\": 5}")
        .hasMessage("SubnetMax must be a string holding an IPv4 address, not 5");
  }

  @Test
  void rejectsAMissingIpv6Network() {
    parsing("{\"Network\": \"10.244.0.0/16\", \"EnableIPv6\": true}")
        .hasMessage(
            "IPv6Network is missing but EnableIPv6 is true; set \"IPv6Network\" to the cluster's"
                + " IPv6 pod CIDR, e.g. \"IPv6Network\": \"2001:cafe:42::/56\", or set"
                + " \"EnableIPv6\": false");
  }

  @Test
  void rejectsAnIpv6NetworkThatIsNotAnIpv6Cidr() {
    parsing("{\"EnableIPv6\": true, \"IPv6Network\": \"10.0.0.0/8\", \"EnableIPv4\": false}")
        .hasMessage("IPv6Network: \"10.0.0.0/8\" is not an IPv6 CIDR like fc00::/48");
    parsing("{\"EnableIPv6\": true, \"IPv6Network\": \"fc00::1/48\", \"EnableIPv4\": false}")
        .hasMessage("IPv6Network: fc00::1/48 has host bits set; use its network address fc00::/48");
  }

  @Test
  void rejectsAnIpv6SubnetLenLongerThan126() {
    parsing(v6("\"IPv6SubnetLen\": 127"))
        .hasMessage(
            "IPv6SubnetLen /127 is too long (upstream: \"SubnetLen must be less than /127\"); set"
                + " \"IPv6SubnetLen\" to 126 or less, or omit it to get the default");
  }

  @Test
  void rejectsAnIpv6SubnetLenThatGivesFewerThanFourSubnets() {
    parsing(v6("\"IPv6SubnetLen\": 49"))
        .hasMessage(
            "IPv6SubnetLen /49 is too short for IPv6Network fc00::/48 (upstream: \"network must be"
                + " able to accommodate at least four subnets\"); set \"IPv6SubnetLen\" to 50 or"
                + " more");
    parsing(
            "{\"EnableIPv4\": false, \"EnableIPv6\": true, \"IPv6Network\": \"fc00::/125\","
                + " \"IPv6SubnetLen\": 126}")
        .hasMessageEndingWith("; use an IPv6Network with a prefix length of 124 or less");
    parsing(v6("\"IPv6SubnetLen\": \"64\""))
        .hasMessageStartingWith("IPv6SubnetLen must be a whole number of prefix bits, not")
        .hasMessageEndingWith("e.g. \"IPv6SubnetLen\": 64");
  }

  @Test
  void rejectsAnIpv6NetworkTooSmallForTheDefaultSubnetLen() {
    parsing("{\"EnableIPv4\": false, \"EnableIPv6\": true, \"IPv6Network\": \"fc00::/125\"}")
        .hasMessage(
            "IPv6Network fc00::/125 is too small (upstream: \"IPv6Network is too small. Minimum"
                + " useful network prefix is /124\"); use an IPv6Network with a prefix length of"
                + " 124 or less");
  }

  @Test
  void rejectsIpv6SubnetBoundsOutsideTheNetwork() {
    parsing(v6("\"IPv6SubnetMin\": \"fd00::\""))
        .hasMessage(
            "IPv6SubnetMin fd00:: is not in the range of the IPv6Network fc00::/48; set"
                + " \"IPv6SubnetMin\" to the start of a subnet inside fc00::/48, or omit it to get"
                + " the default");
    parsing(v6("\"IPv6SubnetMax\": \"fc00:1::\""))
        .hasMessageStartingWith("IPv6SubnetMax fc00:1:: is not in the range of the IPv6Network");
  }

  @Test
  void rejectsIpv6SubnetBoundsOffASubnetBoundary() {
    parsing(v6("\"IPv6SubnetMin\": \"fc00:0:0:1::1\""))
        .hasMessage(
            "IPv6SubnetMin is not on a SubnetLen boundary: fc00:0:0:1::1 is inside the /64 that"
                + " starts at fc00:0:0:1::; set \"IPv6SubnetMin\" to fc00:0:0:1::");
    parsing(v6("\"IPv6SubnetMax\": \"fc00:0:0:ff:8000::\""))
        .hasMessageStartingWith("IPv6SubnetMax is not on a SubnetLen boundary");
    parsing(v6("\"IPv6SubnetMax\": \"not-an-ip\""))
        .hasMessage("IPv6SubnetMax: \"not-an-ip\" is not an IPv6 address like 2001:db8::1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"true\"", "1", "0", "\"yes\"", "{}"})
  void rejectsFlagsThatAreNotBooleans(String value) {
    parsing("{\"Network\": \"10.244.0.0/16\", \"EnableIPv6\": " + value + "}")
        .hasMessageStartingWith("EnableIPv6 must be true or false, not ")
        .hasMessageEndingWith("; write \"EnableIPv6\": true or \"EnableIPv6\": false");
    parsing("{\"Network\": \"10.244.0.0/16\", \"enableNFTables\": " + value + "}")
        .hasMessageStartingWith("EnableNFTables must be true or false");
  }

  @Test
  void rejectsABackendWithoutType() {
    String expected =
        "unknown backend type: the Backend has no \"Type\"; name the backend, e.g. \"Backend\":"
            + " {\"Type\": \"vxlan\"} (or \"host-gw\", \"udp\")";
    parsing("{\"Network\": \"10.244.0.0/16\", \"Backend\": {}}").hasMessage(expected);
    parsing("{\"Network\": \"10.244.0.0/16\", \"Backend\": {\"VNI\": 1}}").hasMessage(expected);
    parsing("{\"Network\": \"10.244.0.0/16\", \"Backend\": {\"Type\": \"\"}}").hasMessage(expected);
    parsing("{\"Network\": \"10.244.0.0/16\", \"Backend\": {\"Type\": null}}").hasMessage(expected);
  }

  @Test
  void rejectsABackendThatIsNotAnObject() {
    parsing("{\"Network\": \"10.244.0.0/16\", \"Backend\": \"vxlan\"}")
        .hasMessage(
            "Backend must be a JSON object, not the string \"vxlan\"; write it like \"Backend\":"
                + " {\"Type\": \"vxlan\"}");
    parsing("{\"Network\": \"10.244.0.0/16\", \"Backend\": [\"vxlan\"]}")
        .hasMessageStartingWith("Backend must be a JSON object, not an array;");
  }

  @Test
  void rejectsABackendTypeThatIsNotAString() {
    parsing("{\"Network\": \"10.244.0.0/16\", \"Backend\": {\"Type\": 1}}")
        .hasMessage(
            "Backend Type must be a string, not 1; write it like \"Backend\": {\"Type\":"
                + " \"vxlan\"}");
  }

  @Test
  void quotesGarbageValuesShortAndPrintable() {
    String garbage = "\u0001\n".repeat(500);
    parsing("{\"Network\": \"" + garbage.replace("\n", "\\n").replace("\u0001", "\\u0001") + "\"}")
        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(200));
  }

  private static String v6(String extra) {
    return "{\"EnableIPv4\": false, \"EnableIPv6\": true, \"IPv6Network\": \"fc00::/48\", "
        + extra
        + "}";
  }
}
