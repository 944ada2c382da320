package io.jflannel.subnet.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jflannel.subnet.etcd.TestPki.Identity;
import io.jflannel.subnet.etcd.TestPki.KeyFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe against small JDK servers on loopback that fail TLS in the ways etcd can: each failure
 * becomes one line naming the file at fault; a good server and a closed port yield nothing.
 */
class EtcdTlsProbeTest {

  private static final Duration WAIT = Duration.ofSeconds(2);

  @TempDir Path dir;
  private TestPki pki;
  private Identity client;

  @BeforeEach
  void makeFiles() throws Exception {
    assumeTrue(TestPki.installed(), "openssl is not installed at " + TestPki.OPENSSL);
    pki = TestPki.create(dir, "unit");
    client = pki.client("flannel", KeyFormat.PKCS8_EC);
  }

  private EtcdOptions options(String endpoint, Path ca) {
    return EtcdOptions.defaults()
        .withEndpoints(List.of(endpoint))
        .withTls(client.key().toString(), client.cert().toString(), ca.toString());
  }

  private Optional<String> probe(String endpoint, Path ca) throws Exception {
    EtcdOptions options = options(endpoint, ca);
    return EtcdTlsProbe.diagnose(options, EtcdTls.load(options, new Date()), WAIT);
  }

  private static EtcdTls material(Identity identity, Path trusted) throws Exception {
    return new EtcdTls(
        PemKeys.privateKey(identity.key()),
        PemKeys.certificates(identity.cert()),
        PemKeys.certificates(trusted));
  }

  @Test
  void aGoodServerAndAClosedPortYieldNothing() throws Exception {
    try (TlsServer server = new TlsServer(material(pki.server(), pki.ca().cert()), true)) {
      assertThat(probe(server.endpoint(), pki.ca().cert())).isEmpty();
    }
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closed = socket.getLocalPort();
    }
    assertThat(probe("https://127.0.0.1:" + closed, pki.ca().cert())).isEmpty();
  }

  @Test
  void aServerCertificateOfAnotherCaNamesTheCaFile() throws Exception {
    TestPki other = TestPki.create(dir, "other");
    try (TlsServer server = new TlsServer(material(other.server(), pki.ca().cert()), false)) {
      assertThat(probe(server.endpoint(), pki.ca().cert()))
          .hasValue(
              "TLS to etcd at "
                  + server.endpoint()
                  + " failed: etcd's certificate (CN=server, issued by CN=other test CA) is not"
                  + " signed by a CA in --etcd-cafile "
                  + pki.ca().cert()
                  + "; give the CA certificate that signed etcd's --cert-file");
    }
  }

  @Test
  void aServerCertificateWithoutTheEndpointsHostSaysSo() throws Exception {
    Identity noSan = pki.client("etcd-without-san", KeyFormat.PKCS8_RSA);
    try (TlsServer server = new TlsServer(material(noSan, pki.ca().cert()), false)) {
      assertThat(probe(server.endpoint(), pki.ca().cert()))
          .hasValue(
              "TLS to etcd at "
                  + server.endpoint()
                  + " failed: etcd's certificate (CN=etcd-without-san, issued by CN=unit test CA)"
                  + " is not valid for the host 127.0.0.1 (No subject alternative names"
                  + " present); use an endpoint it names, or reissue it with that host in"
                  + " subjectAltName");
    }
  }

  @Test
  void aServerThatRefusesTheClientCertificateNamesTheCertFile() throws Exception {
    TestPki other = TestPki.create(dir, "other");
    try (TlsServer server = new TlsServer(material(pki.server(), other.ca().cert()), true)) {
      assertThat(probe(server.endpoint(), pki.ca().cert()))
          .hasValueSatisfying(
              problem ->
                  assertThat(problem)
                      .startsWith(
                          "TLS to etcd at "
                              + server.endpoint()
                              + " failed: etcd refused the client certificate in --etcd-certfile "
                              + client.cert()
                              + " (")
                      .contains("); it must be signed by a CA in etcd's --trusted-ca-file"));
    }
  }

  @Test
  void aPlainTextServerSaysSo() throws Exception {
    try (ServerSocket plain = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
      Thread answer =
          new Thread(
              () -> {
                try (Socket s = plain.accept();
                    OutputStream out = s.getOutputStream()) {
                  out.write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                  // the test fails on the probe's side if this does not answer
                }
              },
              "plain-server");
      answer.setDaemon(true);
      answer.start();
      assertThat(probe("https://127.0.0.1:" + plain.getLocalPort(), pki.ca().cert()))
          .hasValue(
              "TLS to etcd at https://127.0.0.1:"
                  + plain.getLocalPort()
                  + " failed: etcd answered in plain text; serve its clients over TLS (etcd"
                  + " --cert-file, --key-file) or use an http:// endpoint without --etcd-keyfile"
                  + " and --etcd-certfile");
      answer.join(5000);
    }
  }

  /** A TLS server on loopback that handshakes with each client and waits for a byte. */
  private static final class TlsServer implements AutoCloseable {
    private final SSLServerSocket socket;
    private final Thread thread;

    TlsServer(EtcdTls material, boolean needClientAuth) throws Exception {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(material.keyManagers(), material.trustManagers(), null);
      socket =
          (SSLServerSocket)
              context
                  .getServerSocketFactory()
                  .createServerSocket(0, 5, InetAddress.getByName("127.0.0.1"));
      socket.setNeedClientAuth(needClientAuth);
      thread = new Thread(this::serve, "tls-server");
      thread.setDaemon(true);
      thread.start();
    }

    private void serve() {
      while (!socket.isClosed()) {
        try (SSLSocket s = (SSLSocket) socket.accept()) {
          s.setSoTimeout(3000);
          s.startHandshake();
          s.getInputStream().read();
        } catch (IOException e) {
          // a refused handshake, the client leaving, or close(): next client
        }
      }
    }

    String endpoint() {
      return "https://127.0.0.1:" + socket.getLocalPort();
    }

    @Override
    public void close() throws Exception {
      socket.close();
      thread.join(5000);
    }
  }
}
