package io.jflannel.subnet.etcd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for the TLS tests, made with the {@code openssl} command line in a directory of the
 * test's: a CA, a server certificate for {@code 127.0.0.1}, and client certificates whose keys are
 * written in each PEM encoding flanneld must read.
 *
 * <p>Every key is generated afresh, so nothing secret is checked in. openssl runs directly (no
 * shell) and is waited for; a failure throws with openssl's output.
 */
final class TestPki {

  /** Where {@code openssl} is looked for. */
  static final Path OPENSSL = Path.of("/usr/bin/openssl");

  /** A certificate and the file of its private key. */
  record Identity(Path cert, Path key) {}

  /** The encodings of a client key. */
  enum KeyFormat {
    /** {@code BEGIN PRIVATE KEY} holding an RSA key. */
    PKCS8_RSA,
    /** {@code BEGIN PRIVATE KEY} holding a P-256 key. */
    PKCS8_EC,
    /** {@code BEGIN RSA PRIVATE KEY}. */
    PKCS1_RSA,
    /** {@code BEGIN EC PRIVATE KEY} after an {@code EC PARAMETERS} block, as openssl ecparam. */
    SEC1_EC,
    /** {@code BEGIN PRIVATE KEY} holding an Ed25519 key. */
    PKCS8_ED25519
  }

  private final Path dir;
  private final String name;
  private final Identity ca;

  private TestPki(Path dir, String name, Identity ca) {
    this.dir = dir;
    this.name = name;
    this.ca = ca;
  }

  /** Returns true if openssl is installed. */
  static boolean installed() {
    return Files.isExecutable(OPENSSL);
  }

  /** Creates a CA called {@code name} whose files live in {@code dir}. */
  static TestPki create(Path dir, String name) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Identity ca = new Identity(dir.resolve(name + "-ca.pem"), dir.resolve(name + "-ca.key"));
    openssl(
        dir,
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        ca.key().toString(),
        "-out",
        ca.cert().toString(),
        "-subj",
        "/CN=" + name + " test CA",
        "-days",
        "2");
    return new TestPki(dir, name, ca);
  }

  /** Returns the CA's certificate and key. */
  Identity ca() {
    return ca;
  }

  /** Issues etcd's server certificate, for 127.0.0.1 and localhost, with a PKCS#8 key. */
  Identity server() throws IOException, InterruptedException {
    Path key = newKey("server", KeyFormat.PKCS8_EC);
    return sign("server", key, List.of("-days", "2"), "IP:127.0.0.1,DNS:localhost");
  }

  /** Issues a client certificate whose key is written in {@code format}. */
  Identity client(String cn, KeyFormat format) throws IOException, InterruptedException {
    return sign(cn, newKey(cn, format), List.of("-days", "2"), null);
  }

  /** Issues a client certificate that was valid for one day in January 2020. */
  Identity expiredClient(String cn) throws IOException, InterruptedException {
    Path key = newKey(cn, KeyFormat.PKCS8_EC);
    Path csr = csr(cn, key, null);
    Path db = dir.resolve(name + "-index.txt");
    Files.writeString(db, "");
    Files.writeString(dir.resolve(name + "-serial"), "1000\n");
    Path config = dir.resolve(name + "-ca.cnf");
    Files.writeString(
        config,
        String.join(
            "\n",
            "[ca]",
            "default_ca = test",
            "[test]",
            "database = " + db,
            "new_certs_dir = " + dir,
            "serial = " + dir.resolve(name + "-serial"),
            "default_md = sha256",
            "policy = anything",
            "unique_subject = no",
            "[anything]",
            "commonName = supplied",
            ""));
    Path cert = dir.resolve(name + "-" + cn + ".pem");
    openssl(
        dir,
        "ca",
        "-batch",
        "-notext",
        "-config",
        config.toString(),
        "-cert",
        ca.cert().toString(),
        "-keyfile",
        ca.key().toString(),
        "-in",
        csr.toString(),
        "-out",
        cert.toString(),
        "-startdate",
        "20200101000000Z",
        "-enddate",
        "20200102000000Z");
    return new Identity(cert, key);
  }

  /** Writes a fresh private key in {@code format}. */
  Path newKey(String cn, KeyFormat format) throws IOException, InterruptedException {
    Path key = dir.resolve(name + "-" + cn + ".key");
    String out = key.toString();
    switch (format) {
      case PKCS8_RSA ->
          openssl(
              dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", out);
      case PKCS8_EC ->
          openssl(
              dir,
              "genpkey",
              "-algorithm",
              "EC",
              "-pkeyopt",
              "ec_paramgen_curve:P-256",
              "-out",
              out);
      case PKCS1_RSA -> openssl(dir, "genrsa", "-traditional", "-out", out, "2048");
      case SEC1_EC -> openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-out", out);
      case PKCS8_ED25519 -> openssl(dir, "genpkey", "-algorithm", "ED25519", "-out", out);
    }
    return key;
  }

  private Identity sign(String cn, Path key, List<String> validity, String san)
      throws IOException, InterruptedException {
    Path csr = csr(cn, key, san);
    Path cert = dir.resolve(name + "-" + cn + ".pem");
    List<String> args =
        new ArrayList<>(
            List.of(
                "x509",
                "-req",
                "-in",
                csr.toString(),
                "-CA",
                ca.cert().toString(),
                "-CAkey",
                ca.key().toString(),
                "-out",
                cert.toString()));
    args.addAll(validity);
    if (san != null) {
      args.addAll(List.of("-copy_extensions", "copy"));
    }
    openssl(dir, args.toArray(String[]::new));
    return new Identity(cert, key);
  }

  private Path csr(String cn, Path key, String san) throws IOException, InterruptedException {
    Path csr = dir.resolve(name + "-" + cn + ".csr");
    List<String> args =
        new ArrayList<>(
            List.of(
                "req",
                "-new",
                "-key",
                key.toString(),
                "-out",
                csr.toString(),
                "-subj",
                "/CN=" + cn));
    if (san != null) {
      args.addAll(List.of("-addext", "subjectAltName=" + san));
    }
    openssl(dir, args.toArray(String[]::new));
    return csr;
  }

  /** Runs {@code openssl args...} in {@code dir}, failing with its output if it fails. */
  static void openssl(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(OPENSSL.toString());
    command.addAll(List.of(args));
    Path log = Files.createTempFile(dir, "openssl-", ".log");
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("openssl did not finish within 60 s: " + command);
    }
    if (process.exitValue() != 0) {
      throw new IOException(
          "openssl failed ("
              + process.exitValue()
              + "): "
              + command
              + "\n"
              + Files.readString(log));
    }
    Files.delete(log);
  }
}
