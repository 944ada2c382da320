package io.jflannel.subnet.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketOption;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import jdk.net.ExtendedSocketOptions;

/**
 * One etcd watch stream: a {@code POST /v3/watch} whose answer is a line of JSON per WatchResponse,
 * for as long as the watch lasts, on a connection of its own. Each line's {@code result} goes to
 * the listener's {@link Listener#onResponse}; the first failure, or the end of the stream, to
 * {@link Listener#onFailure}, once, and nothing after it.
 *
 * <p>Why a socket of its own, not the HTTP client's: a watch of a quiet prefix receives nothing for
 * minutes, so a connection that died without a word (a peer host gone, a NAT or firewall that
 * forgot it) would look the same as a quiet one. The socket has TCP keepalive on ({@link
 * #KEEPALIVE_IDLE}, then {@link #KEEPALIVE_COUNT} probes {@link #KEEPALIVE_INTERVAL} apart), so the
 * kernel ends such a connection within about 45 s and the watch resumes on a new one; jetcd's gRPC
 * keepalive (30 s, 10 s timeout) did the same before.
 *
 * <p>Callbacks arrive on the stream's own daemon thread, one at a time. {@link #close} closes the
 * socket (etcd then drops the watcher) and stops the callbacks. Thread-safe.
 */
final class EtcdWatchStream implements AutoCloseable {

  static final int KEEPALIVE_IDLE = 30; // seconds
  static final int KEEPALIVE_INTERVAL = 5; // seconds
  static final int KEEPALIVE_COUNT = 3;

  /** What a watch stream reports to. */
  interface Listener {

    /** A WatchResponse: created, progress, events, or canceled (by etcd, e.g. compaction). */
    void onResponse(JsonNode result);

    /** The stream failed or ended; called once, last. */
    void onFailure(Throwable error);
  }

  private final URI endpoint;
  private final SSLContext ssl;
  private final String head;
  private final byte[] body;
  private final Duration connectTimeout;
  private final Listener listener;
  private final AtomicBoolean done = new AtomicBoolean();
  private final Socket socket;

  private EtcdWatchStream(
      URI endpoint,
      SSLContext ssl,
      String head,
      byte[] body,
      Duration connectTimeout,
      Listener listener) {
    this.endpoint = endpoint;
    this.ssl = ssl;
    this.head = head;
    this.body = body;
    this.connectTimeout = connectTimeout;
    this.listener = listener;
    this.socket = new Socket();
  }

  /**
   * Opens a watch stream to {@code endpoint} (e.g. {@code https://10.0.0.1:2379}) on a thread of
   * its own and returns at once.
   *
   * @param ssl the TLS context for an https endpoint, null for http
   * @param token the auth token to send, or null
   * @param body the WatchRequest
   */
  static EtcdWatchStream open(
      URI endpoint,
      SSLContext ssl,
      String token,
      String body,
      Duration connectTimeout,
      Listener listener) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head =
        "POST /v3/watch HTTP/1.1\r\nHost: "
            + endpoint.getHost()
            + ":"
            + port(endpoint)
            + "\r\nContent-Type: application/json\r\nGrpc-Metadata-hasleader: true\r\n"
            + (token == null ? "" : "Authorization: " + token + "\r\n")
            + "Content-Length: "
            + bytes.length
            + "\r\nConnection: close\r\n\r\n";
    EtcdWatchStream stream =
        new EtcdWatchStream(endpoint, ssl, head, bytes, connectTimeout, listener);
    Thread t = new Thread(stream::run, "jflannel-etcd-watch-stream");
    t.setDaemon(true);
    t.start();
    return stream;
  }

  private static int port(URI endpoint) {
    if (endpoint.getPort() > 0) {
      return endpoint.getPort();
    }
    return "https".equalsIgnoreCase(endpoint.getScheme()) ? 443 : 80;
  }

  /** Whether the stream has failed, ended or been closed. */
  boolean isDone() {
    return done.get();
  }

  @Override
  public void close() {
    done.set(true);
    try {
      socket.close();
    } catch (IOException e) {
      // closing: nothing to report
    }
  }

  private void run() {
    try {
      Socket s = connect();
      OutputStream out = s.getOutputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      InputStream in = new BufferedInputStream(s.getInputStream());
      int status = status(line(in));
      boolean chunked = false;
      long length = -1;
      for (String header = line(in); !header.isEmpty(); header = line(in)) {
        String h = header.toLowerCase(Locale.ROOT);
        if (h.startsWith("transfer-encoding:") && h.contains("chunked")) {
          chunked = true;
        } else if (h.startsWith("content-length:")) {
          length = Long.parseLong(h.substring(15).trim());
        }
      }
      InputStream content = chunked ? new Chunked(in) : in;
      if (status != 200) {
        byte[] error = length >= 0 ? content.readNBytes((int) length) : content.readAllBytes();
        fail(
            EtcdConnection.httpError(
                status, new String(error, StandardCharsets.UTF_8), "/v3/watch"));
        return;
      }
      lines(content);
      fail(EtcdException.unreachable("the watch stream was ended by etcd", null));
    } catch (IOException | RuntimeException e) {
      fail(EtcdConnection.unreachable(e));
    } finally {
      close();
    }
  }

  private Socket connect() throws IOException {
    keepAlive(socket);
    socket.connect(
        new InetSocketAddress(endpoint.getHost(), port(endpoint)),
        (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
    if (ssl == null) {
      return socket;
    }
    SSLSocket tls =
        (SSLSocket)
            ssl.getSocketFactory().createSocket(socket, endpoint.getHost(), port(endpoint), true);
    SSLParameters parameters = tls.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS"); // etcd's certificate names this host
    parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
    tls.setSSLParameters(parameters);
    tls.startHandshake();
    return tls;
  }

  /** Turns TCP keepalive on, with this stream's timings where the platform lets us set them. */
  static void keepAlive(Socket s) throws IOException {
    s.setKeepAlive(true);
    set(s, ExtendedSocketOptions.TCP_KEEPIDLE, KEEPALIVE_IDLE);
    set(s, ExtendedSocketOptions.TCP_KEEPINTERVAL, KEEPALIVE_INTERVAL);
    set(s, ExtendedSocketOptions.TCP_KEEPCOUNT, KEEPALIVE_COUNT);
  }

  private static void set(Socket s, SocketOption<Integer> option, int value) throws IOException {
    if (s.supportedOptions().contains(option)) {
      s.setOption(option, value);
    }
  }

  /** Hands each line of the answer to the listener until the stream ends or is closed. */
  private void lines(InputStream content) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    int b;
    while (!done.get() && (b = content.read()) >= 0) {
      if (b != '\n') {
        line.write(b);
        continue;
      }
      String text = line.toString(StandardCharsets.UTF_8);
      line.reset();
      if (!text.isBlank() && !message(text)) {
        return;
      }
    }
  }

  /** Handles one line; false when it ended the stream (an error from etcd). */
  private boolean message(String line) {
    JsonNode message;
    try {
      message = EtcdJson.MAPPER.readTree(line);
    } catch (IOException e) {
      fail(EtcdException.unreachable("etcd sent a watch line that is not JSON: " + e, e));
      return false;
    }
    JsonNode error = message.get("error");
    if (error != null) {
      fail(
          EtcdException.answered(error.path("grpc_code").asInt(2), error.path("message").asText()));
      return false;
    }
    if (!done.get()) {
      listener.onResponse(message.path("result"));
    }
    return true;
  }

  private void fail(Throwable error) {
    if (done.compareAndSet(false, true)) {
      listener.onFailure(error);
    }
  }

  private static int status(String statusLine) throws IOException {
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      throw new IOException("not an HTTP answer: " + statusLine);
    }
    try {
      return Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException("not an HTTP answer: " + statusLine, e);
    }
  }

  /** Reads a CRLF-ended line of the head (ISO-8859-1), without its end. */
  static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        int end = sb.length();
        return end > 0 && sb.charAt(end - 1) == '\r' ? sb.substring(0, end - 1) : sb.toString();
      }
      sb.append((char) b);
    }
    throw new IOException("the connection closed in the middle of the answer's head");
  }

  /** An HTTP/1.1 chunked body, decoded. */
  static final class Chunked extends InputStream {
    private final InputStream in;
    private long left; // bytes left in the current chunk
    private boolean last;

    Chunked(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      if (!next()) {
        return -1;
      }
      int b = in.read();
      if (b < 0) {
        throw new IOException("the connection closed in the middle of a chunk");
      }
      left--;
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (length == 0) {
        return 0;
      }
      if (!next()) {
        return -1;
      }
      int n = in.read(buffer, offset, (int) Math.min(length, left));
      if (n < 0) {
        throw new IOException("the connection closed in the middle of a chunk");
      }
      left -= n;
      return n;
    }

    /** Moves to the next chunk when this one is used up; false at the end of the body. */
    private boolean next() throws IOException {
      while (left == 0 && !last) {
        String size = line(in);
        if (size.isEmpty()) {
          continue; // the CRLF after the previous chunk's data
        }
        int extension = size.indexOf(';');
        left = Long.parseLong((extension < 0 ? size : size.substring(0, extension)).trim(), 16);
        if (left == 0) {
          last = true; // trailers, if any, are not read: the stream ends here
        }
      }
      return !last;
    }
  }
}
