package io.jflannel.subnet.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jflannel.subnet.etcd.TestPki.Identity;
import io.jflannel.subnet.etcd.TestPki.KeyFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Key and certificate files as openssl writes them, read without any crypto library. */
class PemKeysTest {

  @TempDir Path dir;
  private TestPki pki;

  @BeforeEach
  void makeCa() throws Exception {
    assumeTrue(TestPki.installed(), "openssl is not installed at " + TestPki.OPENSSL);
    pki = TestPki.create(dir, "unit");
  }

  @ParameterizedTest
  @EnumSource(KeyFormat.class)
  void readsEachFormatAsTheSameKeyOpensslConvertsToPkcs8(KeyFormat format) throws Exception {
    Path key = pki.newKey("k-" + format, format);
    Path pkcs8 = dir.resolve("k-" + format + ".pkcs8");
    TestPki.openssl(dir, "pkey", "-in", key.toString(), "-out", pkcs8.toString());

    PrivateKey ours = PemKeys.privateKey(key);
    PrivateKey jdk = jdkPkcs8(pkcs8);

    assertThat(ours.getAlgorithm()).isEqualTo(jdk.getAlgorithm());
    assertThat(fingerprint(ours)).isEqualTo(fingerprint(jdk));
  }

  @Test
  void theLabelDoesNotDecideTheFormatAsInGo() throws Exception {
    Path key = pki.newKey("relabelled", KeyFormat.PKCS8_RSA);
    Path relabelled = dir.resolve("relabelled.pem");
    Files.writeString(
        relabelled, Files.readString(key).replace(" PRIVATE KEY-----", " RSA PRIVATE KEY-----"));
    assertThat(fingerprint(PemKeys.privateKey(relabelled)))
        .isEqualTo(fingerprint(PemKeys.privateKey(key)));
  }

  @Test
  void readsTheKeyAndTheCertificatesOfOneCombinedFile() throws Exception {
    Identity client = pki.client("combined", KeyFormat.SEC1_EC);
    Path combined = dir.resolve("combined.pem");
    Files.writeString(
        combined,
        "subject=CN = combined\n"
            + Files.readString(client.cert())
            + Files.readString(client.key())
            + Files.readString(pki.ca().cert()));
    assertThat(PemKeys.certificates(combined))
        .extracting(c -> c.getSubjectX500Principal().getName())
        .containsExactly("CN=combined", "CN=unit test CA");
    assertThat(fingerprint(PemKeys.privateKey(combined)))
        .isEqualTo(fingerprint(PemKeys.privateKey(client.key())));
  }

  @Test
  void refusesEncryptedKeysWithTheCommandThatDecryptsThem() throws Exception {
    Path pkcs8 = dir.resolve("enc8.key");
    TestPki.openssl(
        dir,
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-aes256",
        "-pass",
        "pass:secret",
        "-out",
        pkcs8.toString());
    Path legacy = dir.resolve("enc1.key");
    TestPki.openssl(
        dir,
        "genrsa",
        "-traditional",
        "-aes256",
        "-passout",
        "pass:secret",
        "-out",
        legacy.toString(),
        "2048");

    for (Path key : List.of(pkcs8, legacy)) {
      assertThatThrownBy(() -> PemKeys.privateKey(key))
          .isInstanceOf(PemKeys.PemException.class)
          .hasMessage(
              "the private key is encrypted, and flanneld cannot ask for a passphrase; write it"
                  + " decrypted with: openssl pkey -in <file> -out <new file>");
    }
  }

  @Test
  void refusesAnEcKeyWithExplicitCurveParameters() throws Exception {
    Path key = dir.resolve("explicit.key");
    TestPki.openssl(
        dir,
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-noout",
        "-param_enc",
        "explicit",
        "-out",
        key.toString());
    assertThatThrownBy(() -> PemKeys.privateKey(key))
        .hasMessage(
            "the EC key spells its curve out instead of naming it; write it with a named curve:"
                + " openssl ec -in <file> -param_enc named_curve -out <new file>");
  }

  @Test
  void refusesAnEcKeyWithoutCurve() throws Exception {
    byte[] sec1 =
        Der.write(
            Der.SEQUENCE,
            Der.write(Der.INTEGER, new byte[] {1}),
            Der.write(Der.OCTET_STRING, new byte[32]));
    Path key = pem("nocurve.key", "EC PRIVATE KEY", sec1);
    assertThatThrownBy(() -> PemKeys.privateKey(key))
        .hasMessage(
            "the EC PRIVATE KEY does not name its curve; write it as PKCS#8 with: openssl pkcs8"
                + " -topk8 -nocrypt -in <file> -out <new file>");
  }

  @Test
  void refusesAKeyOfAnAlgorithmTlsCannotUse() throws Exception {
    Path key = dir.resolve("x25519.key");
    TestPki.openssl(dir, "genpkey", "-algorithm", "X25519", "-out", key.toString());
    assertThatThrownBy(() -> PemKeys.privateKey(key))
        .hasMessage(
            "the key's algorithm 1.3.101.110 is not supported for TLS; use an RSA, ECDSA or"
                + " Ed25519 key");
  }

  @Test
  void namesWhatIsWrongWithAFileThatHoldsNoKey() throws Exception {
    assertThatThrownBy(() -> PemKeys.privateKey(dir.resolve("missing.key")))
        .hasMessage("no such file");
    assertThatThrownBy(() -> PemKeys.privateKey(pki.ca().cert()))
        .hasMessage(
            "holds a certificate but no private key; were the key and certificate files swapped?");
    Path text = dir.resolve("text.key");
    Files.writeString(text, "not a key\n");
    assertThatThrownBy(() -> PemKeys.privateKey(text))
        .hasMessage(
            "holds no PEM private key (BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    Path cut = dir.resolve("cut.key");
    List<String> lines = Files.readAllLines(pki.newKey("cut", KeyFormat.PKCS8_EC));
    Files.write(cut, lines.subList(0, lines.size() - 1));
    assertThatThrownBy(() -> PemKeys.privateKey(cut))
        .hasMessage("the PEM block PRIVATE KEY has no matching END line; is it cut?");
    Path garbled = dir.resolve("garbled.key");
    Files.writeString(garbled, "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n");
    assertThatThrownBy(() -> PemKeys.privateKey(garbled))
        .hasMessage("the PEM block PRIVATE KEY is not valid base64; is it damaged?");
    Path notDer = pem("notder.key", "PRIVATE KEY", new byte[] {0x30, 0x10, 1});
    assertThatThrownBy(() -> PemKeys.privateKey(notDer))
        .hasMessageStartingWith("the PRIVATE KEY block is not valid DER (");
    Path dsa = pem("dsa.key", "DSA PRIVATE KEY", Der.write(Der.SEQUENCE, Der.write(Der.NULL)));
    assertThatThrownBy(() -> PemKeys.privateKey(dsa))
        .hasMessage(
            "the DSA PRIVATE KEY block is neither PKCS#8, PKCS#1 (RSA) nor SEC1 (EC); convert it"
                + " with: openssl pkey -in <file> -out <new file>");
  }

  @Test
  void readsNoCertificateFromAKeyFileAndNamesADamagedOne() throws Exception {
    assertThat(PemKeys.certificates(pki.newKey("only-key", KeyFormat.PKCS1_RSA))).isEmpty();
    Path damaged = pem("damaged.pem", "CERTIFICATE", Der.write(Der.SEQUENCE, new byte[3]));
    assertThatThrownBy(() -> PemKeys.certificates(damaged))
        .hasMessageStartingWith("certificate 1 cannot be parsed (")
        .hasMessageEndingWith("); is it damaged?");
  }

  private Path pem(String name, String type, byte[] der) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(
        file,
        "-----BEGIN "
            + type
            + "-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
            + "\n-----END "
            + type
            + "-----\n");
    return file;
  }

  private static PrivateKey jdkPkcs8(Path file) throws Exception {
    PemKeys.Block block = PemKeys.blocks(Files.readString(file)).get(0);
    assertThat(block.type()).isEqualTo("PRIVATE KEY");
    String algorithm =
        switch (Der.dotted(Der.read(block.der()).children().get(1).children().get(0))) {
          case PemKeys.RSA_OID -> "RSA";
          case PemKeys.EC_OID -> "EC";
          case PemKeys.ED25519_OID -> "Ed25519";
          default -> throw new AssertionError("unexpected key in " + file);
        };
    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(block.der()));
  }

  /** The secret itself, whatever encoding the key object keeps. */
  private static String fingerprint(PrivateKey key) {
    if (key instanceof RSAPrivateCrtKey rsa) {
      return "RSA " + rsa.getModulus() + " " + rsa.getPrivateExponent();
    }
    if (key instanceof ECPrivateKey ec) {
      return "EC " + ec.getParams() + " " + ec.getS();
    }
    if (key instanceof EdECPrivateKey ed) {
      return "EdDSA "
          + ed.getParams().getName()
          + " "
          + Base64.getEncoder().encodeToString(ed.getBytes().orElseThrow());
    }
    throw new AssertionError("unexpected key " + key);
  }
}
