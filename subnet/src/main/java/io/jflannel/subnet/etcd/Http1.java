package io.jflannel.subnet.etcd;

import io.jflannel.subnet.http.Http1Answer;
import io.jflannel.subnet.http.IdleConnections;
import io.jflannel.subnet.http.IdleConnections.Connection;
import io.jflannel.subnet.http.TcpKeepalive;
import io.jflannel.subnet.http.TlsSockets;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * The HTTP/1.1 that etcd's JSON gateway needs, on plain sockets: a {@code POST} of a JSON body, an
 * answer with a {@code Content-Length} or chunked body; TLS (1.2 or 1.3, etcd's certificate checked
 * against the endpoint's host) for https endpoints. Idle connections are kept per endpoint for the
 * next request (30 s at most).
 *
 * <p>Why not the JDK's HTTP client: it loads about 800 classes of its own and of TLS (its default
 * TLS context reads the JDK's CA store even for http), for requests this small; flanneld's etcd
 * client is a handful of request kinds and one long answer per watch (BENCHMARKS.md, "Start-up and
 * footprint").
 *
 * <p>Thread-safe: a connection serves one request at a time.
 */
final class Http1 implements AutoCloseable {

  /** Reads a 200 answer's body. */
  interface BodyReader<T> {
    T read(InputStream body) throws IOException;
  }

  /** An answer other than 200, with its body as text. */
  static final class Refused extends IOException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String body;

    Refused(int status, String body) {
      super("HTTP " + status);
      this.status = status;
      this.body = body;
    }
  }

  /**
   * The request was sent, and then its answer broke off or did not come: etcd may have carried it
   * out, so it is not sent again elsewhere.
   */
  static final class Broken extends IOException {
    private static final long serialVersionUID = 1L;

    Broken(IOException cause) {
      super(cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
    }
  }

  private final SSLContext ssl;
  private final IdleConnections idle = new IdleConnections();

  /**
   * @param ssl the TLS context for https endpoints; null: https endpoints are refused
   */
  Http1(SSLContext ssl) {
    this.ssl = ssl;
  }

  /**
   * Posts {@code body} to {@code endpoint}{@code path} and reads a 200 answer with {@code reader}.
   *
   * @param token sent as {@code Authorization}, or null
   * @param timeout the longest the request may take to connect and to wait for each read
   * @throws Refused for an answer other than 200
   * @throws Broken when the answer broke off or did not come in time after the request was sent
   * @throws IOException when the endpoint cannot be reached, or the request could not be sent
   */
  <T> T post(
      URI endpoint, String path, String token, String body, Duration timeout, BodyReader<T> reader)
      throws IOException {
    Connection c = idle.take(endpoint);
    if (c == null) {
      Socket socket = open(endpoint, ssl, timeout, false);
      try {
        c = new Connection(endpoint, socket);
      } catch (IOException e) {
        socket.close();
        throw e;
      }
    }
    boolean keep = false;
    try {
      c.socket().setSoTimeout(millis(timeout));
      write(c.out(), endpoint, path, token, body, false);
      try {
        Http1Answer.Head head = Http1Answer.head(c.in());
        InputStream content = Http1Answer.content(c.in(), head);
        if (head.status() != 200) {
          throw new Refused(
              head.status(), new String(content.readAllBytes(), StandardCharsets.UTF_8));
        }
        T answer = reader.read(content);
        content.transferTo(OutputStream.nullOutputStream()); // so the next answer starts clean
        keep = !head.close() && head.bounded();
        return answer;
      } catch (Refused e) {
        throw e;
      } catch (IOException e) {
        throw new Broken(e);
      }
    } finally {
      if (keep) {
        idle.release(c);
      } else {
        c.close();
      }
    }
  }

  /** Closes the idle connections; requests under way finish on theirs. */
  @Override
  public void close() {
    idle.close();
  }

  /**
   * Connects to {@code endpoint}, with TLS for https.
   *
   * @param keepAlive whether to turn TCP keepalive on (a long answer that may be quiet for minutes:
   *     {@link EtcdWatchStream})
   */
  static Socket open(URI endpoint, SSLContext ssl, Duration connectTimeout, boolean keepAlive)
      throws IOException {
    Socket socket = new Socket();
    try {
      if (keepAlive) {
        keepAlive(socket);
      }
      socket.setTcpNoDelay(true);
      socket.connect(
          new InetSocketAddress(endpoint.getHost(), port(endpoint)), millis(connectTimeout));
      if (!"https".equalsIgnoreCase(endpoint.getScheme())) {
        return socket;
      }
      if (ssl == null) {
        throw new IOException(
            endpoint + " is https, but no --etcd-keyfile and --etcd-certfile were given");
      }
      return TlsSockets.handshake( // etcd's certificate names this host
          socket,
          ssl,
          endpoint.getHost(),
          port(endpoint),
          new String[] {"TLSv1.3", "TLSv1.2"},
          null,
          millis(connectTimeout));
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** TCP keepalive on, with {@link EtcdWatchStream}'s timings. */
  static void keepAlive(Socket s) throws IOException {
    TcpKeepalive.on(
        s,
        EtcdWatchStream.KEEPALIVE_IDLE,
        EtcdWatchStream.KEEPALIVE_INTERVAL,
        EtcdWatchStream.KEEPALIVE_COUNT);
  }

  /**
   * Writes a {@code POST} of {@code body}.
   *
   * @param watch whether this is a watch ({@link EtcdWatchStream}): it requires a leader, as
   *     upstream's {@code WithRequireLeader} (etcd ends it when its member loses the leader), and
   *     the connection closes with the stream
   */
  static void write(
      OutputStream out, URI endpoint, String path, String token, String body, boolean watch)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head =
        "POST "
            + path
            + " HTTP/1.1\r\nHost: "
            + endpoint.getHost()
            + ":"
            + port(endpoint)
            + "\r\nContent-Type: application/json\r\n"
            + (watch ? "Grpc-Metadata-hasleader: true\r\n" : "")
            + (token == null ? "" : "Authorization: " + token + "\r\n")
            + "Content-Length: "
            + bytes.length
            + (watch ? "\r\nConnection: close" : "")
            + "\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    out.write(bytes);
    out.flush();
  }

  static int port(URI endpoint) {
    if (endpoint.getPort() > 0) {
      return endpoint.getPort();
    }
    return "https".equalsIgnoreCase(endpoint.getScheme()) ? 443 : 80;
  }

  private static int millis(Duration d) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
  }
}
