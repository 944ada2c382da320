package io.jflannel.core.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Ip6Test {

  private final ObjectMapper mapper = new ObjectMapper();

  @ParameterizedTest(name = "{0} prints as {1}")
  @CsvSource({
    "::, ::",
    "0:0:0:0:0:0:0:0, ::",
    "::1, ::1",
    "1::, 1::",
    "fc00::, fc00::",
    "FC00:0000:0000:0000:0000:0000:0000:0000, fc00::",
    "2001:cafe:42::, 2001:cafe:42::",
    "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
    "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
    "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
    "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
    "fc00:0:0:1::, fc00:0:0:1::",
    "fc00:0:0:ffff::, fc00:0:0:ffff::",
    "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0",
    "::2:3:4:5:6:7:8, 0:2:3:4:5:6:7:8",
    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "::ffff:10.1.2.3, ::ffff:10.1.2.3",
    "64:ff9b::192.0.2.33, 64:ff9b::c000:221",
    "::10.1.2.3, ::a01:203"
  })
  void printsLikeGo(String text, String expected) {
    Ip6 ip = Ip6.parse(text);
    assertThat(ip).hasToString(expected);
    assertThat(Ip6.parse(expected)).isEqualTo(ip);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        ":",
        ":::",
        "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7:8::",
        "::1:2:3:4:5:6:7:8",
        "1::2::3",
        "12345::",
        "g::",
        ":1::",
        "1::2:",
        "1:2:3:4:5:6:7:8:",
        "fe80::1%eth0",
        "1.2.3.4",
        "::1.2.3",
        "::1.2.3.4.5",
        "1:2:3:4:5:6:7:1.2.3.4",
        " ::1",
        "::1 ",
        "fc00::/48",
        "localhost",
        "１::"
      })
  void rejectsMalformedAddresses(String text) {
    assertThatThrownBy(() -> Ip6.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not an IPv6 address");
  }

  @Test
  void holdsTheBitsInTwoLongs() {
    Ip6 ip = Ip6.parse("2001:db8::ff");
    assertThat(ip.high()).isEqualTo(0x20010db800000000L);
    assertThat(ip.low()).isEqualTo(0xffL);
    assertThat(Ip6.parse("::").isAny()).isTrue();
  }

  @Test
  void roundTripsThroughBytesAndBigInteger() {
    Ip6 ip = Ip6.parse("ffff:2001:db8::1");
    assertThat(Ip6.fromBytes(ip.toBytes())).isEqualTo(ip);
    assertThat(ip.toBytes()[0]).isEqualTo((byte) 0xff);
    assertThat(ip.toBytes()[15]).isEqualTo((byte) 1);
    assertThat(Ip6.fromBigInteger(ip.toBigInteger())).isEqualTo(ip);
    assertThat(ip.toBigInteger().signum()).isPositive();
    assertThat(Ip6.fromBigInteger(BigInteger.ONE)).isEqualTo(Ip6.parse("::1"));
    assertThatThrownBy(() -> Ip6.fromBigInteger(BigInteger.ONE.shiftLeft(128)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Ip6.fromBytes(new byte[4]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ordersUnsigned() {
    assertThat(Ip6.parse("8000::")).isGreaterThan(Ip6.parse("7fff::"));
    assertThat(Ip6.parse("::8000:0:0:0")).isGreaterThan(Ip6.parse("::7fff:0:0:0"));
    assertThat(Ip6.parse("1::")).isGreaterThan(Ip6.parse("0:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
  }

  @Test
  void serialisesAsAJsonString() throws Exception {
    Ip6 ip = Ip6.parse("2001:cafe:42::1");
    assertThat(mapper.writeValueAsString(ip)).isEqualTo("\"2001:cafe:42::1\"");
    assertThat(mapper.readValue("\"2001:cafe:42::1\"", Ip6.class)).isEqualTo(ip);
  }
}
