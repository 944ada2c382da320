package io.jflannel.subnet;

import static org.assertj.core.api.Assertions.assertThat;

import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

class CipherOrderTest {

  @Test
  void chachaSuitesComeFirstAndEveryGroupKeepsItsOrder() {
    String[] suites = {
      "TLS_AES_256_GCM_SHA384",
      "TLS_AES_128_GCM_SHA256",
      "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
    };
    assertThat(CipherOrder.chachaFirst(suites))
        .containsExactly(
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  }

  @Test
  void theJdksDefaultSuitesKeepTheirSetWithChaCha20First() throws Exception {
    String[] defaults = SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites();
    String[] ordered = CipherOrder.chachaFirst(defaults);
    assertThat(ordered).containsExactlyInAnyOrder(defaults);
    assertThat(ordered[0]).isEqualTo("TLS_CHACHA20_POLY1305_SHA256");
  }

  @Test
  void nullStaysNullSoTheJdkDefaultsApply() {
    assertThat(CipherOrder.chachaFirst(null)).isNull();
  }
}
