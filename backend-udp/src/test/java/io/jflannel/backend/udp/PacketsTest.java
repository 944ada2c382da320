package io.jflannel.backend.udp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PacketsTest {
  private static final int A = 0x0af40105; // 10.244.1.5
  private static final int B = 0x0af40209; // 10.244.2.9

  /** The packet copied into a big-endian buffer at offset 7, as the loops see slots. */
  private static ByteBuffer at7(byte[] p) {
    ByteBuffer b = ByteBuffer.allocate(p.length + 16);
    b.put(7, p);
    return b;
  }

  private static byte[] back(ByteBuffer b, int len) {
    byte[] out = new byte[len];
    b.get(7, out);
    return out;
  }

  @Test
  void checkAcceptsIpv4AndNamesWhatIsWrongOtherwise() {
    assertThat(Packets.check(at7(Ipv4.echoRequest(A, B, 64)), 7, 36)).isEqualTo(Packets.OK);
    assertThat(Packets.check(at7(new byte[19]), 7, 19)).isEqualTo(Packets.TOO_SHORT);
    byte[] v6 = new byte[40];
    v6[0] = 0x60;
    assertThat(Packets.check(at7(v6), 7, 40)).isEqualTo(Packets.NOT_IPV4);
    byte[] shortIhl = Ipv4.echoRequest(A, B, 64);
    shortIhl[0] = 0x44;
    assertThat(Packets.check(at7(shortIhl), 7, 36)).isEqualTo(Packets.BAD_HEADER);
    byte[] longIhl = Ipv4.echoRequest(A, B, 64);
    longIhl[0] = 0x4f; // 60-byte header in a 36-byte packet
    assertThat(Packets.check(at7(longIhl), 7, 36)).isEqualTo(Packets.BAD_HEADER);
  }

  @Test
  void decrementsTtlAndPatchesTheChecksumOfTheRfc1071SampleHeader() {
    // the classic sample header: 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7
    byte[] h =
        HexFormat.of().parseHex("450000730000400040 11b861c0a80001c0a800c7".replace(" ", ""));
    assertThat(Ipv4.verifies(h, 0, 20)).isTrue();
    ByteBuffer b = at7(h);

    assertThat(Packets.decrementTtl(b, 7)).isTrue();

    byte[] out = back(b, 20);
    assertThat(out[8]).isEqualTo((byte) 0x3f);
    assertThat(Ipv4.get16(out, 10)).isEqualTo(0xb961);
    assertThat(Ipv4.verifies(out, 0, 20)).isTrue();
  }

  @Test
  void incrementalChecksumMatchesAFullRecomputeForRandomHeaders() {
    Random random = new Random(42);
    for (int i = 0; i < 100_000; i++) {
      byte[] h = new byte[20];
      random.nextBytes(h);
      h[0] = 0x45;
      h[8] = (byte) (2 + random.nextInt(254));
      Ipv4.put16(h, 10, 0);
      Ipv4.put16(h, 10, Ipv4.checksum(h, 0, 20));
      ByteBuffer b = at7(h);

      assertThat(Packets.decrementTtl(b, 7)).isTrue();

      byte[] out = back(b, 20);
      byte[] expected = h.clone();
      expected[8]--;
      Ipv4.put16(expected, 10, 0);
      Ipv4.put16(expected, 10, Ipv4.checksum(expected, 0, 20));
      assertThat(out).as("header %s", HexFormat.of().formatHex(h)).isEqualTo(expected);
    }
  }

  @Test
  void ttlOfOneOrZeroIsDroppedAndLeftUntouched() {
    for (int ttl : new int[] {0, 1}) {
      byte[] p = Ipv4.echoRequest(A, B, ttl);
      ByteBuffer b = at7(p);
      assertThat(Packets.decrementTtl(b, 7)).isFalse();
      assertThat(back(b, p.length)).isEqualTo(p);
    }
  }

  @Test
  void checksumOfOddLengthPadsWithZero() {
    byte[] odd = {0x01, 0x02, 0x03};
    assertThat(Packets.checksum(at7(odd), 7, 3)).isEqualTo(Ipv4.checksum(odd, 0, 3));
    assertThat(Packets.checksum(at7(odd), 7, 3)).isEqualTo(~(0x0102 + 0x0300) & 0xffff);
  }

  @Test
  void netUnreachableQuotesTheOffenderWithValidChecksums() {
    byte[] offender = Ipv4.udp(A, B, 63, 0x4000);
    ByteBuffer out = ByteBuffer.allocate(Packets.MAX_UNREACHABLE);

    int n = Packets.netUnreachable(at7(offender), 7, offender.length, B, out);

    assertThat(n).isEqualTo(20 + 8 + 20 + 8);
    byte[] r = new byte[n];
    out.get(0, r);
    assertThat(r[0]).isEqualTo((byte) 0x45);
    assertThat(Ipv4.get16(r, 2)).isEqualTo(n);
    assertThat(Ipv4.get16(r, 4)).isZero(); // id
    assertThat(Ipv4.get16(r, 6)).isZero(); // no DF, no fragment
    assertThat(r[8]).isEqualTo((byte) 8); // ttl, as upstream
    assertThat(r[9]).isEqualTo((byte) 1); // ICMP
    assertThat(Ipv4.get32(r, 12)).isEqualTo(B);
    assertThat(Ipv4.get32(r, 16)).isEqualTo(A);
    assertThat(Ipv4.verifies(r, 0, 20)).isTrue();
    assertThat(r[20]).isEqualTo((byte) 3); // destination unreachable
    assertThat(r[21]).isEqualTo((byte) 0); // net unreachable
    assertThat(Ipv4.get32(r, 24)).isZero();
    assertThat(Ipv4.verifies(r, 20, n - 20)).isTrue();
    byte[] quoted = new byte[28];
    System.arraycopy(r, 28, quoted, 0, 28);
    byte[] head = new byte[28];
    System.arraycopy(offender, 0, head, 0, 28);
    assertThat(quoted).isEqualTo(head);
  }

  @Test
  void netUnreachableIsByteForByteTheReplyComputedOutsideJava() {
    // expected bytes computed with a separate Python script (struct + RFC 1071 sum)
    byte[] offender = Ipv4.udp(A, B, 63, 0);
    ByteBuffer out = ByteBuffer.allocate(Packets.MAX_UNREACHABLE);

    int n = Packets.netUnreachable(at7(offender), 7, offender.length, B, out);

    byte[] r = new byte[n];
    out.get(0, r);
    assertThat(HexFormat.of().formatHex(r))
        .isEqualTo(
            "4500003800000000080199d00af402090af40105"
                + "030060aa00000000"
                + "45000020123400003f1150a40af401050af402099c400009000c0000");
  }

  @Test
  void netUnreachableQuotesHeaderOptionsAndShortPacketsAsTheyAre() {
    byte[] withOptions = new byte[24 + 12];
    byte[] plain = Ipv4.udp(A, B, 63, 0);
    System.arraycopy(plain, 0, withOptions, 0, 20);
    System.arraycopy(plain, 20, withOptions, 24, 12);
    withOptions[0] = 0x46;
    withOptions[20] = 1; // NOP options
    ByteBuffer out = ByteBuffer.allocate(Packets.MAX_UNREACHABLE);
    assertThat(Packets.netUnreachable(at7(withOptions), 7, 36, B, out)).isEqualTo(28 + 24 + 8);

    byte[] tiny = Ipv4.packet(A, B, 63, 17, 0, new byte[3]);
    int n = Packets.netUnreachable(at7(tiny), 7, tiny.length, B, out);
    assertThat(n).isEqualTo(28 + 23);
    byte[] r = new byte[n];
    out.get(0, r);
    assertThat(Ipv4.verifies(r, 20, n - 20)).isTrue();
  }

  @Test
  void noNetUnreachableAboutIcmpOrALaterFragmentButForAFirstFragment() {
    ByteBuffer out = ByteBuffer.allocate(Packets.MAX_UNREACHABLE);
    byte[] icmp = Ipv4.echoRequest(A, B, 63);
    assertThat(Packets.netUnreachable(at7(icmp), 7, icmp.length, B, out)).isZero();
    byte[] later = Ipv4.udp(A, B, 63, 0x2000 | 185); // MF, offset 1480
    assertThat(Packets.netUnreachable(at7(later), 7, later.length, B, out)).isZero();
    byte[] last = Ipv4.udp(A, B, 63, 185); // offset 1480, no MF
    assertThat(Packets.netUnreachable(at7(last), 7, last.length, B, out)).isZero();
    byte[] first = Ipv4.udp(A, B, 63, 0x2000); // MF, offset 0
    assertThat(Packets.netUnreachable(at7(first), 7, first.length, B, out)).isPositive();
  }
}
