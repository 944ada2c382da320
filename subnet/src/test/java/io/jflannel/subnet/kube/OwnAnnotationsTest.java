package io.jflannel.subnet.kube;

import static io.jflannel.subnet.kube.TestNodes.P;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.lease.LeaseAttrs;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OwnAnnotationsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final KubeAnnotations names = KubeAnnotations.forPrefix(KubeAnnotations.DEFAULT_PREFIX);

  private static LeaseAttrs vxlan(String ip, String mac) throws Exception {
    return new LeaseAttrs(
        Ip4.parse(ip),
        null,
        "vxlan",
        JSON.readTree("{\"VNI\":1,\"VtepMAC\":\"" + mac + "\"}"),
        null);
  }

  @Test
  void backendDataIsGoJsonText() throws Exception {
    assertThat(OwnAnnotations.jsonText(null)).isEqualTo("null");
    assertThat(OwnAnnotations.jsonText(NullNode.getInstance())).isEqualTo("null");
    assertThat(OwnAnnotations.jsonText(JSON.readTree("{ \"VNI\" : 1, \"VtepMAC\" : \"a<b\" }")))
        .isEqualTo("{\"VNI\":1,\"VtepMAC\":\"a\\u003cb\"}");
  }

  @Test
  void vxlanWritesUpstreamsFourAnnotationsInOrder() throws Exception {
    OwnAnnotations a =
        OwnAnnotations.of(vxlan("192.168.0.1", "aa:bb:cc:dd:ee:ff"), Map.of(), names);
    assertThat(a.values())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                P + "kube-subnet-manager", "true",
                P + "backend-type", "vxlan",
                P + "backend-data", "{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:ff\"}",
                P + "public-ip", "192.168.0.1"));
  }

  @Test
  void hostGwWritesNullBackendDataAndDualStackForms() {
    LeaseAttrs attrs =
        new LeaseAttrs(Ip4.parse("192.168.0.1"), Ip6.parse("fd00::1"), "host-gw", null, null);
    OwnAnnotations a = OwnAnnotations.of(attrs, Map.of(), names);
    assertThat(a.values())
        .containsEntry(P + "backend-data", "null")
        .containsEntry(P + "backend-v6-data", "null")
        .containsEntry(P + "public-ipv6", "fd00::1");
  }

  @Test
  void ipv6OnlyVxlanLeavesTheIpv4FormsAlone() throws Exception {
    LeaseAttrs attrs =
        new LeaseAttrs(
            null,
            Ip6.parse("fd00::1"),
            "vxlan",
            null,
            JSON.readTree("{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:ff\"}"));
    OwnAnnotations a = OwnAnnotations.of(attrs, Map.of(), names);
    assertThat(a.values()).doesNotContainKeys(P + "backend-data", P + "public-ip");
    assertThat(a.values()).containsEntry(P + "public-ipv6", "fd00::1");
  }

  @Test
  void overwriteAnnotationReplacesTheDetectedAddress() throws Exception {
    Map<String, String> existing =
        Map.of(P + "public-ip-overwrite", "203.0.113.7", P + "public-ip", "203.0.113.7");
    OwnAnnotations a =
        OwnAnnotations.of(vxlan("192.168.0.1", "aa:bb:cc:dd:ee:ff"), existing, names);
    assertThat(a.values()).containsEntry(P + "public-ip", "203.0.113.7");
    assertThat(a.advertised().publicIp()).isEqualTo(Ip4.parse("203.0.113.7"));
    assertThat(a.changes(existing)).doesNotContainKey(P + "public-ip");
  }

  @Test
  void badOverwriteIsRefusedNamingTheAnnotation() {
    assertThatThrownBy(
            () ->
                OwnAnnotations.of(
                    vxlan("192.168.0.1", "aa:bb:cc:dd:ee:ff"),
                    Map.of(P + "public-ip-overwrite", "nat-box"),
                    names))
        .hasMessageContaining(P + "public-ip-overwrite")
        .hasMessageContaining("\"nat-box\"")
        .hasMessageContaining("fix or remove it");
  }

  @Test
  void changesListOnlyDifferingValues() throws Exception {
    OwnAnnotations a =
        OwnAnnotations.of(vxlan("192.168.0.1", "aa:bb:cc:dd:ee:ff"), Map.of(), names);
    Map<String, String> current = new java.util.HashMap<>(a.values());
    current.put("other", "kept");
    assertThat(a.changes(current)).isEmpty();
    assertThat(a.appliedTo(current)).isTrue();
    current.put(P + "public-ip", "192.168.0.9");
    assertThat(a.changes(current)).containsExactly(Map.entry(P + "public-ip", "192.168.0.1"));
  }
}
