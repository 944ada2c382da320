package io.jflannel.subnet.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Lists all Nodes page by page ({@code GET /api/v1/nodes?limit=N&continue=...}), reading each page
 * as a stream with {@link NodeListReader}, so that neither a page nor the list is ever held whole.
 *
 * <p>Requests go through the fabric8 client's own HTTP client, so the same TLS, token, token
 * refresh and kubeconfig settings apply as to every other request of the manager. Two kinds of
 * list:
 *
 * <ul>
 *   <li>{@linkplain #list(Consumer, boolean) from the watch cache} ({@code resourceVersion=0}), as
 *       client-go's reflector (and so upstream flanneld) lists first: the API server answers from
 *       its watch cache, the whole list in one response whatever the {@code limit}, without a read
 *       of its etcd. The answer may be a little behind the latest write; the watch from its
 *       resourceVersion brings what follows. Measured against a real API server: BENCHMARKS.md.
 *   <li>consistent ({@link #list(Consumer)}, no {@code resourceVersion}): the latest state, read
 *       from etcd, which the API server pages. Used for every later list, so that a re-list can
 *       never show an older state than the one already delivered.
 * </ul>
 *
 * Every page of one list is the same snapshot; its resourceVersion is what to watch from. A
 * continue request never carries a {@code resourceVersion} (the API server refuses both).
 *
 * <p>Hazard: a continue token expires with etcd's compaction (about 5 minutes); the API server then
 * answers 410 Gone and the whole list must start again, which the caller does ({@link Gone}).
 *
 * <p>A page gets the client's request timeout ({@code Config.requestTimeout}, 10 s by default), as
 * every other request of the manager: for its response headers, and then for every wait on its
 * body. A body that delivers nothing for that long is closed and the page fails ({@link Stalled}),
 * so a half-open connection cannot hold the list, and with it the watch, forever. A timeout of 0
 * means none, as in fabric8.
 *
 * <p>Thread-safety: one list at a time per instance (no state is kept between calls, but callers
 * must not interleave the items of two lists). The client is borrowed.
 */
final class NodeLister {

  /** Items per page: client-go's default page size; about 7 MiB of JSON with 15 KB Nodes. */
  static final int DEFAULT_PAGE_SIZE = 500;

  private static final int MAX_ERROR_BODY = 300;

  /** Enough for a whole protobuf Status, whose message is what the error says. */
  private static final int MAX_ERROR_READ = 4096;

  /**
   * Protobuf first, as kubelet and the controllers ask: the API server encodes it about twice as
   * fast as JSON, and the reader steps over what flannel does not use ({@link NodeProtoReader});
   * JSON for a server that has no protobuf (fabric8's mock, a proxy).
   */
  static final String ACCEPT = NodeProtoReader.MEDIA_TYPE + ", application/json";

  private final HttpClient http;
  private final String nodesUrl;
  private final int pageSize;
  private final long timeoutMillis; // 0: none

  /** The API server said 410 Gone: the continue token expired; list again from the start. */
  static final class Gone extends IOException {
    private static final long serialVersionUID = 1L;

    Gone(String message) {
      super(message);
    }
  }

  /** A page's body delivered nothing within the request timeout; it was closed. */
  static final class Stalled extends IOException {
    private static final long serialVersionUID = 1L;

    Stalled(String message) {
      super(message);
    }
  }

  /** The API server answered with an HTTP error. */
  static final class HttpError extends IOException {
    private static final long serialVersionUID = 1L;
    private final int code;

    HttpError(int code, String message) {
      super(message);
      this.code = code;
    }

    int code() {
      return code;
    }
  }

  NodeLister(KubernetesClient client, int pageSize) {
    if (pageSize < 1) {
      throw new IllegalArgumentException("page size must be positive: " + pageSize);
    }
    this.http = client.getHttpClient();
    String master = client.getMasterUrl().toString();
    this.nodesUrl = (master.endsWith("/") ? master : master + "/") + "api/v1/nodes";
    this.pageSize = pageSize;
    Integer timeout = client.getConfiguration().getRequestTimeout();
    this.timeoutMillis = timeout == null ? 0 : Math.max(0, timeout);
  }

  /**
   * Lists every Node, handing each (slim, see {@link NodeListReader}) to {@code each} as it is
   * read. Returns the list's resourceVersion.
   *
   * @throws Gone if a continue token expired; nothing is wrong, start again
   * @throws HttpError if the API server answered another error status (e.g. 403: the ClusterRole
   *     lacks list on nodes)
   * @throws IOException if the connection failed or a page is not a NodeList
   */
  String list(Consumer<Node> each) throws IOException, InterruptedException {
    return list(each, false);
  }

  /**
   * As {@link #list(Consumer)}; with {@code fromWatchCache}, the first request asks for {@code
   * resourceVersion=0}, which the API server serves from its watch cache (see the class comment).
   */
  String list(Consumer<Node> each, boolean fromWatchCache)
      throws IOException, InterruptedException {
    String continueToken = null;
    String resourceVersion;
    do {
      String url = nodesUrl + "?limit=" + pageSize;
      if (continueToken != null) {
        url += "&continue=" + URLEncoder.encode(continueToken, StandardCharsets.UTF_8);
      } else if (fromWatchCache) {
        url += "&resourceVersion=0";
      }
      NodeListReader.Page page = page(url, each);
      resourceVersion = page.resourceVersion();
      continueToken = page.last() ? null : page.continueToken();
    } while (continueToken != null);
    if (resourceVersion == null || resourceVersion.isEmpty()) {
      throw new IOException("GET " + nodesUrl + ": the node list has no metadata.resourceVersion");
    }
    return resourceVersion;
  }

  private NodeListReader.Page page(String url, Consumer<Node> each)
      throws IOException, InterruptedException {
    HttpRequest.Builder builder = http.newHttpRequestBuilder().uri(url).header("Accept", ACCEPT);
    if (timeoutMillis > 0) {
      builder.timeout(timeoutMillis, TimeUnit.MILLISECONDS);
    }
    HttpRequest request = builder.build();
    HttpResponse<InputStream> response;
    try {
      response = http.sendAsync(request, InputStream.class).get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IOException("GET " + url + ": " + cause, cause);
    } catch (CancellationException e) {
      throw new IOException("GET " + url + ": cancelled", e);
    }
    try (Guarded body = new Guarded(response.body(), timeoutMillis)) {
      int code = response.code();
      try {
        if (code == HttpURLConnection.HTTP_GONE) {
          throw new Gone("GET " + url + ": 410 Gone: " + errorText(body));
        }
        if (!response.isSuccessful()) {
          throw new HttpError(code, "GET " + url + ": HTTP " + code + ": " + errorText(body));
        }
        if (NodeProtoReader.isProtobuf(response.header("Content-Type"))) {
          return NodeProtoReader.read(body, each);
        }
        return NodeListReader.read(body, each);
      } catch (IOException | RuntimeException e) {
        if (body.stalled) {
          throw new Stalled(
              "GET "
                  + url
                  + ": no data from the API server for "
                  + timeoutMillis
                  + " ms (the request timeout); closed the response to list again");
        }
        throw e;
      }
    }
  }

  /**
   * A response body that closes itself when no byte arrives for one whole timeout period: a check
   * every period, on the JDK's delay thread, compares the bytes read with the last check's, so a
   * stall is caught between one and two periods after the last byte. The checks end with close.
   */
  private static final class Guarded extends FilterInputStream {
    private static final Executor INLINE = Runnable::run;

    private final long timeoutMillis;
    private volatile long bytes; // written by the reader thread only
    private volatile boolean closed;
    private volatile boolean stalled;
    private long seen; // the check's own state: bytes read at the last check

    Guarded(InputStream in, long timeoutMillis) {
      super(in == null ? InputStream.nullInputStream() : in);
      this.timeoutMillis = timeoutMillis;
      arm();
    }

    private void arm() {
      if (timeoutMillis > 0 && !closed) {
        CompletableFuture.delayedExecutor(timeoutMillis, TimeUnit.MILLISECONDS, INLINE)
            .execute(this::check);
      }
    }

    private void check() {
      if (closed) {
        return;
      }
      long now = bytes;
      if (now != seen) {
        seen = now;
        arm();
        return;
      }
      stalled = true;
      try {
        in.close(); // wakes a read blocked on the body
      } catch (IOException e) {
        // the reader sees the closed stream either way
      }
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        bytes++;
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = in.read(buffer, offset, length);
      if (n > 0) {
        bytes += n;
      }
      return n;
    }

    @Override
    public void close() throws IOException {
      closed = true;
      in.close();
    }
  }

  private static String errorText(InputStream body) {
    if (body == null) {
      return "(no body)";
    }
    try {
      byte[] head = body.readNBytes(MAX_ERROR_READ);
      String status = NodeProtoReader.statusMessage(head);
      String text =
          status != null
              ? status
              : new String(head, 0, Math.min(head.length, MAX_ERROR_BODY), StandardCharsets.UTF_8);
      return text.replaceAll("\\s+", " ").strip();
    } catch (IOException e) {
      return "(body unreadable: " + e.getMessage() + ")";
    }
  }
}
