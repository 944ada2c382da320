package io.jflannel.core.lease;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip6;
import java.io.IOException;

/**
 * The Jackson serializer and deserializer for {@link LeaseAttrs}; see there for the format.
 *
 * <p>Hand-written rather than annotation-driven because the format has rules annotations cannot
 * express: a null IPv4 address written as {@code "0.0.0.0"}, a Java null left out but a JSON null
 * kept, and Go's case-insensitive, last-one-wins key matching.
 */
final class LeaseAttrsJson {

  private LeaseAttrsJson() {}

  /** Returns a mapper that writes compact JSON with Go's string escaping. */
  static ObjectMapper mapper() {
    ObjectMapper mapper = new ObjectMapper();
    mapper.getFactory().setCharacterEscapes(new GoJsonEscapes());
    mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    return mapper;
  }

  /** Writes upstream's field order and omission rules. */
  static final class Writer extends StdSerializer<LeaseAttrs> {

    Writer() {
      super(LeaseAttrs.class);
    }

    @Override
    public void serialize(LeaseAttrs attrs, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeStartObject();
      gen.writeStringField(
          "PublicIP", attrs.publicIp() == null ? Ip4.ANY.toString() : attrs.publicIp().toString());
      if (attrs.publicIpv6() == null) {
        gen.writeNullField("PublicIPv6");
      } else {
        gen.writeStringField("PublicIPv6", attrs.publicIpv6().toString());
      }
      if (!attrs.backendType().isEmpty()) {
        gen.writeStringField("BackendType", attrs.backendType());
      }
      // the kept text is compact JSON that this mapper wrote, Go escapes included
      if (attrs.backendDataJson() != null) {
        gen.writeFieldName("BackendData");
        gen.writeRawValue(attrs.backendDataJson());
      }
      if (attrs.backendV6DataJson() != null) {
        gen.writeFieldName("BackendV6Data");
        gen.writeRawValue(attrs.backendV6DataJson());
      }
      gen.writeEndObject();
    }
  }

  /** Reads keys in any letter case; the later of two equal keys wins. */
  static final class Reader extends StdDeserializer<LeaseAttrs> {

    Reader() {
      super(LeaseAttrs.class);
    }

    @Override
    public LeaseAttrs deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      if (!parser.isExpectedStartObjectToken()) {
        return (LeaseAttrs)
            context.handleUnexpectedToken(
                LeaseAttrs.class,
                parser.currentToken(),
                parser,
                "lease attributes must be a JSON object");
      }
      Ip4 publicIp = null;
      Ip6 publicIpv6 = null;
      String backendType = "";
      JsonNode backendData = null;
      JsonNode backendV6Data = null;
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        parser.nextToken();
        JsonNode value = context.readTree(parser);
        if (value == null) {
          value = NullNode.getInstance();
        }
        if (name.equalsIgnoreCase("PublicIP")) {
          publicIp = ip4(value, context);
        } else if (name.equalsIgnoreCase("PublicIPv6")) {
          publicIpv6 = ip6(value, context);
        } else if (name.equalsIgnoreCase("BackendType")) {
          if (!value.isNull() && !value.isTextual()) {
            return context.reportInputMismatch(
                LeaseAttrs.class, "BackendType must be a string, not " + value.getNodeType());
          }
          backendType = value.isNull() ? "" : value.textValue();
        } else if (name.equalsIgnoreCase("BackendData")) {
          backendData = value;
        } else if (name.equalsIgnoreCase("BackendV6Data")) {
          backendV6Data = value;
        }
      }
      if (token != JsonToken.END_OBJECT) {
        return context.reportInputMismatch(LeaseAttrs.class, "unexpected token " + token);
      }
      return new LeaseAttrs(publicIp, publicIpv6, backendType, backendData, backendV6Data);
    }

    private static Ip4 ip4(JsonNode value, DeserializationContext context) throws IOException {
      String text = addressText(value, "PublicIP", context);
      if (text == null) {
        return null;
      }
      try {
        Ip4 ip = Ip4.parse(text);
        return ip.isAny() ? null : ip;
      } catch (IllegalArgumentException e) {
        return context.reportInputMismatch(LeaseAttrs.class, "PublicIP: " + e.getMessage());
      }
    }

    private static Ip6 ip6(JsonNode value, DeserializationContext context) throws IOException {
      String text = addressText(value, "PublicIPv6", context);
      if (text == null) {
        return null;
      }
      try {
        return Ip6.parse(text);
      } catch (IllegalArgumentException e) {
        return context.reportInputMismatch(LeaseAttrs.class, "PublicIPv6: " + e.getMessage());
      }
    }

    private static String addressText(JsonNode value, String key, DeserializationContext context)
        throws IOException {
      if (value.isNull()) {
        return null;
      }
      if (!value.isTextual()) {
        return context.reportInputMismatch(
            LeaseAttrs.class, key + " must be a string, not " + value.getNodeType());
      }
      return value.textValue();
    }
  }
}
