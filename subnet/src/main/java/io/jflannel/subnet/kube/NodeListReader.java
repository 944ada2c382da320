package io.jflannel.subnet.kube;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads one page of a {@code NodeList} (the body of {@code GET /api/v1/nodes}) from a stream, one
 * Node at a time, keeping of each only what a lease needs: {@code metadata.name}, {@code
 * metadata.resourceVersion}, {@code metadata.annotations}, {@code spec.podCIDR} and {@code
 * spec.podCIDRs}. Everything else (status, images, managedFields: 95% of a real Node) is skipped
 * token by token and never becomes an object.
 *
 * <p>Why: fabric8 reads a list response as one {@code byte[]} and then a whole {@code NodeList},
 * about 5× the JSON in heap at once: 384 MiB for 5,000 Nodes of 15 KB. Read this way, the heap
 * holds the parser's buffer and one slim Node, whatever the size of the page.
 *
 * <p>The slim Nodes handed out are fabric8 model objects, so {@link NodeProjector} reads list items
 * and watch events the same way; they must not be written back to the API server (they lack all the
 * rest). Stateless and thread-safe.
 */
final class NodeListReader {

  private static final JsonFactory JSON = new JsonFactory();

  /**
   * What a page says about the list as a whole.
   *
   * @param resourceVersion {@code metadata.resourceVersion}: the list's snapshot, to watch from
   * @param continueToken {@code metadata.continue}: the next page's token; null or empty on the
   *     last
   * @param items the number of items read
   */
  record Page(String resourceVersion, String continueToken, int items) {

    boolean last() {
      return continueToken == null || continueToken.isEmpty();
    }
  }

  private NodeListReader() {}

  /**
   * Reads one page, handing each item to {@code each} as soon as it has been read. Does not close
   * {@code in}.
   *
   * @throws IOException if the stream fails or is not a NodeList
   */
  static Page read(InputStream in, Consumer<Node> each) throws IOException {
    try (JsonParser p = JSON.createParser(in)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("node list: expected a JSON object, got " + p.currentToken());
      }
      String kind = null;
      String resourceVersion = null;
      String continueToken = null;
      int items = 0;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "kind" -> kind = p.getValueAsString();
          case "metadata" -> {
            if (value == JsonToken.START_OBJECT) {
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                  case "resourceVersion" -> resourceVersion = p.getValueAsString();
                  case "continue" -> continueToken = p.getValueAsString();
                  default -> p.skipChildren();
                }
              }
            }
          }
          case "items" -> {
            if (value == JsonToken.START_ARRAY) {
              while (p.nextToken() == JsonToken.START_OBJECT) {
                each.accept(node(p));
                items++;
              }
              expect(p, JsonToken.END_ARRAY, "items");
            } else {
              p.skipChildren();
            }
          }
          default -> p.skipChildren();
        }
      }
      expect(p, JsonToken.END_OBJECT, "the list");
      // "List": what fabric8's mock API server answers; a real one says NodeList
      if (kind != null && !kind.equals("NodeList") && !kind.equals("List")) {
        throw new IOException("node list: the API server answered a " + kind + ", not a NodeList");
      }
      return new Page(resourceVersion, continueToken, items);
    }
  }

  private static void expect(JsonParser p, JsonToken token, String where) throws IOException {
    if (p.currentToken() != token) {
      throw new IOException(
          "node list: unexpected "
              + p.currentToken()
              + " in "
              + where
              + " at "
              + p.currentLocation());
    }
  }

  /** Reads the Node whose START_OBJECT is the current token, up to and including its END_OBJECT. */
  private static Node node(JsonParser p) throws IOException {
    ObjectMeta metadata = new ObjectMeta();
    NodeSpec spec = new NodeSpec();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if (value != JsonToken.START_OBJECT) {
        p.skipChildren();
      } else if (field.equals("metadata")) {
        metadata(p, metadata);
      } else if (field.equals("spec")) {
        spec(p, spec);
      } else {
        p.skipChildren();
      }
    }
    Node node = new Node();
    node.setMetadata(metadata);
    node.setSpec(spec);
    return node;
  }

  private static void metadata(JsonParser p, ObjectMeta metadata) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "name" -> metadata.setName(p.getValueAsString());
        case "resourceVersion" -> metadata.setResourceVersion(p.getValueAsString());
        case "annotations" -> metadata.setAnnotations(stringMap(p, value));
        default -> p.skipChildren();
      }
    }
  }

  private static void spec(JsonParser p, NodeSpec spec) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "podCIDR" -> spec.setPodCIDR(p.getValueAsString());
        case "podCIDRs" -> spec.setPodCIDRs(stringList(p, value));
        default -> p.skipChildren();
      }
    }
  }

  private static Map<String, String> stringMap(JsonParser p, JsonToken value) throws IOException {
    if (value != JsonToken.START_OBJECT) {
      p.skipChildren();
      return null;
    }
    Map<String, String> map = new HashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken v = p.nextToken();
      if (v.isStructStart()) {
        p.skipChildren(); // not a string: the API server never sends one; ignore it
      } else {
        map.put(key, v == JsonToken.VALUE_NULL ? null : p.getText());
      }
    }
    return map;
  }

  private static List<String> stringList(JsonParser p, JsonToken value) throws IOException {
    if (value != JsonToken.START_ARRAY) {
      p.skipChildren();
      return null;
    }
    List<String> list = new ArrayList<>(2);
    JsonToken v;
    while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
      if (v.isStructStart()) {
        p.skipChildren();
      } else {
        list.add(v == JsonToken.VALUE_NULL ? null : p.getText());
      }
    }
    return list;
  }
}
