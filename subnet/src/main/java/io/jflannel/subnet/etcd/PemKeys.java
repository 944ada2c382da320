package io.jflannel.subnet.etcd;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads PEM files as Go's {@code crypto/tls} does for upstream flannel: a private key in any of the
 * three encodings OpenSSL and cfssl write, and certificates.
 *
 * <p>Keys: the first block whose type ends in {@code PRIVATE KEY} is taken, and its contents decide
 * the format, not its label (as Go): PKCS#8 ({@code BEGIN PRIVATE KEY}; RSA, ECDSA or Ed25519),
 * PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}, with the named
 * curve in its parameters). The JDK reads only PKCS#8, so PKCS#1 and SEC1 keys are wrapped into
 * PKCS#8 here ({@link Der}), with no crypto library added. Encrypted keys are refused, as by Go.
 *
 * <p>Certificates: every {@code CERTIFICATE} block, in file order. Other blocks (an {@code EC
 * PARAMETERS} block before a key, a key in a combined file) are skipped.
 *
 * <p>Every failure is a {@link PemException} whose message says what is wrong with the file and how
 * to fix it; callers put the flag and the file name in front. Stateless.
 */
final class PemKeys {

  /** Thrown for a file that cannot be read or holds no usable key or certificate. */
  static final class PemException extends Exception {
    PemException(String message) {
      super(message);
    }

    PemException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** One PEM block: its type (the word(s) after {@code BEGIN}), headers and decoded contents. */
  record Block(String type, Map<String, String> headers, byte[] der) {}

  static final String RSA_OID = "1.2.840.113549.1.1.1";
  static final String EC_OID = "1.2.840.10045.2.1";
  static final String ED25519_OID = "1.3.101.112";

  private static final String BEGIN = "-----BEGIN ";
  private static final String END = "-----END ";
  private static final String DASHES = "-----";

  private PemKeys() {}

  /** Reads the private key of a PEM file (see the class comment for the formats). */
  static PrivateKey privateKey(Path file) throws PemException {
    List<Block> blocks = blocks(read(file));
    Optional<Block> key = blocks.stream().filter(b -> b.type().endsWith("PRIVATE KEY")).findFirst();
    if (key.isEmpty()) {
      boolean hasCert = blocks.stream().anyMatch(b -> b.type().equals("CERTIFICATE"));
      throw new PemException(
          hasCert
              ? "holds a certificate but no private key; were the key and certificate files"
                  + " swapped?"
              : "holds no PEM private key (BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }
    return decodeKey(key.get());
  }

  /** Reads every certificate of a PEM file, in file order; the list may be empty. */
  static List<X509Certificate> certificates(Path file) throws PemException {
    List<X509Certificate> certs = new ArrayList<>();
    CertificateFactory factory;
    try {
      factory = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("the JDK has no X.509 support", e);
    }
    int index = 0;
    for (Block block : blocks(read(file))) {
      if (!block.type().equals("CERTIFICATE")) {
        continue;
      }
      index++;
      try {
        certs.add(
            (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
      } catch (CertificateException e) {
        throw new PemException(
            "certificate "
                + index
                + " cannot be parsed ("
                + EtcdFailures.oneLine(e)
                + "); is it damaged?",
            e);
      }
    }
    return certs;
  }

  /** Decodes the key of a {@code ... PRIVATE KEY} block. */
  static PrivateKey decodeKey(Block block) throws PemException {
    String procType = block.headers().getOrDefault("Proc-Type", "");
    if (block.type().equals("ENCRYPTED PRIVATE KEY") || procType.contains("ENCRYPTED")) {
      throw new PemException(
          "the private key is encrypted, and flanneld cannot ask for a passphrase; write it"
              + " decrypted with: openssl pkey -in <file> -out <new file>");
    }
    try {
      List<Der.Element> fields = Der.read(block.der()).children();
      if (isPkcs8(fields)) {
        return pkcs8(block.der(), fields);
      }
      if (isSec1(fields)) {
        return pkcs8(sec1ToPkcs8(fields), null);
      }
      if (isPkcs1(fields)) {
        return pkcs8(pkcs1ToPkcs8(block.der()), null);
      }
    } catch (Der.MalformedException e) {
      throw new PemException(
          "the " + block.type() + " block is not valid DER (" + e.getMessage() + ")", e);
    }
    throw new PemException(
        "the "
            + block.type()
            + " block is neither PKCS#8, PKCS#1 (RSA) nor SEC1 (EC); convert it with: openssl"
            + " pkey -in <file> -out <new file>");
  }

  /** Splits PEM text into its blocks; text around them is ignored, as by Go's pem package. */
  static List<Block> blocks(String text) throws PemException {
    List<Block> blocks = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (!line.startsWith(BEGIN) || !line.endsWith(DASHES) || line.length() < 16) {
        continue;
      }
      String type = line.substring(BEGIN.length(), line.length() - DASHES.length());
      Map<String, String> headers = new java.util.LinkedHashMap<>();
      StringBuilder base64 = new StringBuilder();
      int j = i + 1;
      for (; j < lines.length && !lines[j].strip().startsWith(END); j++) {
        String body = lines[j].strip();
        int colon = body.indexOf(':');
        if (colon > 0) {
          headers.put(body.substring(0, colon).strip(), body.substring(colon + 1).strip());
        } else {
          base64.append(body);
        }
      }
      if (j == lines.length || !lines[j].strip().equals(END + type + DASHES)) {
        throw new PemException("the PEM block " + type + " has no matching END line; is it cut?");
      }
      try {
        blocks.add(new Block(type, headers, Base64.getDecoder().decode(base64.toString())));
      } catch (IllegalArgumentException e) {
        throw new PemException("the PEM block " + type + " is not valid base64; is it damaged?", e);
      }
      i = j;
    }
    return blocks;
  }

  private static String read(Path file) throws PemException {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new PemException("no such file", e);
    } catch (AccessDeniedException e) {
      throw new PemException(
          "cannot be read: permission denied for user " + System.getProperty("user.name"), e);
    } catch (IOException e) {
      throw new PemException("cannot be read: " + EtcdFailures.oneLine(e), e);
    }
  }

  private static boolean isPkcs8(List<Der.Element> f) {
    return f.size() >= 3
        && f.get(0).tag() == Der.INTEGER
        && f.get(1).tag() == Der.SEQUENCE
        && f.get(2).tag() == Der.OCTET_STRING;
  }

  private static boolean isSec1(List<Der.Element> f) {
    return f.size() >= 2
        && f.get(0).sameAs(new byte[] {Der.INTEGER, 1, 1})
        && f.get(1).tag() == Der.OCTET_STRING;
  }

  private static boolean isPkcs1(List<Der.Element> f) {
    return f.size() >= 9 && f.stream().allMatch(e -> e.tag() == Der.INTEGER);
  }

  /**
   * PKCS#1's RSAPrivateKey becomes the private key of a PKCS#8 PrivateKeyInfo with the algorithm
   * rsaEncryption (parameters NULL).
   */
  static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
    return Der.write(
        Der.SEQUENCE,
        Der.write(Der.INTEGER, new byte[] {0}),
        Der.write(Der.SEQUENCE, Der.oid(RSA_OID), Der.write(Der.NULL)),
        Der.write(Der.OCTET_STRING, pkcs1));
  }

  /**
   * SEC1's ECPrivateKey becomes the private key of a PKCS#8 PrivateKeyInfo with the algorithm
   * ecPublicKey and its named curve, taken out of the key's {@code [0]} parameters (RFC 5915 wants
   * them there and not repeated inside); the optional public key {@code [1]} stays.
   */
  static byte[] sec1ToPkcs8(List<Der.Element> fields) throws Der.MalformedException, PemException {
    Der.Element curve = null;
    List<byte[]> inner = new ArrayList<>(List.of(fields.get(0).encoded(), fields.get(1).encoded()));
    for (Der.Element field : fields.subList(2, fields.size())) {
      if (field.tag() == Der.context(0)) {
        List<Der.Element> params = field.children();
        if (params.size() != 1 || params.get(0).tag() != Der.OID) {
          throw new PemException(
              "the EC key spells its curve out instead of naming it; write it with a named curve:"
                  + " openssl ec -in <file> -param_enc named_curve -out <new file>");
        }
        curve = params.get(0);
      } else {
        inner.add(field.encoded());
      }
    }
    if (curve == null) {
      throw new PemException(
          "the EC PRIVATE KEY does not name its curve; write it as PKCS#8 with: openssl pkcs8"
              + " -topk8 -nocrypt -in <file> -out <new file>");
    }
    return Der.write(
        Der.SEQUENCE,
        Der.write(Der.INTEGER, new byte[] {0}),
        Der.write(Der.SEQUENCE, Der.oid(EC_OID), curve.encoded()),
        Der.write(Der.OCTET_STRING, Der.write(Der.SEQUENCE, inner.toArray(byte[][]::new))));
  }

  private static PrivateKey pkcs8(byte[] der, List<Der.Element> parsed)
      throws Der.MalformedException, PemException {
    List<Der.Element> fields = parsed != null ? parsed : Der.read(der).children();
    List<Der.Element> algorithm = fields.get(1).children();
    if (algorithm.isEmpty() || algorithm.get(0).tag() != Der.OID) {
      throw new PemException("the PKCS#8 key has no algorithm identifier; is it damaged?");
    }
    String oid = Der.dotted(algorithm.get(0));
    String name =
        switch (oid) {
          case RSA_OID -> "RSA";
          case EC_OID -> "EC";
          case ED25519_OID -> "Ed25519";
          default ->
              throw new PemException(
                  "the key's algorithm "
                      + oid
                      + " is not supported for TLS; use an RSA, ECDSA or Ed25519 key");
        };
    try {
      return KeyFactory.getInstance(name).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new PemException(
          "the " + name + " private key cannot be decoded (" + EtcdFailures.oneLine(e) + ")", e);
    }
  }
}
