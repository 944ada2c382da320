package io.jflannel.subnet.http;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.StandardHttpClient;
import io.fabric8.kubernetes.client.http.StandardHttpRequest;
import io.fabric8.kubernetes.client.http.StandardWebSocketBuilder;
import io.fabric8.kubernetes.client.http.TlsVersion;
import io.fabric8.kubernetes.client.http.WebSocket;
import io.fabric8.kubernetes.client.http.WebSocketResponse;
import io.jflannel.subnet.http.IdleConnections.Connection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A fabric8 HTTP client on blocking sockets ({@link SocketHttpClients}). Each request runs on a
 * thread of its own ({@code jflannel-http}): connect (or take an idle connection), write the
 * request, read the answer's head, complete the response; then read the body as fabric8 asks for it
 * ({@link AsyncBody#consume()}) and hand it over in the order read. A WebSocket keeps its thread
 * for its frames ({@link SocketWebSocket}).
 *
 * <p>As fabric8's JDK client: the request's timeout bounds the wait for the answer's head (not the
 * body, which a watch keeps open), the builder's connect timeout the connect and TLS handshake; the
 * server's certificate is checked against the URI's host by the builder's TLS context (which
 * fabric8 made from the kubeconfig's CA, or trusting all for {@code insecure-skip-tls-verify});
 * {@code tlsServerName} is sent as SNI. Cipher suites are offered ChaCha20-Poly1305 first ({@link
 * TlsSockets}). HTTP/1.1 only: a request that runs beside another opens its own connection; an
 * answer read to its end leaves its connection for the next request (30 s at most). Every
 * connection has TCP keepalive (30 s idle, 3 probes 5 s apart), so a watch whose server vanished
 * without a word ends within about 45 s and fabric8 reconnects it (the JDK client turns none on).
 *
 * <p>Thread-safe. A derived client ({@code newBuilder()...build()}) shares its parent's connections
 * and closed state, as fabric8's own clients do.
 */
public final class SocketHttpClient
    extends StandardHttpClient<SocketHttpClient, SocketHttpClients, SocketHttpClients.Builder> {

  /** TCP keepalive: a connection whose server vanished ends within about 45 s (a watch's too). */
  private static final int KEEPALIVE_IDLE = 30;

  private static final int KEEPALIVE_INTERVAL = 5;
  private static final int KEEPALIVE_COUNT = 3;

  private final IdleConnections connections;

  SocketHttpClient(SocketHttpClients.Builder builder, SocketHttpClient parent) {
    super(builder, parent == null ? new AtomicBoolean() : parent.getClosed());
    this.connections = parent == null ? new IdleConnections() : parent.connections;
  }

  @Override
  public CompletableFuture<HttpResponse<AsyncBody>> consumeBytesDirect(
      StandardHttpRequest request, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    CompletableFuture<HttpResponse<AsyncBody>> answer = new CompletableFuture<>();
    start(() -> SocketResponse.exchange(this, request, consumer, answer));
    return answer;
  }

  @Override
  public CompletableFuture<WebSocketResponse> buildWebSocketDirect(
      StandardWebSocketBuilder builder, WebSocket.Listener listener) {
    CompletableFuture<WebSocketResponse> answer = new CompletableFuture<>();
    StandardHttpRequest request = builder.asHttpRequest();
    String subprotocol = builder.getSubprotocol();
    start(() -> SocketWebSocket.open(this, request, subprotocol, listener, answer));
    return answer;
  }

  @Override
  protected void doClose() {
    connections.close();
  }

  private static void start(Runnable exchange) {
    Thread t = new Thread(exchange, "jflannel-http");
    t.setDaemon(true);
    t.start();
  }

  /** An idle connection to {@code uri}'s endpoint, or a new one. */
  Connection connection(URI uri) throws IOException {
    URI endpoint = endpoint(uri);
    Connection c = connections.take(endpoint);
    return c != null ? c : connect(endpoint);
  }

  /** Keeps {@code c} for the next request. */
  void release(Connection c) {
    connections.release(c);
  }

  /** A new connection to {@code endpoint} ({@code scheme://host:port}), with TLS for https. */
  Connection connect(URI endpoint) throws IOException {
    Duration timeout = builder.getConnectTimeout();
    int millis = timeout == null ? 0 : millis(timeout);
    String host = host(endpoint);
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      TcpKeepalive.on(socket, KEEPALIVE_IDLE, KEEPALIVE_INTERVAL, KEEPALIVE_COUNT);
      socket.connect(new InetSocketAddress(host, endpoint.getPort()), millis);
      Socket s =
          "https".equals(endpoint.getScheme()) ? tls(socket, host, endpoint, millis) : socket;
      return new Connection(endpoint, s);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  private SSLSocket tls(Socket socket, String host, URI endpoint, int millis) throws IOException {
    SSLContext context = builder.getSslContext();
    if (context == null) {
      try {
        context = SSLContext.getDefault();
      } catch (NoSuchAlgorithmException e) {
        throw new IOException("no TLS context: " + e.getMessage(), e);
      }
    }
    TlsVersion[] versions = builder.getTlsVersions();
    String[] protocols = null;
    if (versions != null && versions.length > 0) {
      protocols = new String[versions.length];
      for (int i = 0; i < versions.length; i++) {
        protocols[i] = versions[i].javaName();
      }
    }
    SSLSocket tls =
        TlsSockets.handshake(
            socket,
            context,
            host,
            endpoint.getPort(),
            protocols,
            builder.getTlsServerName(),
            millis);
    tls.setSoTimeout(0);
    return tls;
  }

  /** {@code scheme://host:port} of {@code uri}, the port made explicit. */
  static URI endpoint(URI uri) throws IOException {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IOException("cannot request " + uri + ": only http and https are supported");
    }
    if (uri.getHost() == null) {
      throw new IOException("cannot request " + uri + ": it names no host");
    }
    int port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    return URI.create(scheme + "://" + uri.getHost() + ":" + port);
  }

  /** The host to connect to, without an IPv6 literal's brackets. */
  private static String host(URI endpoint) {
    String host = endpoint.getHost();
    return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
  }

  /**
   * Writes {@code request}'s line, headers and body, with {@code extra} header lines (each ending
   * in CRLF) after its own.
   */
  static void write(OutputStream out, StandardHttpRequest request, String extra)
      throws IOException {
    URI uri = request.uri();
    byte[] body = body(request);
    StringBuilder head = new StringBuilder(512);
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    head.append(request.method()).append(' ').append(path);
    if (uri.getRawQuery() != null) {
      head.append('?').append(uri.getRawQuery());
    }
    head.append(" HTTP/1.1\r\nHost: ").append(uri.getHost());
    if (uri.getPort() > 0) {
      head.append(':').append(uri.getPort());
    }
    head.append("\r\n");
    boolean contentType = false;
    for (Map.Entry<String, List<String>> h : request.headers().entrySet()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (name.equals("host")
          || name.equals("content-length")
          || name.equals("connection")
          || name.equals("transfer-encoding")
          || name.equals("expect")) {
        continue;
      }
      contentType |= name.equals("content-type");
      for (String value : h.getValue()) {
        head.append(h.getKey()).append(": ").append(value).append("\r\n");
      }
    }
    if (body != null) {
      if (!contentType && request.getContentType() != null) {
        head.append("Content-Type: ").append(request.getContentType()).append("\r\n");
      }
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append(extra).append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (body != null) {
      out.write(body);
    }
    out.flush();
  }

  /** The request's body as bytes, or null without one. */
  private static byte[] body(StandardHttpRequest request) throws IOException {
    StandardHttpRequest.BodyContent content = request.body();
    if (content instanceof StandardHttpRequest.StringBodyContent s) {
      return s.getContent().getBytes(StandardCharsets.UTF_8);
    }
    if (content instanceof StandardHttpRequest.ByteArrayBodyContent b) {
      return b.getContent();
    }
    if (content instanceof StandardHttpRequest.InputStreamBodyContent s) {
      try (InputStream in = s.getContent()) {
        return in.readAllBytes();
      }
    }
    if (content == null) {
      String m = request.method();
      return m.equals("POST") || m.equals("PUT") || m.equals("PATCH") ? new byte[0] : null;
    }
    throw new IOException("cannot send a request body of " + content.getClass().getName());
  }

  /** The request's timeout in milliseconds for a socket read, 0 (none) if it has none. */
  static int timeoutMillis(StandardHttpRequest request) {
    Duration d = request.getTimeout();
    return d == null || d.isZero() || d.isNegative() ? 0 : millis(d);
  }

  private static int millis(Duration d) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
  }
}
