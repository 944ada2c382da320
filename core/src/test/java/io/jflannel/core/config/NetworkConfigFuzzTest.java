package io.jflannel.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Feeds 10,000 random and garbled configs to {@link NetworkConfig#parse}: whatever the input, the
 * result is a config or a {@link ConfigException} with a one-line message, never another exception.
 */
class NetworkConfigFuzzTest {

  private static final long SEED = 0x5eed_f1a7L;
  private static final int CASES = 10_000;

  private static final List<String> VALID =
      List.of(
          "{\"Network\": \"10.244.0.0/16\", \"Backend\": {\"Type\": \"vxlan\"}}",
          "{\"Network\": \"10.244.0.0/16\", \"EnableNFTables\": false, \"Backend\": {\"Type\":"
              + " \"vxlan\", \"VNI\": 1, \"Port\": 8472}}",
          "{\"Network\": \"10.3.0.0/16\", \"SubnetMin\": \"10.3.5.0\", \"SubnetMax\":"
              + " \"10.3.8.0\", \"SubnetLen\": 28, \"Backend\": {\"Type\": \"host-gw\"}}",
          "{\"EnableIPv6\": true, \"IPv6Network\": \"fc00::/48\", \"IPv6SubnetMin\":"
              + " \"fc00:0:0:1::\", \"IPv6SubnetMax\": \"fc00:0:0:f::\", \"IPv6SubnetLen\": 124,"
              + " \"EnableIPv4\": false, \"Backend\": {\"Type\": \"vxlan\"}}",
          "{\"Network\": \"10.244.0.0/16\", \"EnableIPv6\": true, \"IPv6Network\":"
              + " \"2001:cafe:42::/56\", \"Backend\": {\"Type\": \"wireguard\"}}");

  private static final List<String> KEYS =
      List.of(
          "Network",
          "SubnetLen",
          "SubnetMin",
          "SubnetMax",
          "EnableIPv4",
          "EnableIPv6",
          "IPv6Network",
          "IPv6SubnetLen",
          "IPv6SubnetMin",
          "IPv6SubnetMax",
          "EnableNFTables",
          "Backend",
          "Type",
          "Other");

  private static final List<String> VALUES =
      List.of(
          "\"10.244.0.0/16\"",
          "\"10.244.1.0/24\"",
          "\"10.244.1.5/16\"",
          "\"0.0.0.0/0\"",
          "\"255.255.255.255/32\"",
          "\"10.244.3.0\"",
          "\"0.0.0.0\"",
          "\"fc00::/48\"",
          "\"fc00::/127\"",
          "\"::/0\"",
          "\"fc00:0:0:1::\"",
          "\"::\"",
          "\"vxlan\"",
          "\"\"",
          "\"\\u0000\"",
          "\"\\ud800\"",
          "0",
          "1",
          "-1",
          "24",
          "30",
          "31",
          "64",
          "126",
          "127",
          "128",
          "4294967296",
          "18446744073709551616",
          "1e400",
          "-0",
          "0.5",
          "true",
          "false",
          "null",
          "[]",
          "{}",
          "{\"Type\": \"vxlan\"}",
          "{\"type\": 5}",
          "[[[[[[[[[[]]]]]]]]]]");

  private static final String ALPHABET = "{}[]:,\"\\/.-+eE0123456789abcdfnrstuxyz \n\t\u00e9\u2028";

  @Test
  void randomInputYieldsAConfigOrAConfigExceptionOnly() {
    Random random = new Random(SEED);
    int configs = 0;
    int errors = 0;
    for (int i = 0; i < CASES; i++) {
      String json =
          switch (i % 4) {
            case 0 -> mutate(random, VALID.get(random.nextInt(VALID.size())));
            case 1 -> randomObject(random);
            case 2 -> randomTokens(random);
            default -> randomChars(random);
          };
      try {
        NetworkConfig.parse(json);
        configs++;
      } catch (ConfigException e) {
        assertThat(e.getMessage()).isNotBlank().doesNotContain("\n", "\r");
        errors++;
      } catch (RuntimeException | StackOverflowError e) {
        fail("case " + i + " (seed " + SEED + ") threw " + e + " for input: " + json, e);
      }
    }
    assertThat(configs).as("valid configs among the cases").isPositive();
    assertThat(errors).as("rejected configs among the cases").isPositive();
  }

  @Test
  void deeplyNestedInputIsRejectedCleanly() {
    String deep = "{\"Backend\": " + "[".repeat(100_000) + "]".repeat(100_000) + "}";
    try {
      NetworkConfig.parse(deep);
      fail("accepted a 100,000-deep array as Backend");
    } catch (ConfigException e) {
      assertThat(e.getMessage()).doesNotContain("\n");
    }
  }

  private static String mutate(Random random, String json) {
    StringBuilder out = new StringBuilder(json);
    int edits = 1 + random.nextInt(4);
    for (int k = 0; k < edits && out.length() > 0; k++) {
      int at = random.nextInt(out.length());
      switch (random.nextInt(3)) {
        case 0 -> out.deleteCharAt(at);
        case 1 -> out.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        default -> out.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
    }
    return out.toString();
  }

  private static String randomObject(Random random) {
    StringBuilder out = new StringBuilder("{");
    int fields = random.nextInt(6);
    for (int k = 0; k < fields; k++) {
      if (k > 0) {
        out.append(',');
      }
      String key = KEYS.get(random.nextInt(KEYS.size()));
      key = random.nextBoolean() ? key : key.toUpperCase(Locale.ROOT);
      out.append('"').append(key).append("\": ");
      out.append(VALUES.get(random.nextInt(VALUES.size())));
    }
    return out.append('}').toString();
  }

  private static String randomTokens(Random random) {
    StringBuilder out = new StringBuilder();
    int tokens = random.nextInt(20);
    for (int k = 0; k < tokens; k++) {
      switch (random.nextInt(5)) {
        case 0 -> out.append('{');
        case 1 -> out.append('}');
        case 2 -> out.append(random.nextBoolean() ? ':' : ',');
        case 3 -> out.append('"').append(KEYS.get(random.nextInt(KEYS.size()))).append('"');
        default -> out.append(VALUES.get(random.nextInt(VALUES.size())));
      }
    }
    return out.toString();
  }

  private static String randomChars(Random random) {
    StringBuilder out = new StringBuilder();
    int length = random.nextInt(40);
    for (int k = 0; k < length; k++) {
      out.append(
          random.nextInt(4) == 0
              ? (char) random.nextInt(0x10000)
              : ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return out.toString();
  }
}
