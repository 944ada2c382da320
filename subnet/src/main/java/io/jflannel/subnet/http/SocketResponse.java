package io.jflannel.subnet.http;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.StandardHttpHeaders;
import io.fabric8.kubernetes.client.http.StandardHttpRequest;
import io.jflannel.subnet.http.IdleConnections.Connection;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One request of a {@link SocketHttpClient} and its answer, on the request's own thread: the
 * answer's status and headers, and its body as fabric8 asks for it.
 *
 * <p>Mechanism: {@link #exchange} sends the request and reads the head, completes the response,
 * then reads the body in pieces of up to {@value #PIECE} bytes; each piece waits, read, until
 * fabric8 has asked for one more ({@link #consume()}), then goes to the consumer on this thread.
 * The end of the body completes {@link #done()} whether asked for or not. {@link #cancel()} closes
 * the connection, which ends a blocked read. A body read to its end leaves its connection for the
 * next request; a cancelled or broken one closes it.
 *
 * <p>Thread-safe: {@link #consume()} and {@link #cancel()} may come from any thread.
 */
final class SocketResponse extends StandardHttpHeaders
    implements HttpResponse<AsyncBody>, AsyncBody {

  static final int PIECE = 1 << 14;

  private final StandardHttpRequest request;
  private final int code;
  private final Connection connection;
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final Object lock = new Object();
  private long demand; // guarded by lock
  private boolean cancelled; // guarded by lock

  private SocketResponse(
      StandardHttpRequest request, Http1Answer.Head head, Connection connection) {
    super(head.headers());
    this.request = request;
    this.code = head.status();
    this.connection = connection;
  }

  /** Runs {@code request} on the calling thread; see the class comment. */
  static void exchange(
      SocketHttpClient client,
      StandardHttpRequest request,
      AsyncBody.Consumer<List<ByteBuffer>> consumer,
      CompletableFuture<HttpResponse<AsyncBody>> answer) {
    Connection c;
    Http1Answer.Head head;
    try {
      c = client.connection(request.uri());
    } catch (IOException | RuntimeException e) {
      answer.completeExceptionally(e);
      return;
    }
    try {
      c.socket().setSoTimeout(SocketHttpClient.timeoutMillis(request));
      SocketHttpClient.write(c.out(), request, "");
      head = Http1Answer.head(c.in());
      c.socket().setSoTimeout(0);
    } catch (IOException | RuntimeException e) {
      c.close();
      answer.completeExceptionally(e);
      return;
    }
    SocketResponse response = new SocketResponse(request, head, c);
    boolean empty =
        request.method().equals("HEAD")
            || head.status() / 100 == 1
            || head.status() == 204
            || head.status() == 304;
    InputStream content = empty ? InputStream.nullInputStream() : Http1Answer.content(c.in(), head);
    answer.complete(response);
    if (response.pump(content, consumer)) {
      if (!head.close() && (empty || head.bounded())) {
        client.release(c); // before done: the next request may follow at once
      } else {
        c.close();
      }
      response.done.complete(null);
    } else {
      c.close();
    }
  }

  /**
   * Reads the body to the consumer; whether it was read to its end (else {@link #done} has failed
   * or was cancelled).
   */
  private boolean pump(InputStream content, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    try {
      while (true) {
        byte[] piece = new byte[PIECE];
        int n = content.read(piece);
        if (n < 0) {
          return true;
        }
        if (!awaitDemand()) {
          return false;
        }
        consumer.consume(List.of(ByteBuffer.wrap(piece, 0, n)), this);
      }
    } catch (Exception e) {
      done.completeExceptionally(e);
      return false;
    }
  }

  /** Waits until a piece is asked for and takes the request; false once cancelled. */
  private boolean awaitDemand() throws InterruptedException {
    synchronized (lock) {
      while (demand == 0 && !cancelled) {
        lock.wait();
      }
      if (cancelled) {
        return false;
      }
      demand--;
      return true;
    }
  }

  @Override
  public void consume() {
    synchronized (lock) {
      demand++;
      lock.notifyAll();
    }
  }

  @Override
  public CompletableFuture<Void> done() {
    return done;
  }

  @Override
  public void cancel() {
    synchronized (lock) {
      cancelled = true;
      lock.notifyAll();
    }
    done.cancel(false);
    connection.close();
  }

  @Override
  public int code() {
    return code;
  }

  @Override
  public AsyncBody body() {
    return this;
  }

  @Override
  public HttpRequest request() {
    return request;
  }

  @Override
  public Optional<HttpResponse<?>> previousResponse() {
    return Optional.empty();
  }
}
