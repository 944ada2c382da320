package io.jflannel.core.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip6;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LeaseAttrsTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  // Values exactly as upstream flannel's json.Marshal(LeaseAttrs) writes them to etcd.
  private static final String VXLAN =
      "{\"PublicIP\":\"192.168.64.3\",\"PublicIPv6\":null,\"BackendType\":\"vxlan\","
          + "\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:ff\"}}";
  private static final String HOST_GW =
      "{\"PublicIP\":\"192.168.64.4\",\"PublicIPv6\":null,\"BackendType\":\"host-gw\"}";
  private static final String HOST_GW_FROM_ANNOTATIONS =
      "{\"PublicIP\":\"192.168.64.4\",\"PublicIPv6\":null,\"BackendType\":\"host-gw\","
          + "\"BackendData\":null}";
  private static final String UDP = "{\"PublicIP\":\"192.168.64.5\",\"PublicIPv6\":null}";
  private static final String DUAL_STACK =
      "{\"PublicIP\":\"192.168.64.3\",\"PublicIPv6\":\"2001:db8::3\",\"BackendType\":\"vxlan\","
          + "\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:ff\"},"
          + "\"BackendV6Data\":{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:fe\"}}";
  private static final String IPV6_ONLY =
      "{\"PublicIP\":\"0.0.0.0\",\"PublicIPv6\":\"2001:db8::3\",\"BackendType\":\"vxlan\","
          + "\"BackendV6Data\":{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:fe\"}}";

  @Test
  void writesAVxlanLeaseExactlyAsUpstream() throws Exception {
    LeaseAttrs attrs =
        new LeaseAttrs(
            Ip4.parse("192.168.64.3"),
            null,
            "vxlan",
            MAPPER.readTree("{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:ff\"}"),
            null);

    assertThat(attrs.toJson()).isEqualTo(VXLAN);
  }

  @Test
  void writesAHostGwLeaseWithoutBackendDataAsUpstreamDoesInEtcd() {
    LeaseAttrs attrs = new LeaseAttrs(Ip4.parse("192.168.64.4"), null, "host-gw", null, null);

    assertThat(attrs.toJson()).isEqualTo(HOST_GW);
  }

  @Test
  void writesAJsonNullBackendDataAsNull() {
    LeaseAttrs attrs =
        new LeaseAttrs(Ip4.parse("192.168.64.4"), null, "host-gw", NullNode.getInstance(), null);

    assertThat(attrs.toJson()).isEqualTo(HOST_GW_FROM_ANNOTATIONS);
  }

  @Test
  void leavesOutAnEmptyBackendTypeAsUpstreamUdpDoes() {
    assertThat(new LeaseAttrs(Ip4.parse("192.168.64.5"), null, "", null, null).toJson())
        .isEqualTo(UDP);
    assertThat(new LeaseAttrs(Ip4.parse("192.168.64.5"), null, null, null, null).toJson())
        .isEqualTo(UDP);
  }

  @Test
  void writesAnIpv6OnlyLeaseWithTheZeroIpv4AddressAsUpstream() throws Exception {
    LeaseAttrs attrs =
        new LeaseAttrs(
            null,
            Ip6.parse("2001:db8::3"),
            "vxlan",
            null,
            MAPPER.readTree("{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:fe\"}"));

    assertThat(attrs.toJson()).isEqualTo(IPV6_ONLY);
  }

  @ParameterizedTest
  @ValueSource(strings = {VXLAN, HOST_GW, HOST_GW_FROM_ANNOTATIONS, UDP, DUAL_STACK, IPV6_ONLY})
  void readsUpstreamValuesAndWritesTheSameBytesBack(String json) {
    assertThat(LeaseAttrs.fromJson(json).toJson()).isEqualTo(json);
  }

  @Test
  void readsTheFields() {
    LeaseAttrs attrs = LeaseAttrs.fromJson(DUAL_STACK);

    assertThat(attrs.publicIp()).isEqualTo(Ip4.parse("192.168.64.3"));
    assertThat(attrs.publicIpv6()).isEqualTo(Ip6.parse("2001:db8::3"));
    assertThat(attrs.backendType()).isEqualTo("vxlan");
    assertThat(attrs.backendData().get("VtepMAC").textValue()).isEqualTo("aa:bb:cc:dd:ee:ff");
    assertThat(attrs.backendV6Data().get("VtepMAC").textValue()).isEqualTo("aa:bb:cc:dd:ee:fe");
  }

  @Test
  void readsTheZeroIpv4AddressAsNoAddress() {
    assertThat(LeaseAttrs.fromJson(IPV6_ONLY).publicIp()).isNull();
    assertThat(LeaseAttrs.fromJson("{}").publicIp()).isNull();
  }

  @Test
  void keepsAJsonNullBackendDataApartFromAMissingOne() {
    assertThat(LeaseAttrs.fromJson(HOST_GW_FROM_ANNOTATIONS).backendData())
        .isEqualTo(NullNode.getInstance());
    assertThat(LeaseAttrs.fromJson(HOST_GW).backendData()).isNull();
  }

  @Test
  void readsKeysInAnyLetterCaseAsGoDoes() {
    LeaseAttrs attrs =
        LeaseAttrs.fromJson(
            "{\"publicip\":\"10.0.0.1\",\"PUBLICIPV6\":\"fc00::1\",\"backendtype\":\"vxlan\","
                + "\"backenddata\":{\"VNI\":1},\"BACKENDV6DATA\":{\"VNI\":2}}");

    assertThat(attrs.publicIp()).isEqualTo(Ip4.parse("10.0.0.1"));
    assertThat(attrs.publicIpv6()).isEqualTo(Ip6.parse("fc00::1"));
    assertThat(attrs.backendType()).isEqualTo("vxlan");
    assertThat(attrs.backendData().get("VNI").intValue()).isEqualTo(1);
    assertThat(attrs.backendV6Data().get("VNI").intValue()).isEqualTo(2);
  }

  @Test
  void ignoresUnknownKeysAndLetsTheLaterOfTwoEqualKeysWin() {
    LeaseAttrs attrs =
        LeaseAttrs.fromJson(
            "{\"PublicIP\":\"10.0.0.1\",\"Extra\":[1,{\"a\":2}],\"publicIP\":\"10.0.0.2\","
                + "\"PublicIP\":\"10.0.0.3\",\"BackendType\":\"vxlan\",\"BackendType\":null}");

    assertThat(attrs.publicIp()).isEqualTo(Ip4.parse("10.0.0.3"));
    assertThat(attrs.backendType()).isEmpty();
  }

  @Test
  void escapesStringsAsGoDoes() throws Exception {
    ObjectNode data = MAPPER.createObjectNode();
    data.put("s", "<a&b>\u2028\u2029\u0001\b\f\n\r\t\"\\/\u007f\u00e9");
    LeaseAttrs attrs = new LeaseAttrs(Ip4.parse("10.0.0.1"), null, "extension", data, null);

    assertThat(attrs.toJson())
        .isEqualTo(
            "{\"PublicIP\":\"10.0.0.1\",\"PublicIPv6\":null,\"BackendType\":\"extension\","
                + "\"BackendData\":{\"s\":\"\\u003ca\\u0026b\\u003e\\u2028\\u2029\\u0001\\b\\f"
                + "\\n\\r\\t\\\"\\\\/\u007f\u00e9\"}}");
    assertThat(LeaseAttrs.fromJson(attrs.toJson())).isEqualTo(attrs);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "not json",
        "null",
        "[]",
        "\"vxlan\"",
        "{\"PublicIP\":5}",
        "{\"PublicIP\":\"10.0.0.256\"}",
        "{\"PublicIP\":\"fc00::1\"}",
        "{\"PublicIPv6\":\"10.0.0.1\"}",
        "{\"PublicIPv6\":[]}",
        "{\"BackendType\":1}",
        "{\"PublicIP\":\"10.0.0.1\"}{}",
        "{\"PublicIP\":\"10.0.0.1\""
      })
  void rejectsMalformedValuesWithIllegalArgumentException(String json) {
    assertThatThrownBy(() -> LeaseAttrs.fromJson(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("lease attributes ")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void namesTheBadKeyInTheMessage() {
    assertThatThrownBy(() -> LeaseAttrs.fromJson("{\"PublicIP\":\"10.0.0.256\"}"))
        .hasMessageContaining("PublicIP: \"10.0.0.256\" is not an IPv4 address");
  }

  @Test
  void worksInsideAnyObjectMapper() throws Exception {
    LeaseAttrs attrs = LeaseAttrs.fromJson(DUAL_STACK);

    String json = MAPPER.writeValueAsString(attrs);

    assertThat(json).isEqualTo(DUAL_STACK);
    assertThat(MAPPER.readValue(json, LeaseAttrs.class)).isEqualTo(attrs);
  }

  @Test
  void cannotBeChangedThroughItsJsonValues() throws Exception {
    ObjectNode data = (ObjectNode) MAPPER.readTree("{\"VNI\":1}");
    LeaseAttrs attrs = new LeaseAttrs(Ip4.parse("10.0.0.1"), null, "vxlan", data, null);

    data.put("VNI", 2);
    ((ObjectNode) attrs.backendData()).put("VNI", 3);

    JsonNode vni = attrs.backendData().get("VNI");
    assertThat(vni.intValue()).isEqualTo(1);
  }

  @Test
  void isEqualForTheSameBackendDataInAnotherKeyOrderAndHashesAlike() {
    LeaseAttrs a = LeaseAttrs.fromJson(VXLAN);
    LeaseAttrs b =
        LeaseAttrs.fromJson(
            "{\"BackendData\":{\"VtepMAC\":\"aa:bb:cc:dd:ee:ff\",\"VNI\":1},"
                + "\"BackendType\":\"vxlan\",\"PublicIP\":\"192.168.64.3\"}");

    assertThat(b).isEqualTo(a).hasSameHashCodeAs(a);
    assertThat(b.backendData()).isEqualTo(a.backendData());
  }

  @Test
  void isNotEqualForOtherBackendDataOrAMissingOne() {
    LeaseAttrs a = LeaseAttrs.fromJson(VXLAN);

    assertThat(LeaseAttrs.fromJson(VXLAN.replace("ee:ff", "ee:fe"))).isNotEqualTo(a);
    assertThat(LeaseAttrs.fromJson(VXLAN.replace("\"VNI\":1", "\"VNI\":2"))).isNotEqualTo(a);
    assertThat(LeaseAttrs.fromJson(HOST_GW))
        .isNotEqualTo(LeaseAttrs.fromJson(HOST_GW_FROM_ANNOTATIONS));
  }

  @Test
  void printsItsFieldsWithTheBackendDataAsJson() {
    assertThat(LeaseAttrs.fromJson(VXLAN).toString())
        .isEqualTo(
            "LeaseAttrs[publicIp=192.168.64.3, publicIpv6=null, backendType=vxlan,"
                + " backendData={\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:ff\"}, backendV6Data=null]");
  }
}
