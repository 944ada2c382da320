package io.jflannel.subnet.etcd;

import io.jflannel.core.subnet.SubnetException;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS material of {@code --etcd-keyfile}, {@code --etcd-certfile} and {@code --etcd-cafile},
 * read and checked when the manager starts, so that a broken setup fails at once with one line
 * naming the file and the fix instead of as an obscure handshake failure later.
 *
 * <p>Checked up front: each file is readable and holds what it should ({@link PemKeys}); the client
 * certificate is valid now (not expired, not yet valid); the private key belongs to the certificate
 * (a signature made with the key verifies with the certificate's public key). What only the server
 * can tell (whether {@code --etcd-cafile} signed etcd's certificate, whether etcd trusts the
 * client's CA) is explained when the first request fails, by {@link EtcdFailures}.
 *
 * <p>Immutable.
 *
 * @param key the client's private key
 * @param chain the client certificate, then any intermediates, as in {@code --etcd-certfile}
 * @param trusted the CA certificates of {@code --etcd-cafile}; empty for the JDK's default trust
 */
record EtcdTls(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> trusted) {

  /**
   * Reads and checks the files of {@code options} at the time {@code now}.
   *
   * @throws SubnetException with one line naming the flag, the file, the problem and the fix
   */
  static EtcdTls load(EtcdOptions options, Date now) throws SubnetException {
    PrivateKey key = read("--etcd-keyfile", options.keyFile(), PemKeys::privateKey);
    List<X509Certificate> chain =
        read("--etcd-certfile", options.certFile(), PemKeys::certificates);
    if (chain.isEmpty()) {
      throw new SubnetException(
          "--etcd-certfile "
              + options.certFile()
              + " holds no PEM certificate (BEGIN CERTIFICATE); give the client certificate that"
              + " etcd's --trusted-ca-file signed");
    }
    X509Certificate leaf = chain.get(0);
    checkValidity(options.certFile(), leaf, now);
    checkMatch(options, key, leaf.getPublicKey());
    List<X509Certificate> trusted = List.of();
    if (!options.caFile().isEmpty()) {
      trusted = read("--etcd-cafile", options.caFile(), PemKeys::certificates);
      if (trusted.isEmpty()) {
        throw new SubnetException(
            "--etcd-cafile "
                + options.caFile()
                + " holds no PEM certificate (BEGIN CERTIFICATE); give the CA certificate that"
                + " signed etcd's server certificate");
      }
    }
    return new EtcdTls(key, List.copyOf(chain), List.copyOf(trusted));
  }

  /**
   * Returns JDK key managers holding the key and chain, for the client ({@link EtcdConnection}) and
   * {@link EtcdTlsProbe}.
   */
  KeyManager[] keyManagers() throws GeneralSecurityException {
    char[] password = "jflannel".toCharArray(); // protects an in-memory store only
    KeyStore keys = emptyStore();
    keys.setKeyEntry("client", key, password, chainArray());
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, password);
    return kmf.getKeyManagers();
  }

  /**
   * Returns JDK trust managers trusting the CAs of {@code --etcd-cafile}, or the JDK's default
   * trust store without one.
   */
  TrustManager[] trustManagers() throws GeneralSecurityException {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    if (trusted.isEmpty()) {
      tmf.init((KeyStore) null);
    } else {
      KeyStore cas = emptyStore();
      for (int i = 0; i < trusted.size(); i++) {
        cas.setCertificateEntry("ca" + i, trusted.get(i));
      }
      tmf.init(cas);
    }
    return tmf.getTrustManagers();
  }

  private static KeyStore emptyStore() throws GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try {
      store.load(null, null);
    } catch (IOException e) {
      throw new KeyStoreException("cannot create an empty key store", e);
    }
    return store;
  }

  /** Returns the chain as an array. */
  private X509Certificate[] chainArray() {
    return chain.toArray(X509Certificate[]::new);
  }

  private interface Reader<T> {
    T read(Path file) throws PemKeys.PemException;
  }

  private static <T> T read(String flag, String file, Reader<T> reader) throws SubnetException {
    try {
      return reader.read(Path.of(file));
    } catch (PemKeys.PemException e) {
      throw new SubnetException(flag + " " + file + ": " + e.getMessage(), e);
    }
  }

  private static void checkValidity(String file, X509Certificate cert, Date now)
      throws SubnetException {
    try {
      cert.checkValidity(now);
    } catch (CertificateExpiredException e) {
      throw new SubnetException(
          "--etcd-certfile "
              + file
              + ": the client certificate ("
              + cert.getSubjectX500Principal().getName()
              + ") expired on "
              + cert.getNotAfter().toInstant()
              + "; issue a new one from etcd's CA and restart flanneld",
          e);
    } catch (CertificateNotYetValidException e) {
      throw new SubnetException(
          "--etcd-certfile "
              + file
              + ": the client certificate ("
              + cert.getSubjectX500Principal().getName()
              + ") is not valid before "
              + cert.getNotBefore().toInstant()
              + "; check this machine's clock",
          e);
    }
  }

  /**
   * Signs random bytes with the key and verifies them with the certificate's public key: this works
   * for every key type without deriving the public key.
   */
  private static void checkMatch(EtcdOptions options, PrivateKey key, PublicKey certKey)
      throws SubnetException {
    boolean matches;
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      String algorithm = signatureAlgorithm(key);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certKey);
      verifier.update(challenge);
      matches = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      matches = false; // e.g. an RSA key with an EC certificate
    }
    if (!matches) {
      throw new SubnetException(
          "--etcd-keyfile "
              + options.keyFile()
              + " does not match the certificate in --etcd-certfile "
              + options.certFile()
              + (key.getAlgorithm().equals(certKey.getAlgorithm())
                  ? " (the certificate is for another " + key.getAlgorithm() + " key"
                  : " (the key is "
                      + key.getAlgorithm()
                      + ", the certificate is for an "
                      + certKey.getAlgorithm()
                      + " key")
              + "); give the key the certificate was issued for");
    }
  }

  private static String signatureAlgorithm(PrivateKey key) {
    return switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> key.getAlgorithm(); // EdDSA, Ed25519: the curve comes with the key
    };
  }
}
