package io.jflannel.subnet.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.core.ip.Ip4Net;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EtcdOptionsTest {

  @Test
  void defaultsAreUpstreams() {
    EtcdOptions options = EtcdOptions.defaults();
    assertThat(options.endpoints())
        .containsExactly("http://127.0.0.1:4001", "http://127.0.0.1:2379");
    assertThat(options.prefix()).isEqualTo("/coreos.com/network");
    assertThat(options.renewMargin()).isEqualTo(Duration.ofMinutes(60));
    assertThat(options.tls()).isFalse();
    assertThat(options.previousSubnet()).isEmpty();
  }

  @Test
  void splitsEndpointsOnCommas() {
    assertThat(EtcdOptions.parseEndpoints(" https://10.0.0.1:2379 ,http://10.0.0.2:2379,"))
        .containsExactly("https://10.0.0.1:2379", "http://10.0.0.2:2379");
    assertThat(EtcdOptions.parseEndpoints("10.0.0.1:2379")).containsExactly("http://10.0.0.1:2379");
  }

  @Test
  void refusesEndpointsThatAreNotUrls() {
    assertThatThrownBy(() -> EtcdOptions.parseEndpoints(" , "))
        .hasMessageContaining("--etcd-endpoints is empty");
    assertThatThrownBy(() -> EtcdOptions.parseEndpoints("http://10.0.0.1"))
        .hasMessageContaining("\"http://10.0.0.1\" is not an etcd client URL");
    assertThatThrownBy(() -> EtcdOptions.parseEndpoints("unix:///run/etcd.sock"))
        .hasMessageContaining("is not an etcd client URL");
  }

  @Test
  void renewMarginMustBeOneTo1439Minutes() {
    assertThat(EtcdOptions.renewMarginMinutes(1)).isEqualTo(Duration.ofMinutes(1));
    assertThat(EtcdOptions.renewMarginMinutes(1439)).isEqualTo(Duration.ofMinutes(1439));
    assertThatThrownBy(() -> EtcdOptions.renewMarginMinutes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "--subnet-lease-renew-margin must be 1 to 1439 minutes (the etcd lease lasts 24 h),"
                + " got 0");
    assertThatThrownBy(() -> EtcdOptions.renewMarginMinutes(1440)).hasMessageEndingWith("got 1440");
  }

  @Test
  void normalizesThePrefix() {
    assertThat(EtcdOptions.defaults().withPrefix("/my/net//").prefix()).isEqualTo("/my/net");
    assertThatThrownBy(() -> EtcdOptions.defaults().withPrefix("my/net"))
        .hasMessageContaining("--etcd-prefix must be an absolute key path");
    assertThatThrownBy(() -> EtcdOptions.defaults().withPrefix("/"))
        .hasMessageContaining("--etcd-prefix");
  }

  @Test
  void usesTlsOnlyWithBothKeyAndCertificate() {
    assertThat(EtcdOptions.defaults().withTls("k.pem", "c.pem", "").tls()).isTrue();
    assertThat(EtcdOptions.defaults().withTls("k.pem", "", "ca.pem").tls()).isFalse();
    assertThat(EtcdOptions.defaults().withTls("", "c.pem", "ca.pem").tls()).isFalse();
  }

  @Test
  void neverShowsThePassword() {
    EtcdOptions options =
        EtcdOptions.defaults()
            .withCredentials("flannel", "s3cret")
            .withPreviousSubnets(Optional.of(Ip4Net.parse("10.5.3.0/24")), Optional.empty());
    assertThat(options.toString())
        .doesNotContain("s3cret")
        .contains("flannel")
        .contains("10.5.3.0/24");
  }
}
