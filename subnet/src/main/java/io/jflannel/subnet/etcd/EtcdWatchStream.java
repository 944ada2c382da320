package io.jflannel.subnet.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import io.jflannel.subnet.http.Http1Answer;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;

/**
 * One etcd watch stream: a {@code POST /v3/watch} whose answer is a line of JSON per WatchResponse,
 * for as long as the watch lasts, on a connection of its own ({@link Http1}). Each line's {@code
 * result} goes to the listener's {@link Listener#onResponse}; the first failure, or the end of the
 * stream, to {@link Listener#onFailure}, once, and nothing after it.
 *
 * <p>A watch of a quiet prefix receives nothing for minutes, so a connection that died without a
 * word (a peer host gone, a NAT or firewall that forgot it) would look the same as a quiet one. The
 * socket has TCP keepalive on ({@link #KEEPALIVE_IDLE}, then {@link #KEEPALIVE_COUNT} probes {@link
 * #KEEPALIVE_INTERVAL} apart), so the kernel ends such a connection within about 45 s and the watch
 * resumes on a new one, as jetcd's gRPC keepalive (30 s, 10 s timeout) did before.
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
  private final String token;
  private final String body;
  private final Duration connectTimeout;
  private final Listener listener;
  private final AtomicBoolean done = new AtomicBoolean();
  private volatile Socket socket;

  private EtcdWatchStream(
      URI endpoint,
      SSLContext ssl,
      String token,
      String body,
      Duration connectTimeout,
      Listener listener) {
    this.endpoint = endpoint;
    this.ssl = ssl;
    this.token = token;
    this.body = body;
    this.connectTimeout = connectTimeout;
    this.listener = listener;
  }

  /**
   * Opens a watch stream to {@code endpoint} (e.g. {@code https://10.0.0.1:2379}) on a thread of
   * its own and returns at once.
   *
   * @param ssl the TLS context for an https endpoint
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
    EtcdWatchStream stream =
        new EtcdWatchStream(endpoint, ssl, token, body, connectTimeout, listener);
    Thread t = new Thread(stream::run, "jflannel-etcd-watch-stream");
    t.setDaemon(true);
    t.start();
    return stream;
  }

  /** Whether the stream has failed, ended or been closed. */
  boolean isDone() {
    return done.get();
  }

  @Override
  public void close() {
    done.set(true);
    closeSocket();
  }

  private void closeSocket() {
    Socket s = socket;
    if (s != null) {
      try {
        s.close();
      } catch (IOException e) {
        // closing: nothing to report
      }
    }
  }

  private void run() {
    try {
      socket = Http1.open(endpoint, ssl, connectTimeout, true);
      if (done.get()) {
        return; // closed while connecting
      }
      socket.setSoTimeout(0); // quiet for minutes is normal; keepalive ends a dead connection
      Http1.write(socket.getOutputStream(), endpoint, "/v3/watch", token, body, true);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      Http1Answer.Head head = Http1Answer.head(in);
      InputStream content = Http1Answer.content(in, head);
      if (head.status() != 200) {
        fail(
            EtcdConnection.httpError(
                head.status(),
                new String(content.readAllBytes(), StandardCharsets.UTF_8),
                "/v3/watch"));
        return;
      }
      lines(content);
      fail(EtcdException.unreachable("the watch stream was ended by etcd", null));
    } catch (IOException | RuntimeException e) {
      fail(EtcdConnection.unreachable(e));
    } finally {
      done.set(true);
      closeSocket();
    }
  }

  /** Hands each line of the answer to the listener until the stream ends or is closed. */
  private void lines(InputStream content) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    byte[] buffer = new byte[8192];
    int n;
    while (!done.get() && (n = content.read(buffer, 0, buffer.length)) >= 0) {
      int start = 0;
      for (int i = 0; i < n; i++) {
        if (buffer[i] != '\n') {
          continue;
        }
        line.write(buffer, start, i - start);
        start = i + 1;
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (!text.isBlank() && !message(text)) {
          return;
        }
      }
      line.write(buffer, start, n - start);
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
}
