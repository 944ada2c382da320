package io.jflannel.subnet.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

class KubeHttpClientsTest {

  @Test
  void fabric8sBuilderIsTheOneThatReordersTheSuites() {
    assertThat(new KubeHttpClients().createNewHttpClientBuilder())
        .isInstanceOf(KubeHttpClients.ChachaFirst.class);
  }

  @Test
  void theBuiltClientOffersTheContextsSuitesChaCha20FirstWithFabric8sProtocols() throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, null, null);
    String[] defaults = context.getDefaultSSLParameters().getCipherSuites();

    HttpClient client =
        new KubeHttpClients.ChachaFirst(HttpClient.newBuilder())
            .sslContext(context)
            .sslParameters(new SSLParameters(null, new String[] {"TLSv1.3", "TLSv1.2"}))
            .build();

    SSLParameters used = client.sslParameters();
    assertThat(used.getCipherSuites()).containsExactlyInAnyOrder(defaults);
    assertThat(used.getCipherSuites()[0]).isEqualTo("TLS_CHACHA20_POLY1305_SHA256");
    assertThat(used.getProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
    assertThat(client.sslContext()).isSameAs(context);
  }

  @Test
  void suitesFabric8WasGivenAreReorderedNotReplaced() {
    SSLParameters given =
        new SSLParameters(
            new String[] {"TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"},
            new String[] {"TLSv1.3"});
    SSLParameters ordered = KubeHttpClients.ChachaFirst.ordered(null, given);
    assertThat(ordered.getCipherSuites())
        .containsExactly("TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256");
    assertThat(ordered.getProtocols()).containsExactly("TLSv1.3");
    assertThat(KubeHttpClients.ChachaFirst.ordered(null, null)).isNull();
  }
}
