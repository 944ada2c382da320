package io.jflannel.subnet.etcd;

import static io.jflannel.subnet.etcd.EtcdTestSupport.CONFIG;
import static io.jflannel.subnet.etcd.EtcdTestSupport.attrs;
import static io.jflannel.subnet.etcd.EtcdTestSupport.get;
import static io.jflannel.subnet.etcd.EtcdTestSupport.put;
import static io.jflannel.subnet.etcd.EtcdTestSupport.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseKey;
import io.jflannel.core.subnet.SubnetException;
import io.jflannel.subnet.etcd.TestPki.Identity;
import io.jflannel.subnet.etcd.TestPki.KeyFormat;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code --etcd-keyfile}, {@code --etcd-certfile} and {@code --etcd-cafile} against a real etcd
 * that serves clients over TLS only and requires a client certificate ({@code --client-cert-auth});
 * the certificates are made by the test with openssl.
 */
class EtcdTlsIT {

  private static Path dir;
  private static TestPki pki;
  private static EtcdServer etcd;

  private String prefix;

  @BeforeAll
  static void startEtcd() throws Exception {
    assumeTrue(
        EtcdServer.installed(),
        "etcd is not installed at " + EtcdServer.ETCD + ": apt-get install etcd-server");
    assumeTrue(
        TestPki.installed(),
        "openssl is not installed at " + TestPki.OPENSSL + ": apt-get install openssl");
    dir = Files.createTempDirectory("jflannel-etcd-tls-");
    pki = TestPki.create(dir, "etcd");
    etcd = EtcdServer.tls(pki.server(), pki.ca().cert(), pki.client("test", KeyFormat.PKCS8_EC));
    etcd.start();
  }

  @AfterAll
  static void stopEtcd() throws IOException {
    if (etcd != null) {
      etcd.close();
    }
    if (dir != null) {
      try (Stream<Path> paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @BeforeEach
  void writeConfig() throws Exception {
    prefix = EtcdTestSupport.freshPrefix();
    put(etcd.client(), prefix + "/config", CONFIG);
  }

  private EtcdOptions options(Identity client, Path ca) {
    return EtcdOptions.defaults()
        .withEndpoints(List.of(etcd.endpoint()))
        .withPrefix(prefix)
        .withTls(client.key().toString(), client.cert().toString(), ca.toString());
  }

  private EtcdSubnetManager manager(Identity client, Path ca) throws SubnetException {
    return EtcdSubnetManager.connect(options(client, ca), EtcdTestSupport.timings());
  }

  @ParameterizedTest
  @EnumSource(KeyFormat.class)
  void aNodeAcquiresItsLeaseOverTlsWithItsKeyInEachFormat(KeyFormat format) throws Exception {
    Identity client = pki.client("flannel-" + format.name().toLowerCase(Locale.ROOT), format);
    assertThat(Files.readString(client.key())).contains(BEGIN.get(format));
    try (EtcdSubnetManager manager = manager(client, pki.ca().cert())) {
      manager.networkConfig();
      Lease lease = manager.acquireLease(attrs("192.168.7.1"));

      String key = prefix + "/subnets/" + SubnetKeys.name(new LeaseKey(lease.subnet(), null));
      assertThat(value(get(etcd.client(), key).orElseThrow()))
          .isEqualTo(attrs("192.168.7.1").toJson());
    }
  }

  @Test
  void etcdChoosesChaCha20WhenFlanneldOffersItFirst() throws Exception {
    Identity client = pki.client("flannel-cipher", KeyFormat.PKCS8_EC);
    EtcdTls tls = EtcdTls.load(options(client, pki.ca().cert()), new Date());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(tls.keyManagers(), tls.trustManagers(), null);
    try (Socket socket =
        Http1.open(URI.create(etcd.endpoint()), context, Duration.ofSeconds(10), false)) {
      assertThat(((SSLSocket) socket).getSession().getCipherSuite())
          .as("the suite etcd (Go) chose from flanneld's offer")
          .contains("CHACHA20_POLY1305");
    }
  }

  @Test
  void aCaThatDidNotSignEtcdsCertificateIsNamedWithTheFix() throws Exception {
    TestPki other = TestPki.create(dir, "other");
    Identity client = pki.client("flannel-wrong-ca", KeyFormat.PKCS8_EC);
    try (EtcdSubnetManager manager = manager(client, other.ca().cert())) {
      assertThatThrownBy(manager::networkConfig)
          .isInstanceOf(SubnetException.class)
          .hasMessage(
              "etcd: read "
                  + prefix
                  + "/config: TLS to etcd at "
                  + etcd.endpoint()
                  + " failed: etcd's certificate (CN=server, issued by CN=etcd test CA) is not"
                  + " signed by a CA in --etcd-cafile "
                  + other.ca().cert()
                  + "; give the CA certificate that signed etcd's --cert-file");
    }
  }

  @Test
  void aClientCertificateEtcdDoesNotTrustIsNamedWithTheFix() throws Exception {
    TestPki stranger = TestPki.create(dir, "stranger");
    Identity client = stranger.client("flannel-stranger", KeyFormat.PKCS8_EC);
    String validUntil =
        PemKeys.certificates(client.cert()).get(0).getNotAfter().toInstant().toString();
    try (EtcdSubnetManager manager = manager(client, pki.ca().cert())) {
      assertThatThrownBy(manager::networkConfig)
          .isInstanceOf(SubnetException.class)
          .hasMessage(
              "etcd: read "
                  + prefix
                  + "/config: TLS to etcd at "
                  + etcd.endpoint()
                  + " failed: etcd refused the client certificate in --etcd-certfile "
                  + client.cert()
                  + " (bad_certificate); it must be signed by a CA in etcd's --trusted-ca-file"
                  + " and be valid now (it is valid until "
                  + validUntil
                  + ")");
    }
  }

  @Test
  void anExpiredClientCertificateIsRefusedAtStartUp() throws Exception {
    Identity client = pki.expiredClient("flannel-expired");
    assertThatThrownBy(() -> manager(client, pki.ca().cert()))
        .isInstanceOf(SubnetException.class)
        .hasMessage(
            "--etcd-certfile "
                + client.cert()
                + ": the client certificate (CN=flannel-expired) expired on 2020-01-02T00:00:00Z;"
                + " issue a new one from etcd's CA and restart flanneld");
  }

  @Test
  void etcdRefusesTheExpiredCertificateToo() throws Exception {
    Identity client = pki.expiredClient("flannel-expired-raw");
    EtcdTls unchecked =
        new EtcdTls(
            PemKeys.privateKey(client.key()),
            PemKeys.certificates(client.cert()),
            PemKeys.certificates(pki.ca().cert()));

    assertThat(
            EtcdTlsProbe.diagnose(
                options(client, pki.ca().cert()), unchecked, Duration.ofSeconds(2)))
        .hasValueSatisfying(
            problem ->
                assertThat(problem)
                    .contains("etcd refused the client certificate")
                    .contains("valid until 2020-01-02T00:00:00Z"));
  }

  @Test
  void aKeyOfAnotherCertificateIsRefusedAtStartUp() throws Exception {
    Identity client = pki.client("flannel-mismatch", KeyFormat.PKCS8_EC);
    Path otherKey = pki.newKey("flannel-mismatch-other", KeyFormat.SEC1_EC);
    Identity mismatched = new Identity(client.cert(), otherKey);
    assertThatThrownBy(() -> manager(mismatched, pki.ca().cert()))
        .isInstanceOf(SubnetException.class)
        .hasMessage(
            "--etcd-keyfile "
                + otherKey
                + " does not match the certificate in --etcd-certfile "
                + client.cert()
                + " (the certificate is for another EC key); give the key the certificate was"
                + " issued for");
  }

  @Test
  void theProbeFindsNothingWrongWithAGoodSetup() throws Exception {
    Identity client = pki.client("flannel-good", KeyFormat.PKCS1_RSA);
    EtcdOptions options = options(client, pki.ca().cert());
    assertThat(
            EtcdTlsProbe.diagnose(
                options, EtcdTls.load(options, new Date()), Duration.ofSeconds(2)))
        .isEmpty();
  }

  private static final java.util.Map<KeyFormat, String> BEGIN =
      java.util.Map.of(
          KeyFormat.PKCS8_RSA, "-----BEGIN PRIVATE KEY-----",
          KeyFormat.PKCS8_EC, "-----BEGIN PRIVATE KEY-----",
          KeyFormat.PKCS8_ED25519, "-----BEGIN PRIVATE KEY-----",
          KeyFormat.PKCS1_RSA, "-----BEGIN RSA PRIVATE KEY-----",
          KeyFormat.SEC1_EC, "-----BEGIN EC PRIVATE KEY-----");
}
