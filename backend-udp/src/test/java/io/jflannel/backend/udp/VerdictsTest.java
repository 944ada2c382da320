package io.jflannel.backend.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.backend.udp.sys.Native;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerdictsTest {
  private static final int PEER = Ip4.parseInt("192.168.1.2");
  private static final int STRANGER = Ip4.parseInt("192.168.1.66");
  private static final int POD_A = Ip4.parseInt("10.244.1.5");
  private static final int POD_B = Ip4.parseInt("10.244.2.5");
  private static final PeerTable TABLE =
      PeerTable.of(List.of(new PeerTable.Route(Ip4Net.parse("10.244.2.0/24"), new Ip4(PEER))));

  private static ByteBuffer buffer(byte[] p) {
    return ByteBuffer.allocate(p.length).put(0, p);
  }

  @Test
  void aDatagramFromAPeerIsForwardedWithItsTtlDecremented() {
    ByteBuffer b = buffer(Ipv4.echoRequest(POD_B, POD_A, 64));
    assertThat(Verdicts.inbound(TABLE, PEER, 0, b, 0, 36)).isEqualTo(Verdicts.FORWARD);
    assertThat(b.get(8)).isEqualTo((byte) 63);
  }

  @Test
  void aDatagramFromAnAddressThatHoldsNoLeaseIsDroppedUntouchedWhateverItCarries() {
    byte[] p = Ipv4.echoRequest(POD_B, POD_A, 64);
    ByteBuffer b = buffer(p);
    assertThat(Verdicts.inbound(TABLE, STRANGER, 0, b, 0, 36)).isEqualTo(Verdicts.UNKNOWN_SOURCE);
    assertThat(Verdicts.inbound(PeerTable.EMPTY, PEER, 0, b, 0, 36))
        .isEqualTo(Verdicts.UNKNOWN_SOURCE);
    assertThat(Verdicts.inbound(TABLE, 0, 0, b, 0, 36)).isEqualTo(Verdicts.UNKNOWN_SOURCE);
    assertThat(b.array()).isEqualTo(p);
    // the source check comes first: a stranger's garbage is counted as a stranger's
    assertThat(Verdicts.inbound(TABLE, STRANGER, 0, buffer(new byte[3]), 0, 3))
        .isEqualTo(Verdicts.UNKNOWN_SOURCE);
  }

  @Test
  void truncatedBrokenAndExpiredDatagramsFromAPeerAreDropped() {
    ByteBuffer b = buffer(Ipv4.echoRequest(POD_B, POD_A, 64));
    assertThat(Verdicts.inbound(TABLE, PEER, Native.MSG_TRUNC, b, 0, 36))
        .isEqualTo(Verdicts.OVERSIZE);
    assertThat(Verdicts.inbound(TABLE, PEER, 0, buffer(new byte[40]), 0, 40))
        .isEqualTo(Verdicts.MALFORMED);
    assertThat(Verdicts.inbound(TABLE, PEER, 0, buffer(Ipv4.echoRequest(POD_B, POD_A, 1)), 0, 36))
        .isEqualTo(Verdicts.TTL_EXPIRED);
  }

  @Test
  void anOutboundPacketGoesToThePeerOfItsDestination() {
    ByteBuffer b = buffer(Ipv4.echoRequest(POD_A, POD_B, 64));
    long verdict = Verdicts.outbound(TABLE, b, 0, 36);
    assertThat(verdict).isEqualTo(PEER & 0xffffffffL);
    assertThat(b.get(8)).isEqualTo((byte) 63);
    assertThat(Ipv4.verifies(b.array(), 0, 20)).isTrue();
  }

  @Test
  void anOutboundPacketWithoutPeerIsNoRouteAndOthersAreMalformedOrExpired() {
    assertThat(Verdicts.outbound(TABLE, buffer(Ipv4.echoRequest(POD_A, POD_A, 64)), 0, 36))
        .isEqualTo(-Verdicts.NO_ROUTE);
    byte[] v6 = new byte[48];
    v6[0] = 0x60;
    assertThat(Verdicts.outbound(TABLE, buffer(v6), 0, 48)).isEqualTo(-Verdicts.MALFORMED);
    assertThat(Verdicts.outbound(TABLE, buffer(Ipv4.echoRequest(POD_A, POD_B, 1)), 0, 36))
        .isEqualTo(-Verdicts.TTL_EXPIRED);
  }

  @Test
  void aPeerWithAHighPublicIpStillReadsAsAnAddressNotAVerdict() {
    int high = Ip4.parseInt("203.0.113.7");
    PeerTable t =
        PeerTable.of(List.of(new PeerTable.Route(Ip4Net.parse("10.244.2.0/24"), new Ip4(high))));
    long verdict = Verdicts.outbound(t, buffer(Ipv4.echoRequest(POD_A, POD_B, 64)), 0, 36);
    assertThat(verdict).isPositive();
    assertThat((int) verdict).isEqualTo(high);
  }
}
