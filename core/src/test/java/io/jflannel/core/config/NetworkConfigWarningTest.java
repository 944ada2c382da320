package io.jflannel.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Checks the warning for a config without Backend; slf4j-simple (the test binding) writes to
 * whatever {@code System.err} is at the time of the call, so the test swaps it briefly.
 */
class NetworkConfigWarningTest {

  @Test
  void warnsThatUdpWasChosenAndHowToSetTheBackend() throws Exception {
    String logged = stderrDuring("{\"Network\": \"10.244.0.0/16\"}");

    assertThat(logged)
        .contains("WARN")
        .contains("network config has no Backend, so the udp backend is used")
        .contains("set \"Backend\": {\"Type\": \"vxlan\"}");
  }

  @Test
  void staysQuietWhenTheBackendIsSet() throws Exception {
    String logged =
        stderrDuring("{\"Network\": \"10.244.0.0/16\", \"Backend\": {\"Type\": \"vxlan\"}}");

    assertThat(logged).isEmpty();
  }

  private static String stderrDuring(String json) throws ConfigException {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      NetworkConfig.parse(json);
    } finally {
      System.setErr(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
