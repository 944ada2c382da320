package io.jflannel.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.ip.Ip6Net;
import java.io.IOException;
import java.math.BigInteger;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads the JSON text of a network config into a {@link RawConfig} the way Go's {@code
 * encoding/json} fills flannel's {@code subnet.Config}.
 *
 * <p>Keys match case-insensitively, unknown keys are ignored, and when a key appears twice the
 * later value wins; that is why the object is read field by field from a streaming parser instead
 * of through a tree, which would keep the first position of a duplicated key. A {@code null} value
 * counts as an absent key. Values of the wrong JSON type are errors, as in Go: {@code "SubnetLen":
 * "24"} and {@code "SubnetLen": 24.0} are both rejected.
 */
final class NetConfReader {

  static final String EXAMPLE =
      "{\"Network\": \"10.244.0.0/16\", \"Backend\": {\"Type\": \"vxlan\"}}";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Jackson's way of naming a position inside a message, e.g. an unclosed object's start. */
  private static final Pattern SOURCE =
      Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]");

  /** The top-level keys flannel's Config struct reads, in its declaration order. */
  private enum Key {
    ENABLE_IPV4("EnableIPv4"),
    ENABLE_IPV6("EnableIPv6"),
    NETWORK("Network"),
    IPV6_NETWORK("IPv6Network"),
    SUBNET_MIN("SubnetMin"),
    SUBNET_MAX("SubnetMax"),
    IPV6_SUBNET_MIN("IPv6SubnetMin"),
    IPV6_SUBNET_MAX("IPv6SubnetMax"),
    SUBNET_LEN("SubnetLen"),
    IPV6_SUBNET_LEN("IPv6SubnetLen"),
    ENABLE_NFTABLES("EnableNFTables"),
    BACKEND("Backend");

    final String json;

    Key(String json) {
      this.json = json;
    }

    static Key match(String name) {
      for (Key key : values()) {
        if (key.json.equalsIgnoreCase(name)) {
          return key;
        }
      }
      return null;
    }
  }

  private NetConfReader() {}

  /**
   * Reads the JSON text of a network config; a JSON error names its line and column and the fix.
   */
  static RawConfig read(String json) throws ConfigException {
    if (json == null) {
      throw new ConfigException(
          "the network config is missing; write a JSON object like " + EXAMPLE);
    }
    if (json.startsWith("\uFEFF")) {
      json = json.substring(1); // a byte order mark some editors add; Go would reject it
    }
    RawConfig raw = new RawConfig();
    JsonParser parser;
    try {
      parser = MAPPER.createParser(json);
    } catch (IOException e) {
      throw new ConfigException(
          "the network config could not be read: " + Messages.oneLine(e.getMessage()), e);
    }
    try (parser) {
      readObject(parser, raw);
    } catch (StreamConstraintsException e) {
      throw new ConfigException(
          "the network config exceeds the JSON parser's limits: "
              + Messages.oneLine(e.getOriginalMessage())
              + " "
              + where(parser.currentLocation())
              + "; shorten it",
          e);
    } catch (JsonProcessingException e) {
      throw new ConfigException(
          "the network config is not valid JSON: "
              + Messages.oneLine(
                  SOURCE
                      .matcher(String.valueOf(e.getOriginalMessage()))
                      .replaceAll("line $1, column $2"))
              + " "
              + where(e.getLocation() != null ? e.getLocation() : parser.currentLocation())
              + "; fix the syntax, e.g. "
              + EXAMPLE,
          e);
    } catch (IOException e) {
      // reading from a String performs no I/O, so this is a parser fault
      throw new ConfigException(
          "the network config could not be read: " + Messages.oneLine(e.getMessage()), e);
    }
    return raw;
  }

  /**
   * Reads the one JSON object the text must hold into {@code raw}, key by key, so that the last of
   * a duplicated key wins; anything after the object's closing brace is an error.
   */
  private static void readObject(JsonParser parser, RawConfig raw)
      throws ConfigException, IOException {
    JsonToken token = parser.nextToken();
    if (token == null) {
      throw new ConfigException("the network config is empty; write a JSON object like " + EXAMPLE);
    }
    if (token != JsonToken.START_OBJECT) {
      JsonNode value = MAPPER.readTree(parser);
      throw new ConfigException(
          "the network config must be a JSON object, not "
              + Messages.describe(value)
              + "; write it like "
              + EXAMPLE);
    }
    while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      parser.nextToken();
      JsonNode value = MAPPER.readTree(parser);
      Key key = Key.match(name);
      if (key != null && value != null && !value.isNull()) {
        set(raw, key, value);
      }
    }
    if (parser.nextToken() != null) {
      throw new ConfigException(
          "the network config has more JSON after its closing '}' "
              + where(parser.currentTokenLocation())
              + "; remove it so the config is exactly one JSON object");
    }
  }

  private static void set(RawConfig raw, Key key, JsonNode value) throws ConfigException {
    switch (key) {
      case ENABLE_IPV4 -> raw.enableIPv4 = bool(key, value);
      case ENABLE_IPV6 -> raw.enableIPv6 = bool(key, value);
      case ENABLE_NFTABLES -> raw.enableNFTables = bool(key, value);
      case NETWORK ->
          raw.network = text(key, value, Ip4Net::parse, "an IPv4 CIDR like 10.244.0.0/16");
      case IPV6_NETWORK ->
          raw.ipv6Network = text(key, value, Ip6Net::parse, "an IPv6 CIDR like fc00::/48");
      case SUBNET_MIN -> raw.subnetMin = text(key, value, Ip4::parse, "an IPv4 address");
      case SUBNET_MAX -> raw.subnetMax = text(key, value, Ip4::parse, "an IPv4 address");
      case IPV6_SUBNET_MIN -> raw.ipv6SubnetMin = text(key, value, Ip6::parse, "an IPv6 address");
      case IPV6_SUBNET_MAX -> raw.ipv6SubnetMax = text(key, value, Ip6::parse, "an IPv6 address");
      case SUBNET_LEN -> raw.subnetLen = unsigned(key, value);
      case IPV6_SUBNET_LEN -> raw.ipv6SubnetLen = unsigned(key, value);
      case BACKEND -> raw.backend = backend(value);
    }
  }

  private static boolean bool(Key key, JsonNode value) throws ConfigException {
    if (!value.isBoolean()) {
      throw new ConfigException(
          key.json
              + " must be true or false, not "
              + Messages.describe(value)
              + "; write \""
              + key.json
              + "\": true or \""
              + key.json
              + "\": false");
    }
    return value.booleanValue();
  }

  private static BigInteger unsigned(Key key, JsonNode value) throws ConfigException {
    if (!value.isIntegralNumber() || value.bigIntegerValue().signum() < 0) {
      throw new ConfigException(
          key.json
              + " must be a whole number of prefix bits, not "
              + Messages.describe(value)
              + "; write it without quotes or decimals, e.g. \""
              + key.json
              + "\": "
              + (key == Key.SUBNET_LEN ? "24" : "64"));
    }
    return value.bigIntegerValue();
  }

  private static <T> T text(Key key, JsonNode value, Function<String, T> parse, String what)
      throws ConfigException {
    if (!value.isTextual()) {
      throw new ConfigException(
          key.json + " must be a string holding " + what + ", not " + Messages.describe(value));
    }
    try {
      return parse.apply(value.textValue());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key.json + ": " + e.getMessage(), e);
    }
  }

  private static ObjectNode backend(JsonNode value) throws ConfigException {
    if (!value.isObject()) {
      throw new ConfigException(
          "Backend must be a JSON object, not "
              + Messages.describe(value)
              + "; write it like \"Backend\": {\"Type\": \"vxlan\"}");
    }
    return (ObjectNode) value;
  }

  private static String where(JsonLocation location) {
    if (location == null || location.getLineNr() < 1) {
      return "(position unknown)";
    }
    return "at line " + location.getLineNr() + ", column " + location.getColumnNr();
  }

  /** Returns a new empty JSON object, the Backend of a config that has none. */
  static ObjectNode emptyObject() {
    return MAPPER.createObjectNode();
  }

  /** Returns the value of the Backend's {@code Type} key (any letter case, last one wins). */
  static JsonNode backendTypeNode(ObjectNode backend) {
    JsonNode type = NullNode.getInstance();
    for (var field : backend.properties()) {
      if ("Type".equalsIgnoreCase(field.getKey())) {
        type = field.getValue();
      }
    }
    return type;
  }
}
