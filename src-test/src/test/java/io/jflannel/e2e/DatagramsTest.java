package io.jflannel.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DatagramsTest {

  @Test
  void checksumsTheTextbookHeader() {
    // 192.168.0.1 -> 192.168.0.199, UDP, total length 0x73: checksum 0xb861
    byte[] header = {
      0x45,
      0,
      0,
      0x73,
      0,
      0,
      0x40,
      0,
      0x40,
      0x11,
      0,
      0,
      (byte) 192,
      (byte) 168,
      0,
      1,
      (byte) 192,
      (byte) 168,
      0,
      (byte) 199
    };
    assertThat(Datagrams.checksum(header, 0, 20)).isEqualTo(0xb861);
  }

  @Test
  void buildsIpv4UdpPacketWhoseHeaderVerifies() {
    byte[] payload = "hello".getBytes(StandardCharsets.US_ASCII);
    byte[] p = Datagrams.ipv4Udp("10.244.2.2", "10.244.1.2", 4242, 5353, payload);

    assertThat(p).hasSize(20 + 8 + 5);
    assertThat(p[0]).isEqualTo((byte) 0x45);
    assertThat(((p[2] & 0xff) << 8) | (p[3] & 0xff)).as("total length").isEqualTo(33);
    assertThat(p[9]).as("protocol").isEqualTo((byte) 17);
    assertThat(Datagrams.checksum(p, 0, 20)).as("checksum over a correct header").isZero();
    assertThat(new byte[] {p[12], p[13], p[14], p[15]}).containsExactly(10, (byte) 244, 2, 2);
    assertThat(((p[22] & 0xff) << 8) | (p[23] & 0xff)).as("destination port").isEqualTo(5353);
    assertThat(((p[24] & 0xff) << 8) | (p[25] & 0xff)).as("UDP length").isEqualTo(13);
    assertThat(new String(p, 28, 5, StandardCharsets.US_ASCII)).isEqualTo("hello");
  }
}
