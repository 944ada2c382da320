package io.jflannel.subnet.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class DerTest {

  private static final HexFormat HEX = HexFormat.of();

  @Test
  void encodesObjectIdentifiersAsX690AndReadsThemBack() {
    // ecPublicKey and prime256v1 as they appear in every EC key file
    assertThat(HEX.formatHex(Der.oid("1.2.840.10045.2.1"))).isEqualTo("06072a8648ce3d0201");
    assertThat(HEX.formatHex(Der.oid("1.2.840.10045.3.1.7"))).isEqualTo("06082a8648ce3d030107");
    assertThat(HEX.formatHex(Der.oid("1.3.101.112"))).isEqualTo("06032b6570");
    for (String oid : List.of("1.2.840.113549.1.1.1", "1.3.132.0.34", "2.999.1")) {
      assertThat(Der.dotted(readOne(Der.oid(oid)))).isEqualTo(oid);
    }
  }

  @Test
  void writesShortAndLongLengthsInTheShortestForm() throws Exception {
    assertThat(HEX.formatHex(Der.write(Der.NULL))).isEqualTo("0500");
    assertThat(HEX.formatHex(Der.write(Der.INTEGER, new byte[] {0}))).isEqualTo("020100");
    assertThat(HEX.formatHex(Der.write(Der.OCTET_STRING, new byte[127])).substring(0, 4))
        .isEqualTo("047f");
    assertThat(HEX.formatHex(Der.write(Der.OCTET_STRING, new byte[128])).substring(0, 6))
        .isEqualTo("048180");
    assertThat(HEX.formatHex(Der.write(Der.OCTET_STRING, new byte[300])).substring(0, 8))
        .isEqualTo("0482012c");
    byte[] big = new byte[70_000];
    big[69_999] = 7;
    Der.Element element = Der.read(Der.write(Der.OCTET_STRING, big));
    assertThat(element.tag()).isEqualTo(Der.OCTET_STRING);
    assertThat(element.contents()).isEqualTo(big);
  }

  @Test
  void readsTheElementsOfASequence() throws Exception {
    byte[] sequence =
        Der.write(
            Der.SEQUENCE,
            Der.write(Der.INTEGER, new byte[] {1}),
            Der.write(Der.context(0), Der.oid("1.2.840.10045.3.1.7")));
    List<Der.Element> children = Der.read(sequence).children();
    assertThat(children).extracting(Der.Element::tag).containsExactly(Der.INTEGER, 0xa0);
    assertThat(children.get(0).sameAs(new byte[] {2, 1, 1})).isTrue();
    assertThat(Der.dotted(children.get(1).children().get(0))).isEqualTo("1.2.840.10045.3.1.7");
  }

  @Test
  void refusesWhatIsNotDer() {
    assertThatThrownBy(() -> Der.read(new byte[] {0x30, 0x05, 0x02, 0x01}))
        .isInstanceOf(Der.MalformedException.class)
        .hasMessageContaining("longer than the data");
    assertThatThrownBy(() -> Der.read(new byte[] {0x30, (byte) 0x80, 0, 0}))
        .hasMessageContaining("indefinite");
    assertThatThrownBy(() -> Der.read(new byte[] {0x1f, 0x01, 0x00}))
        .hasMessageContaining("multi-byte");
    assertThatThrownBy(() -> Der.read(new byte[] {0x05, 0x00, 0x05, 0x00}))
        .hasMessage("expected one DER element, found 2");
    assertThatThrownBy(() -> Der.read(new byte[] {0x30})).hasMessageContaining("cut off");
  }

  private static Der.Element readOne(byte[] bytes) {
    try {
      return Der.read(bytes);
    } catch (Der.MalformedException e) {
      throw new AssertionError(e);
    }
  }
}
