package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.netlink.wire.NlMessage;
import io.jflannel.netlink.wire.Rt;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link NlMessage#split} at the edges of a datagram, on captured kernel replies. */
class NlMessageSplitTest {
  @BeforeAll
  static void littleEndian() {
    Captured.assumeLittleEndian();
  }

  private static byte[] nexthopDump() {
    return Captured.datagram("nexthop-dump.hex", "datagram-1");
  }

  @Test
  void emptyDatagramHasNoMessages() throws Exception {
    assertThat(NlMessage.split(ByteBuffer.allocate(0))).isEmpty();
  }

  @Test
  void splitsADatagramIntoItsMessagesWithTheirHeaders() throws Exception {
    List<NlMessage> ms = NlMessage.split(ByteBuffer.wrap(nexthopDump()));

    assertThat(ms)
        .extracting(NlMessage::type)
        .containsExactly(Rt.RTM_NEWNEXTHOP, Rt.RTM_NEWNEXTHOP, Rt.NLMSG_DONE);
    assertThat(ms).extracting(NlMessage::payloadLength).containsExactly(32, 20, 4);
    assertThat(ms).extracting(NlMessage::flags).containsOnly(Rt.NLM_F_MULTI);
    assertThat(ms.get(0).copy()).isEqualTo(Arrays.copyOf(nexthopDump(), 48));
  }

  @Test
  void readsFromTheBuffersPositionToItsLimit() throws Exception {
    byte[] d = nexthopDump();
    byte[] framed = new byte[d.length + 8];
    System.arraycopy(d, 0, framed, 4, d.length);
    ByteBuffer b = ByteBuffer.wrap(framed, 4, d.length).order(ByteOrder.BIG_ENDIAN);

    assertThat(NlMessage.split(b)).hasSize(3);
    assertThat(b.position()).isEqualTo(4); // the caller's buffer is left alone
  }

  @Test
  void lastMessageMayEndWithoutPadding() throws Exception {
    byte[] d = nexthopDump();
    // the trailing NLMSG_DONE with a 1-byte payload: nlmsg_len 17, datagram ends there
    byte[] cut = Arrays.copyOf(d, d.length - 3);
    ByteBuffer.wrap(cut).order(ByteOrder.nativeOrder()).putInt(84, 17);

    List<NlMessage> ms = NlMessage.split(ByteBuffer.wrap(cut));
    assertThat(ms).hasSize(3);
    assertThat(ms.get(2).payloadLength()).isEqualTo(1);
  }

  @Test
  void headerCutShortIsAParseError() {
    byte[] d = Arrays.copyOf(nexthopDump(), 48 + 10);
    assertThatThrownBy(() -> NlMessage.split(ByteBuffer.wrap(d)))
        .isInstanceOf(NetlinkParseException.class)
        .hasMessageContaining("message header truncated at byte 48");
  }

  @Test
  void lengthPastTheDatagramOrBelowTheHeaderIsAParseError() {
    for (int bogus : new int[] {0, 15, 105, -1, Integer.MIN_VALUE}) {
      byte[] d = nexthopDump();
      ByteBuffer.wrap(d).order(ByteOrder.nativeOrder()).putInt(48, bogus);
      assertThatThrownBy(() -> NlMessage.split(ByteBuffer.wrap(d)))
          .as("nlmsg_len %d", bogus)
          .isInstanceOf(NetlinkParseException.class)
          .hasMessageContaining(
              "message length " + Integer.toUnsignedString(bogus) + " at byte 48");
    }
  }

  @Test
  void familyHeaderLongerThanThePayloadIsAParseError() throws Exception {
    NlMessage done = NlMessage.split(ByteBuffer.wrap(nexthopDump())).get(2);
    assertThatThrownBy(() -> NexthopCodec.decode(done))
        .isInstanceOf(NetlinkParseException.class)
        .hasMessageContaining("payload of 4 bytes");
  }

  @Test
  void attributeRunningPastItsMessageIsAParseError() throws Exception {
    byte[] d = nexthopDump();
    ByteBuffer.wrap(d).order(ByteOrder.nativeOrder()).putShort(40, (short) 12); // NHA_GATEWAY
    NlMessage m = NlMessage.split(ByteBuffer.wrap(d)).get(0);
    assertThatThrownBy(() -> NexthopCodec.decode(m))
        .isInstanceOf(NetlinkParseException.class)
        .hasMessageContaining("attribute length 12 of type " + Rt.NHA_GATEWAY);
  }
}
