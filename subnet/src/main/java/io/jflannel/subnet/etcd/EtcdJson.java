package io.jflannel.subnet.etcd;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * etcd's v3 messages in the JSON of its gateway (the protobuf messages of etcd's API in proto3's
 * JSON mapping with the proto field names): keys and values are base64, 64-bit integers are
 * strings, and fields with their default value (0, false, empty; an event's type PUT) are left out.
 *
 * <p>Requests are written as text (they are small and fixed in shape); answers are read with
 * Jackson, a range's keys one at a time from the stream, so that a listing of 50,000 leases is
 * never held as a tree. Stateless; the shared mapper is thread-safe.
 */
final class EtcdJson {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private static final Base64.Encoder ENCODER = Base64.getEncoder();
  private static final Base64.Decoder DECODER = Base64.getDecoder();

  private EtcdJson() {}

  /** A RangeRequest for {@code key}, or for every key under it with {@code prefix}. */
  static String range(String key, boolean prefix) {
    return "{" + keyRange(key, prefix) + "}";
  }

  /** A RangeRequest that counts {@code key} from the member's own copy (no consensus round). */
  static String countSerializable(String key) {
    return "{" + keyRange(key, false) + ",\"count_only\":true,\"serializable\":true}";
  }

  /** A DeleteRangeRequest for {@code key}. */
  static String deleteRange(String key) {
    return "{" + keyRange(key, false) + "}";
  }

  /**
   * A TxnRequest: if {@code target} of {@code key} equals {@code value} ({@code "VERSION"} or
   * {@code "CREATE"}), put {@code newValue} with {@code leaseId} (0: none).
   */
  static String putIf(String key, String target, long value, String newValue, long leaseId) {
    String field = target.equals("VERSION") ? "version" : "create_revision";
    return "{\"compare\":[{\"key\":\""
        + b64(key)
        + "\",\"target\":\""
        + target
        + "\",\"result\":\"EQUAL\",\""
        + field
        + "\":\""
        + value
        + "\"}],\"success\":[{\"request_put\":{\"key\":\""
        + b64(key)
        + "\",\"value\":\""
        + b64(newValue)
        + "\""
        + (leaseId == 0 ? "" : ",\"lease\":\"" + leaseId + "\"")
        + "}}]}";
  }

  /** A LeaseGrantRequest for a TTL of {@code seconds}. */
  static String grant(long seconds) {
    return "{\"TTL\":\"" + seconds + "\"}";
  }

  /** A request naming lease {@code id} (revoke, time to live). */
  static String lease(long id) {
    return "{\"ID\":\"" + id + "\"}";
  }

  /** An AuthenticateRequest. */
  static String authenticate(String name, String password) {
    return "{\"name\":" + quote(name) + ",\"password\":" + quote(password) + "}";
  }

  /**
   * A WatchRequest creating a watch of {@code key} (or every key under it) from revision {@code
   * from}, with progress notifications.
   */
  static String watch(String key, boolean prefix, long from) {
    return "{\"create_request\":{"
        + keyRange(key, prefix)
        + ",\"start_revision\":\""
        + from
        + "\",\"progress_notify\":true}}";
  }

  /** Reads a RangeResponse from {@code in}, keys one at a time. */
  static EtcdStore.Listing listing(InputStream in) throws IOException {
    long revision = 0;
    List<EtcdStore.Entry> entries = new ArrayList<>();
    try (JsonParser parser = MAPPER.getFactory().createParser(in)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("etcd's range answer is not a JSON object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (field.equals("header")) {
          revision = number(MAPPER.readTree(parser), "revision");
        } else if (field.equals("kvs") && value == JsonToken.START_ARRAY) {
          while (parser.nextToken() == JsonToken.START_OBJECT) {
            entries.add(entry(MAPPER.readTree(parser)));
          }
        } else {
          parser.skipChildren();
        }
      }
    }
    return new EtcdStore.Listing(revision, entries);
  }

  private static String decode(String base64) {
    return new String(DECODER.decode(base64), StandardCharsets.UTF_8);
  }

  /** The key-value of a range answer or a watch event. */
  static EtcdStore.Entry entry(JsonNode kv) {
    return new EtcdStore.Entry(
        text(kv, "key"),
        text(kv, "value"),
        number(kv, "lease"),
        number(kv, "create_revision"),
        number(kv, "mod_revision"));
  }

  /** The events of a WatchResponse's {@code result}. */
  static List<EtcdStore.Event> events(JsonNode result) {
    JsonNode events = result.path("events");
    List<EtcdStore.Event> out = new ArrayList<>(events.size());
    for (JsonNode event : events) {
      out.add(
          new EtcdStore.Event(
              event.path("type").asText("PUT").equals("DELETE"), entry(event.path("kv"))));
    }
    return out;
  }

  /** The revision in the {@code header} of an answer. */
  static long revision(JsonNode answer) {
    return number(answer.path("header"), "revision");
  }

  /** A 64-bit integer field (a string in etcd's JSON), 0 when left out. */
  static long number(JsonNode node, String field) {
    return node.path(field).asLong(0);
  }

  /** A bytes field as UTF-8 text, empty when left out. */
  static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null ? "" : decode(value.asText());
  }

  /** The first key after every key that starts with {@code prefix}: etcd's range end. */
  static byte[] prefixEnd(byte[] prefix) {
    byte[] end = Arrays.copyOf(prefix, prefix.length);
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xff) {
        end[i]++;
        return Arrays.copyOf(end, i + 1);
      }
    }
    return new byte[] {0}; // all 0xff: to the end of the key space
  }

  private static String keyRange(String key, boolean prefix) {
    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
    String range = "\"key\":\"" + ENCODER.encodeToString(bytes) + "\"";
    return prefix
        ? range + ",\"range_end\":\"" + ENCODER.encodeToString(prefixEnd(bytes)) + "\""
        : range;
  }

  private static String b64(String s) {
    return ENCODER.encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String quote(String s) {
    try {
      return MAPPER.writeValueAsString(s);
    } catch (IOException e) {
      throw new IllegalStateException("a string cannot fail to serialize", e);
    }
  }
}
