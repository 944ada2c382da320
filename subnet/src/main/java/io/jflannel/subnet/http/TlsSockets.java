package io.jflannel.subnet.http;

import io.jflannel.subnet.CipherOrder;
import java.io.IOException;
import java.net.Socket;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * TLS over a connected socket, as both of flanneld's HTTP clients speak it (etcd's and the
 * Kubernetes API server's): the server's certificate checked against the host connected to, the
 * context's cipher suites offered ChaCha20-Poly1305 first ({@link CipherOrder}). Stateless.
 */
public final class TlsSockets {

  private TlsSockets() {}

  /**
   * Layers TLS over {@code tcp} and completes the handshake.
   *
   * @param host the host connected to, whose name or address the certificate must carry
   * @param protocols the protocols to offer, or null for the context's
   * @param serverName the SNI name to send instead of {@code host}'s, or null
   * @param timeoutMillis the longest the handshake may wait for each read (0: no limit); it stays
   *     the socket's read timeout
   */
  public static SSLSocket handshake(
      Socket tcp,
      SSLContext context,
      String host,
      int port,
      String[] protocols,
      String serverName,
      int timeoutMillis)
      throws IOException {
    SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, host, port, true);
    SSLParameters parameters = tls.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    if (protocols != null) {
      parameters.setProtocols(protocols);
    }
    parameters.setCipherSuites(CipherOrder.chachaFirst(tls.getEnabledCipherSuites()));
    if (serverName != null && !serverName.isEmpty()) {
      parameters.setServerNames(List.of(new SNIHostName(serverName)));
    }
    tls.setSSLParameters(parameters);
    tls.setSoTimeout(timeoutMillis);
    tls.startHandshake();
    return tls;
  }
}
