package io.jflannel.subnet.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * Lists all Nodes page by page ({@code GET /api/v1/nodes?limit=N&continue=...}), reading each page
 * as a stream with {@link NodeListReader}, so that neither a page nor the list is ever held whole.
 *
 * <p>Requests go through the fabric8 client's own HTTP client, so the same TLS, token, token
 * refresh and kubeconfig settings apply as to every other request of the manager. The first page
 * carries no {@code resourceVersion}: that is a consistent read, which the API server pages (with
 * {@code resourceVersion=0} it may serve the whole list from its watch cache and ignore {@code
 * limit}). Every page of one list is the same snapshot; its resourceVersion is what to watch from.
 *
 * <p>Hazard: a continue token expires with etcd's compaction (about 5 minutes); the API server then
 * answers 410 Gone and the whole list must start again, which the caller does ({@link Gone}).
 *
 * <p>Thread-safety: one list at a time per instance (no state is kept between calls, but callers
 * must not interleave the items of two lists). The client is borrowed.
 */
final class NodeLister {

  /** Items per page: client-go's default page size; about 7 MiB of JSON with 15 KB Nodes. */
  static final int DEFAULT_PAGE_SIZE = 500;

  private static final int MAX_ERROR_BODY = 300;

  private final HttpClient http;
  private final String nodesUrl;
  private final int pageSize;

  /** The API server said 410 Gone: the continue token expired; list again from the start. */
  static final class Gone extends IOException {
    private static final long serialVersionUID = 1L;

    Gone(String message) {
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
    String continueToken = null;
    String resourceVersion;
    do {
      String url = nodesUrl + "?limit=" + pageSize;
      if (continueToken != null) {
        url += "&continue=" + URLEncoder.encode(continueToken, StandardCharsets.UTF_8);
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
    HttpRequest request =
        http.newHttpRequestBuilder().uri(url).header("Accept", "application/json").build();
    HttpResponse<InputStream> response;
    try {
      response = http.sendAsync(request, InputStream.class).get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IOException("GET " + url + ": " + cause, cause);
    } catch (CancellationException e) {
      throw new IOException("GET " + url + ": cancelled", e);
    }
    try (InputStream body = response.body()) {
      int code = response.code();
      if (code == HttpURLConnection.HTTP_GONE) {
        throw new Gone("GET " + url + ": 410 Gone: " + errorText(body));
      }
      if (!response.isSuccessful()) {
        throw new HttpError(code, "GET " + url + ": HTTP " + code + ": " + errorText(body));
      }
      return NodeListReader.read(body, each);
    }
  }

  private static String errorText(InputStream body) {
    if (body == null) {
      return "(no body)";
    }
    try {
      byte[] head = body.readNBytes(MAX_ERROR_BODY);
      return new String(head, StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
    } catch (IOException e) {
      return "(body unreadable: " + e.getMessage() + ")";
    }
  }
}
