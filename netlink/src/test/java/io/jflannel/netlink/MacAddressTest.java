package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressTest {
  @Test
  void parsesColonSeparatedHexAndPrintsItLowerCase() {
    MacAddress m = MacAddress.parse("5E:AA:bb:cc:DD:02");
    assertThat(m.value()).isEqualTo(0x5eaabbccdd02L);
    assertThat(m).hasToString("5e:aa:bb:cc:dd:02");
  }

  @Test
  void parsesDashSeparatedHex() {
    assertThat(MacAddress.parse("5e-aa-bb-cc-dd-02"))
        .isEqualTo(MacAddress.parse("5e:aa:bb:cc:dd:02"));
  }

  @Test
  void bytesAreInWireOrderAndRoundTrip() {
    MacAddress m = MacAddress.parse("5e:aa:bb:cc:dd:02");
    assertThat(m.bytes()).containsExactly(0x5e, 0xaa, 0xbb, 0xcc, 0xdd, 0x02);
    assertThat(MacAddress.of(m.bytes())).isEqualTo(m);
    assertThat(MacAddress.of(new byte[] {(byte) 0xff, -1, -1, -1, -1, -1}))
        .hasToString("ff:ff:ff:ff:ff:ff");
    assertThat(MacAddress.of(new byte[6])).hasToString("00:00:00:00:00:00");
  }

  @Test
  void bytesIsACopy() {
    MacAddress m = MacAddress.parse("0e:00:00:00:00:01");
    m.bytes()[0] = 9;
    assertThat(m).hasToString("0e:00:00:00:00:01");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "5e:aa:bb:cc:dd",
        "5e:aa:bb:cc:dd:02:03",
        "5e:aa:bb:cc:dd:0g",
        "5e:aa:bb:cc:dd:2",
        "5e:aa:bb:cc:dd:002",
        "5eaabbccdd02",
        "5e:aa:bb:cc:dd:+2",
        "5e:aa:bb:cc:dd:02:"
      })
  void rejectsAnythingButSixTwoDigitHexGroups(String s) {
    assertThatThrownBy(() -> MacAddress.parse(s)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsOtherByteCountsAndValuesWiderThan48Bits() {
    assertThatThrownBy(() -> MacAddress.of(new byte[5]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MacAddress.of(new byte[8]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MacAddress(1L << 48)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MacAddress(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
