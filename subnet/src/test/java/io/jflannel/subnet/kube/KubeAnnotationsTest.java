package io.jflannel.subnet.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KubeAnnotationsTest {

  /** The cases of upstream's annotations_test.go, plus the defaults' full key set. */
  @ParameterizedTest
  @CsvSource({
    "flannel.alpha.coreos.com, flannel.alpha.coreos.com/backend-type",
    "flannel.alpha.coreos.com/, flannel.alpha.coreos.com/backend-type",
    "flannel.alpha.coreos.com/prefix, flannel.alpha.coreos.com/prefix-backend-type",
    "flannel.alpha.coreos.com/prefix-, flannel.alpha.coreos.com/prefix-backend-type",
    "org.com, org.com/backend-type",
    "org9.com, org9.com/backend-type",
    "org.com/9, org.com/9-backend-type",
  })
  void normalisesPrefixesAsUpstream(String prefix, String backendType) {
    assertThat(KubeAnnotations.forPrefix(prefix).backendType()).isEqualTo(backendType);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"org", "org/", "org/prefix", "org.COM", "org.com/PREFIX", "a/b/c", "", "Xa.com"})
  void rejectsInvalidPrefixesWithTheFlagAndAnExample(String prefix) {
    assertThatThrownBy(() -> KubeAnnotations.forPrefix(prefix))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--kube-annotation-prefix \"" + prefix + "\" is not valid")
        .hasMessageContaining("e.g. flannel.alpha.coreos.com");
  }

  @Test
  void defaultPrefixNamesEveryAnnotationUpstreamUses() {
    KubeAnnotations a = KubeAnnotations.forPrefix(KubeAnnotations.DEFAULT_PREFIX);
    String p = "flannel.alpha.coreos.com/";
    assertThat(a.prefix()).isEqualTo(p);
    assertThat(a.kubeSubnetManager()).isEqualTo(p + "kube-subnet-manager");
    assertThat(a.backendData()).isEqualTo(p + "backend-data");
    assertThat(a.backendV6Data()).isEqualTo(p + "backend-v6-data");
    assertThat(a.publicIp()).isEqualTo(p + "public-ip");
    assertThat(a.publicIpv6()).isEqualTo(p + "public-ipv6");
    assertThat(a.publicIpOverwrite()).isEqualTo(p + "public-ip-overwrite");
    assertThat(a.publicIpv6Overwrite()).isEqualTo(p + "public-ipv6-overwrite");
    assertThat(a.nodePublicIp()).isEqualTo(p + "node-public-ip");
    assertThat(a.nodePublicIpv6()).isEqualTo(p + "node-public-ipv6");
  }

  @Test
  void optionsRejectABadPrefixBeforeConnecting() {
    assertThatThrownBy(() -> KubeOptions.defaults().withAnnotationPrefix("NOPE"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NOPE");
  }
}
