package io.jflannel.subnet.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jflannel.core.subnet.SubnetException;
import io.jflannel.subnet.etcd.TestPki.Identity;
import io.jflannel.subnet.etcd.TestPki.KeyFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start-up checks of the TLS files: each broken setup is one line with the fix. */
class EtcdTlsTest {

  @TempDir Path dir;
  private TestPki pki;
  private Identity client;

  @BeforeEach
  void makeFiles() throws Exception {
    assumeTrue(TestPki.installed(), "openssl is not installed at " + TestPki.OPENSSL);
    pki = TestPki.create(dir, "unit");
    client = pki.client("flannel", KeyFormat.SEC1_EC);
  }

  private static EtcdOptions options(Path key, Path cert, Path ca) {
    return EtcdOptions.defaults()
        .withTls(key.toString(), cert.toString(), ca == null ? "" : ca.toString());
  }

  @Test
  void loadsTheKeyTheChainAndTheCas() throws Exception {
    EtcdTls tls = EtcdTls.load(options(client.key(), client.cert(), pki.ca().cert()), new Date());
    assertThat(tls.key().getAlgorithm()).isEqualTo("EC");
    assertThat(tls.chain())
        .extracting(c -> c.getSubjectX500Principal().getName())
        .containsExactly("CN=flannel");
    assertThat(tls.trusted())
        .extracting(c -> c.getSubjectX500Principal().getName())
        .containsExactly("CN=unit test CA");
    assertThat(tls.keyManagers()).isNotEmpty();
    assertThat(tls.trustManagers()).isNotEmpty();
  }

  @Test
  void withoutCaFileTheJdksTrustStoreIsUsed() throws Exception {
    EtcdTls tls = EtcdTls.load(options(client.key(), client.cert(), null), new Date());
    assertThat(tls.trusted()).isEmpty();
    assertThat(tls.trustManagers()).isNotEmpty();
  }

  @Test
  void anExpiredOrNotYetValidCertificateIsNamedWithTheFix() throws Exception {
    X509Certificate cert = PemKeys.certificates(client.cert()).get(0);
    Date later = Date.from(cert.getNotAfter().toInstant().plusSeconds(1));
    assertThatThrownBy(() -> EtcdTls.load(options(client.key(), client.cert(), null), later))
        .isInstanceOf(SubnetException.class)
        .hasMessage(
            "--etcd-certfile "
                + client.cert()
                + ": the client certificate (CN=flannel) expired on "
                + cert.getNotAfter().toInstant()
                + "; issue a new one from etcd's CA and restart flanneld");
    Date earlier = Date.from(Instant.EPOCH);
    assertThatThrownBy(() -> EtcdTls.load(options(client.key(), client.cert(), null), earlier))
        .hasMessage(
            "--etcd-certfile "
                + client.cert()
                + ": the client certificate (CN=flannel) is not valid before "
                + cert.getNotBefore().toInstant()
                + "; check this machine's clock");
  }

  @Test
  void aKeyOfAnotherAlgorithmThanTheCertificateIsNamed() throws Exception {
    Path rsa = pki.newKey("rsa", KeyFormat.PKCS1_RSA);
    assertThatThrownBy(() -> EtcdTls.load(options(rsa, client.cert(), null), new Date()))
        .hasMessage(
            "--etcd-keyfile "
                + rsa
                + " does not match the certificate in --etcd-certfile "
                + client.cert()
                + " (the key is RSA, the certificate is for an EC key); give the key the"
                + " certificate was issued for");
  }

  @Test
  void eachFileIsNamedWithItsFlag() throws Exception {
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(() -> EtcdTls.load(options(missing, client.cert(), null), new Date()))
        .hasMessage("--etcd-keyfile " + missing + ": no such file");
    assertThatThrownBy(() -> EtcdTls.load(options(client.key(), missing, null), new Date()))
        .hasMessage("--etcd-certfile " + missing + ": no such file");
    assertThatThrownBy(
            () -> EtcdTls.load(options(client.key(), client.cert(), missing), new Date()))
        .hasMessage("--etcd-cafile " + missing + ": no such file");
    assertThatThrownBy(() -> EtcdTls.load(options(client.key(), client.key(), null), new Date()))
        .hasMessage(
            "--etcd-certfile "
                + client.key()
                + " holds no PEM certificate (BEGIN CERTIFICATE); give the client certificate"
                + " that etcd's --trusted-ca-file signed");
    assertThatThrownBy(
            () -> EtcdTls.load(options(client.key(), client.cert(), client.key()), new Date()))
        .hasMessage(
            "--etcd-cafile "
                + client.key()
                + " holds no PEM certificate (BEGIN CERTIFICATE); give the CA certificate that"
                + " signed etcd's server certificate");
  }

  @Test
  void aDirectoryInsteadOfAFileCannotBeRead() {
    assertThatThrownBy(() -> EtcdTls.load(options(dir, client.cert(), null), new Date()))
        .hasMessageStartingWith("--etcd-keyfile " + dir + ": cannot be read: ");
  }

  @Test
  void anUnreadableFileSaysSo() throws Exception {
    assumeTrue(
        !"root".equals(System.getProperty("user.name")), "root reads files whatever the mode");
    Path locked = Files.copy(client.key(), dir.resolve("locked.key"));
    assertThat(locked.toFile().setReadable(false, false)).isTrue();
    assertThatThrownBy(() -> EtcdTls.load(options(locked, client.cert(), null), new Date()))
        .hasMessageStartingWith("--etcd-keyfile " + locked + ": cannot be read: permission denied");
  }
}
