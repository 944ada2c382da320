package io.jflannel.daemon.memory;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one LIST of all Nodes costs in the heap, two ways, for {@code BENCHMARKS.md}: {@code
 * fabric8} as the kube subnet manager's informer does it (the whole response as a byte array, then
 * the whole NodeList), and {@code stream} (the response read as a stream, one Node at a time, each
 * reduced to what a lease needs: name, pod CIDR, flannel annotations). Not a test; run with the
 * daemon's JVM flags against {@link MockApiServerMain} and read the process's peak RSS.
 *
 * <p>Usage: {@code ListFootprintMain --url=http://127.0.0.1:6443 --mode=fabric8|stream}
 */
public final class ListFootprintMain {
  private ListFootprintMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (String a : args) {
      opts.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
    }
    String url = opts.getOrDefault("url", "http://127.0.0.1:6443");
    long start = System.nanoTime();
    Map<String, String> kept = new HashMap<>(); // name -> "podCIDR public-ip backend-data"
    if (opts.getOrDefault("mode", "fabric8").equals("fabric8")) {
      try (KubernetesClient client =
          new KubernetesClientBuilder()
              .withConfig(new ConfigBuilder().withMasterUrl(url).build())
              .build()) {
        List<Node> items = client.nodes().list().getItems();
        items.forEach(n -> keep(kept, n));
      }
    } else {
      ObjectMapper json = new ObjectMapper();
      HttpResponse<InputStream> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url + "/api/v1/nodes?resourceVersion=0"))
                      .build(),
                  HttpResponse.BodyHandlers.ofInputStream());
      try (JsonParser p = json.getFactory().createParser(r.body())) {
        while (p.nextToken() != null) {
          if (p.currentToken() == JsonToken.FIELD_NAME
              && p.currentName().equals("items")
              && p.getParsingContext().getParent().inRoot()) {
            p.nextToken(); // START_ARRAY
            while (p.nextToken() == JsonToken.START_OBJECT) {
              keep(kept, json.readValue(p, Node.class));
            }
          }
        }
      }
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    System.gc();
    Runtime rt = Runtime.getRuntime();
    System.out.printf(
        "mode=%s nodes=%d ms=%d heap-used-after-gc=%.1fMiB heap-committed=%.1fMiB%n",
        opts.getOrDefault("mode", "fabric8"),
        kept.size(),
        ms,
        (rt.totalMemory() - rt.freeMemory()) / 1048576.0,
        rt.totalMemory() / 1048576.0);
  }

  private static void keep(Map<String, String> kept, Node n) {
    Map<String, String> a = n.getMetadata().getAnnotations();
    kept.put(
        n.getMetadata().getName(),
        n.getSpec().getPodCIDR()
            + " "
            + a.get("flannel.alpha.coreos.com/public-ip")
            + " "
            + a.get("flannel.alpha.coreos.com/backend-data"));
  }
}
