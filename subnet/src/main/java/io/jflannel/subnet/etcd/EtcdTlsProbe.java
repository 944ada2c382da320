package io.jflannel.subnet.etcd;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Date;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Finds out why TLS to etcd fails, when a request failed to connect or got no answer: the JDK's
 * handshake errors do not say which side refused what, nor which flag to fix.
 *
 * <p>The probe makes one TLS connection of its own to each endpoint with the same key, certificate
 * chain and trust ({@link EtcdTls}), checks etcd's certificate against the endpoint's host as the
 * client does, and then waits briefly for etcd's verdict on the client certificate (with TLS 1.3
 * the server rejects it only after the client has finished its handshake). A refused or silent
 * connection is not a TLS problem and yields nothing; every TLS failure becomes one line that names
 * the endpoint, the file at fault and the fix. Stateless; each call opens and closes its sockets.
 */
final class EtcdTlsProbe {

  private EtcdTlsProbe() {}

  /**
   * Returns what is wrong with TLS to the first endpoint whose handshake fails, or empty if every
   * endpoint is unreachable or accepts the connection.
   *
   * @param timeout for connecting, for the handshake and for etcd's verdict, per endpoint
   */
  static Optional<String> diagnose(EtcdOptions options, EtcdTls tls, Duration timeout) {
    for (String endpoint : options.endpoints()) {
      Optional<String> problem = probe(options, tls, URI.create(endpoint), timeout);
      if (problem.isPresent()) {
        return problem;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> probe(
      EtcdOptions options, EtcdTls tls, URI endpoint, Duration timeout) {
    RecordingTrust trust;
    SSLContext context;
    try {
      trust = new RecordingTrust(tls.trustManagers());
      context = SSLContext.getInstance("TLS");
      context.init(tls.keyManagers(), new TrustManager[] {trust}, new SecureRandom());
    } catch (GeneralSecurityException e) {
      return Optional.of("cannot set up TLS to check etcd: " + EtcdFailures.oneLine(e));
    }
    int millis = (int) Math.max(1, timeout.toMillis());
    try (Socket plain = new Socket()) {
      try {
        plain.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()), millis);
      } catch (IOException e) {
        return Optional.empty(); // not reachable: not a TLS problem
      }
      try (SSLSocket socket =
          (SSLSocket)
              context
                  .getSocketFactory()
                  .createSocket(plain, endpoint.getHost(), endpoint.getPort(), true)) {
        SSLParameters params = socket.getSSLParameters();
        params.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        params.setEndpointIdentificationAlgorithm("HTTPS");
        params.setApplicationProtocols(new String[] {"h2"});
        socket.setSSLParameters(params);
        socket.setSoTimeout(millis);
        socket.startHandshake();
        InputStream in = socket.getInputStream();
        in.read(); // etcd says nothing until the client speaks, unless it rejects the client
        return Optional.empty();
      } catch (SocketTimeoutException e) {
        return Optional.empty(); // accepted (or silent)
      } catch (IOException e) {
        return explain(options, tls, endpoint, trust.serverCert, e);
      }
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Turns a failed handshake into one line; empty if it was not a TLS failure. */
  static Optional<String> explain(
      EtcdOptions options, EtcdTls tls, URI endpoint, X509Certificate server, IOException failure) {
    String at = "TLS to etcd at " + endpoint + " failed: ";
    String certName = server == null ? "" : " (" + describe(server) + ")";
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String message = t.getMessage() == null ? "" : t.getMessage();
      if (t instanceof CertificateException
          && (message.startsWith("No subject alternative") || message.startsWith("No name"))) {
        return Optional.of(
            at
                + "etcd's certificate"
                + certName
                + " is not valid for the host "
                + endpoint.getHost()
                + " ("
                + message
                + "); use an endpoint it names, or reissue it with that host in subjectAltName");
      }
      if (message.contains("PKIX path") || message.contains("certification path")) {
        return Optional.of(
            at
                + (server != null && !validNow(server)
                    ? "etcd's certificate"
                        + certName
                        + " is not valid now (valid "
                        + server.getNotBefore().toInstant()
                        + " to "
                        + server.getNotAfter().toInstant()
                        + "); renew etcd's --cert-file"
                    : untrusted(options, certName)));
      }
      int alert = message.indexOf("Received fatal alert: ");
      if (alert >= 0) {
        String name = message.substring(alert + "Received fatal alert: ".length()).strip();
        return Optional.of(at + alert(options, tls, name.toLowerCase(Locale.ROOT)));
      }
      if (message.contains("plaintext connection") || message.contains("Unsupported or unrecog")) {
        return Optional.of(
            at
                + "etcd answered in plain text; serve its clients over TLS (etcd --cert-file,"
                + " --key-file) or use an http:// endpoint without --etcd-keyfile and"
                + " --etcd-certfile");
      }
    }
    if (failure instanceof SSLException) {
      return Optional.of(at + EtcdFailures.oneLine(failure));
    }
    return Optional.empty();
  }

  private static String untrusted(EtcdOptions options, String certName) {
    return options.caFile().isEmpty()
        ? "etcd's certificate"
            + certName
            + " is not signed by a CA this JVM trusts; give the CA that signed it with"
            + " --etcd-cafile"
        : "etcd's certificate"
            + certName
            + " is not signed by a CA in --etcd-cafile "
            + options.caFile()
            + "; give the CA certificate that signed etcd's --cert-file";
  }

  private static String alert(EtcdOptions options, EtcdTls tls, String name) {
    return switch (name) {
      case "bad_certificate",
          "certificate_required",
          "unknown_ca",
          "certificate_unknown",
          "certificate_expired",
          "certificate_revoked",
          "access_denied" ->
          "etcd refused the client certificate in --etcd-certfile "
              + options.certFile()
              + " ("
              + name
              + "); it must be signed by a CA in etcd's --trusted-ca-file and be valid now (it is"
              + " valid until "
              + tls.chain().get(0).getNotAfter().toInstant()
              + ")";
      case "protocol_version" ->
          "etcd speaks neither TLS 1.2 nor 1.3 (protocol_version); upgrade etcd";
      default -> "etcd ended the handshake (" + name + ")";
    };
  }

  private static boolean validNow(X509Certificate cert) {
    try {
      cert.checkValidity(new Date());
      return true;
    } catch (CertificateException e) {
      return false;
    }
  }

  private static String describe(X509Certificate cert) {
    return cert.getSubjectX500Principal().getName()
        + ", issued by "
        + cert.getIssuerX500Principal().getName();
  }

  /** Delegates to the real trust manager and keeps the server's certificate, for messages. */
  private static final class RecordingTrust extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;
    private volatile X509Certificate serverCert;

    RecordingTrust(TrustManager[] managers) throws GeneralSecurityException {
      X509ExtendedTrustManager found = null;
      for (TrustManager m : managers) {
        if (m instanceof X509ExtendedTrustManager x) {
          found = x;
          break;
        }
      }
      if (found == null) {
        throw new GeneralSecurityException("the JDK offers no X.509 trust manager");
      }
      delegate = found;
    }

    private void record(X509Certificate[] chain) {
      if (chain != null && chain.length > 0) {
        serverCert = chain[0];
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      record(chain);
      delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      record(chain);
      delegate.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      record(chain);
      delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      delegate.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }
  }
}
