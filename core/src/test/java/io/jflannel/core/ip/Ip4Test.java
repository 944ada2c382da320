package io.jflannel.core.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ip4Test {

  private final ObjectMapper mapper = new ObjectMapper();

  @Test
  void parsesDottedQuadIntoBigEndianBits() {
    assertThat(Ip4.parse("10.244.0.1").value()).isEqualTo(0x0AF40001);
    assertThat(Ip4.parseInt("192.168.64.3")).isEqualTo(0xC0A84003);
  }

  @Test
  void parsesAndFormatsTheExtremes() {
    assertThat(Ip4.parse("0.0.0.0")).isEqualTo(Ip4.ANY);
    assertThat(Ip4.parse("0.0.0.0").isAny()).isTrue();
    assertThat(Ip4.parse("255.255.255.255").value()).isEqualTo(-1);
    assertThat(new Ip4(-1)).hasToString("255.255.255.255");
    assertThat(Ip4.format(0)).isEqualTo("0.0.0.0");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "1.2.3",
        "1.2.3.4.5",
        "256.0.0.1",
        "1.2.3.256",
        "1.2.3.1000",
        "01.2.3.4",
        "1.2.3.04",
        "1..3.4",
        ".1.2.3",
        "1.2.3.",
        " 1.2.3.4",
        "1.2.3.4 ",
        "+1.2.3.4",
        "-1.2.3.4",
        "a.b.c.d",
        "localhost",
        "example.com",
        "::1",
        "::ffff:1.2.3.4",
        "1.2.3.4/24",
        "١.٢.٣.٤"
      })
  void rejectsAnythingButFourDecimalOctets(String text) {
    assertThatThrownBy(() -> Ip4.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not an IPv4 address");
  }

  @Test
  void rejectsNullWithAClearMessage() {
    assertThatThrownBy(() -> Ip4.parse(null)).hasMessage("IPv4 address is missing");
  }

  @Test
  void quotesGarbageOnOneShortLine() {
    assertThatThrownBy(() -> Ip4.parse("x\ny".repeat(100)))
        .hasMessageStartingWith("\"x\\u000ay")
        .hasMessageNotContaining("\n")
        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(200));
  }

  @Test
  void roundTripsThroughNetworkOrderBytes() {
    Ip4 ip = Ip4.parse("10.244.255.1");
    assertThat(ip.toBytes()).containsExactly(10, (byte) 244, (byte) 255, 1);
    assertThat(Ip4.fromBytes(ip.toBytes())).isEqualTo(ip);
    assertThatThrownBy(() -> Ip4.fromBytes(new byte[16]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ordersUnsigned() {
    assertThat(Ip4.parse("128.0.0.0")).isGreaterThan(Ip4.parse("127.255.255.255"));
    assertThat(Ip4.parse("255.255.255.255")).isGreaterThan(Ip4.parse("0.0.0.0"));
  }

  @Test
  void serialisesAsAJsonString() throws Exception {
    assertThat(mapper.writeValueAsString(Ip4.parse("10.1.2.3"))).isEqualTo("\"10.1.2.3\"");
    assertThat(mapper.readValue("\"10.1.2.3\"", Ip4.class)).isEqualTo(Ip4.parse("10.1.2.3"));
  }
}
