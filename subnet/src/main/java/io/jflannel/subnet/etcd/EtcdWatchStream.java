package io.jflannel.subnet.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One etcd watch stream: a {@code POST /v3/watch} whose answer is a line of JSON per WatchResponse,
 * for as long as the watch lasts. Each line's {@code result} goes to the listener's {@link
 * Listener#onResponse}; the first failure, or the end of the stream, to {@link Listener#onFailure},
 * once, and nothing after it.
 *
 * <p>Callbacks arrive on the HTTP client's threads, one at a time. {@link #close} cancels the
 * stream, which closes its connection (etcd then drops the watcher), and stops the callbacks.
 * Thread-safe.
 */
final class EtcdWatchStream implements AutoCloseable {

  /** What a watch stream reports to. */
  interface Listener {

    /** A WatchResponse: created, progress, events, or canceled (by etcd, e.g. compaction). */
    void onResponse(JsonNode result);

    /** The stream failed or ended; called once, last. */
    void onFailure(Throwable error);
  }

  private final Listener listener;
  private final AtomicBoolean done = new AtomicBoolean();
  private volatile Flow.Subscription subscription;
  private volatile CompletableFuture<?> exchange;

  private EtcdWatchStream(Listener listener) {
    this.listener = listener;
  }

  /** Sends {@code request} and streams its answer to {@code listener}. */
  static EtcdWatchStream open(HttpClient http, HttpRequest request, Listener listener) {
    EtcdWatchStream stream = new EtcdWatchStream(listener);
    stream.exchange =
        http.sendAsync(request, stream::subscriber)
            .whenComplete(
                (response, error) ->
                    stream.fail(
                        error != null
                            ? EtcdConnection.unreachable(error)
                            : EtcdException.unreachable(
                                "the watch stream was ended by etcd", null)));
    return stream;
  }

  private HttpResponse.BodySubscriber<Void> subscriber(HttpResponse.ResponseInfo info) {
    if (info.statusCode() != 200) {
      return BodySubscribers.mapping(
          BodySubscribers.ofString(StandardCharsets.UTF_8),
          body -> {
            fail(EtcdConnection.httpError(info.statusCode(), body, "/v3/watch"));
            return null;
          });
    }
    return BodySubscribers.fromLineSubscriber(new Lines());
  }

  /** Whether the stream has failed, ended or been closed. */
  boolean isDone() {
    return done.get();
  }

  @Override
  public void close() {
    done.set(true);
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
    CompletableFuture<?> e = exchange;
    if (e != null) {
      e.cancel(true);
    }
  }

  private void fail(Throwable error) {
    if (done.compareAndSet(false, true)) {
      listener.onFailure(error);
    }
  }

  /** The answer's lines: one WatchResponse, or one error, each. */
  private final class Lines implements Flow.Subscriber<String> {

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (done.get()) {
        s.cancel();
      } else {
        s.request(Long.MAX_VALUE);
      }
    }

    @Override
    public void onNext(String line) {
      if (done.get() || line.isBlank()) {
        return;
      }
      JsonNode message;
      try {
        message = EtcdJson.MAPPER.readTree(line);
      } catch (IOException e) {
        fail(EtcdException.unreachable("etcd sent a watch line that is not JSON: " + e, e));
        return;
      }
      JsonNode error = message.get("error");
      if (error != null) {
        fail(
            EtcdException.answered(
                error.path("grpc_code").asInt(2), error.path("message").asText()));
        return;
      }
      listener.onResponse(message.path("result"));
    }

    @Override
    public void onError(Throwable error) {
      fail(EtcdConnection.unreachable(error));
    }

    @Override
    public void onComplete() {
      fail(EtcdException.unreachable("the watch stream was ended by etcd", null));
    }
  }
}
