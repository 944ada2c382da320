package io.jflannel.subnet.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SocketHttpClient} over TLS, against a JDK server on loopback with a certificate for
 * 127.0.0.1 (made by the JDK's keytool): the server is checked against the URI's host, and
 * ChaCha20-Poly1305 is offered first (a server that follows the client's order takes it).
 */
class SocketHttpClientTlsTest {

  private static final char[] PASSWORD = "changeit".toCharArray();
  private static KeyStore store;

  @BeforeAll
  static void certificate(@TempDir Path dir) throws Exception {
    Path p12 = dir.resolve("server.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p =
        new ProcessBuilder(
                keytool.toString(),
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-dname",
                "CN=server",
                "-ext",
                "SAN=ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                p12.toString(),
                "-storepass",
                new String(PASSWORD))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(p12)) {
      store.load(in, PASSWORD);
    }
  }

  /** Serves one TLS connection on {@code address}: answers "ok", records the suite. */
  private static int serve(String address, AtomicReference<String> suite) throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, PASSWORD);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    SSLServerSocket server =
        (SSLServerSocket)
            context
                .getServerSocketFactory()
                .createServerSocket(0, 5, InetAddress.getByName(address));
    SSLParameters parameters = server.getSSLParameters();
    parameters.setUseCipherSuitesOrder(false); // the client's order decides, as Go servers do
    server.setSSLParameters(parameters);
    Thread t =
        new Thread(
            () -> {
              try (server;
                  SSLSocket s = (SSLSocket) server.accept()) {
                s.startHandshake();
                suite.set(s.getSession().getCipherSuite());
                InputStream in = s.getInputStream();
                while (!Http1Answer.line(in).isEmpty()) {
                  // the request's head
                }
                s.getOutputStream()
                    .write(
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                            .getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                s.getInputStream().read();
              } catch (Exception e) {
                // a refused handshake, or the client leaving
              }
            });
    t.setDaemon(true);
    t.start();
    return server.getLocalPort();
  }

  private static HttpClient client() throws Exception {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    return new SocketHttpClients(JdkHttpClientFactory::new)
        .newBuilder()
        .sslContext(null, tmf.getTrustManagers())
        .connectTimeout(5, TimeUnit.SECONDS)
        .tag(new RequestConfigBuilder().withRequestRetryBackoffLimit(0).build())
        .build();
  }

  @Test
  void theCertifiedHostAnswersAndChaCha20IsTaken() throws Exception {
    AtomicReference<String> suite = new AtomicReference<>();
    int port = serve("127.0.0.1", suite);
    try (HttpClient client = client()) {
      HttpResponse<String> r =
          client
              .sendAsync(
                  client
                      .newHttpRequestBuilder()
                      .uri(URI.create("https://127.0.0.1:" + port + "/version"))
                      .build(),
                  String.class)
              .get(10, TimeUnit.SECONDS);
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("ok");
      assertThat(suite.get()).isEqualTo("TLS_CHACHA20_POLY1305_SHA256");
    }
  }

  @Test
  void aServerWhoseCertificateNamesAnotherHostIsRefused() throws Exception {
    int port = serve("127.0.0.2", new AtomicReference<>());
    try (HttpClient client = client()) {
      assertThatThrownBy(
              () ->
                  client
                      .sendAsync(
                          client
                              .newHttpRequestBuilder()
                              .uri(URI.create("https://127.0.0.2:" + port + "/version"))
                              .build(),
                          String.class)
                      .get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasRootCauseInstanceOf(java.security.cert.CertificateException.class)
          .cause()
          .isInstanceOf(SSLHandshakeException.class);
    }
  }
}
