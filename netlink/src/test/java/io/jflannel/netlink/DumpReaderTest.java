package io.jflannel.netlink;

import static io.jflannel.netlink.wire.Rt.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.netlink.wire.MessageBuilder;
import io.jflannel.netlink.wire.NlMessage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class DumpReaderTest {
  private static final int SEQ = 77;

  private static byte[] link(int seq, int flags, int index, String name) {
    return new MessageBuilder(RTM_NEWLINK, flags)
        .u8(0)
        .u8(0)
        .u16(0)
        .u32(index)
        .u32(0)
        .u32(0)
        .attrString(IFLA_IFNAME, name)
        .finish(seq);
  }

  private static byte[] done(int seq, int flags, int error) {
    return new MessageBuilder(NLMSG_DONE, flags).u32(error).finish(seq);
  }

  private static List<NlMessage> datagram(byte[]... msgs) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] m : msgs) {
      out.write(m);
    }
    return NlMessage.split(ByteBuffer.wrap(out.toByteArray()));
  }

  private static NetlinkSocket.DumpReader<Link> reader() {
    return new NetlinkSocket.DumpReader<>(LinkCodec.dump(), SEQ, LinkCodec::decode);
  }

  @Test
  void collectsMessagesOfItsSequenceAcrossDatagramsUntilDone() throws Exception {
    var r = reader();
    assertThat(r.accept(datagram(link(SEQ, NLM_F_MULTI, 1, "lo"), link(5, 0, 9, "stale"))))
        .isFalse();
    assertThat(r.accept(datagram(link(SEQ, NLM_F_MULTI, 2, "eth0"), done(SEQ, NLM_F_MULTI, 0))))
        .isTrue();
    assertThat(r.interrupted()).isFalse();
    assertThat(r.results()).extracting(Link::name).containsExactly("lo", "eth0");
  }

  @Test
  void notesAnInterruptedDumpSoThatItIsRetried() throws Exception {
    var r = reader();
    r.accept(datagram(link(SEQ, NLM_F_MULTI, 1, "lo")));
    boolean done =
        r.accept(
            datagram(
                link(SEQ, NLM_F_MULTI | NLM_F_DUMP_INTR, 2, "eth0"),
                done(SEQ, NLM_F_MULTI | NLM_F_DUMP_INTR, 0)));
    assertThat(done).isTrue();
    assertThat(r.interrupted()).isTrue();
  }

  @Test
  void anErrorInDoneFailsTheDumpWithItsErrno() throws Exception {
    var r = reader();
    assertThatThrownBy(() -> r.accept(datagram(done(SEQ, NLM_F_MULTI, -Errno.EINVAL))))
        .isInstanceOfSatisfying(
            NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL))
        .hasMessage("RTM_GETLINK dump failed: Invalid argument (EINVAL)");
  }
}
