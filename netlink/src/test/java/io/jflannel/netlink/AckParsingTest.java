package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.netlink.NetlinkSocket.Ack;
import io.jflannel.netlink.wire.NlMessage;
import io.jflannel.netlink.wire.Rt;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code NLMSG_ERROR} parsing ({@link NetlinkSocket#ack}) on real kernel replies from {@code
 * captured/acks.hex}, and the text of the exceptions built from them.
 */
class AckParsingTest {
  private static final Route ONLINK_ROUTE =
      Route.via(IpPrefix.parse("10.244.2.0/24"), Ips.parse("10.244.2.0"), 5).onlink();

  @BeforeAll
  static void littleEndian() {
    Captured.assumeLittleEndian();
  }

  private static NlMessage reply(String name) throws NetlinkParseException {
    return Captured.only(Captured.datagram("acks.hex", name));
  }

  private static Ack ack(String name) throws NetlinkParseException {
    NlMessage m = reply(name);
    assertThat(m.type()).isEqualTo(Rt.NLMSG_ERROR);
    return NetlinkSocket.ack(m);
  }

  /** A captured reply with a native-order 32-bit value patched at {@code offset}. */
  private static NlMessage patched(String name, int offset, int value)
      throws NetlinkParseException {
    byte[] b = Captured.datagram("acks.hex", name);
    ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).putInt(offset, value);
    return Captured.only(b);
  }

  @Test
  void errnoZeroIsASuccessfulAckWithoutMessage() throws Exception {
    assertThat(reply("ack").flags()).isEqualTo(Rt.NLM_F_CAPPED); // the kernel never echoes on 0
    assertThat(ack("ack")).isEqualTo(new Ack(0, null));
  }

  @Test
  void eexistWithTheWholeRequestEchoedIsErrno17() throws Exception {
    assertThat(reply("eexist").flags()).isZero(); // iproute2 sets no NETLINK_CAP_ACK
    assertThat(ack("eexist")).isEqualTo(new Ack(Errno.EEXIST, null));
    assertThat(ack("eexist-nexthop")).isEqualTo(new Ack(Errno.EEXIST, null));
  }

  @Test
  void cappedEexistIsErrno17() throws Exception {
    assertThat(reply("eexist-capped").flags()).isEqualTo(Rt.NLM_F_CAPPED);
    assertThat(ack("eexist-capped")).isEqualTo(new Ack(Errno.EEXIST, null));
  }

  @Test
  void otherErrnosAreReportedPositive() throws Exception {
    assertThat(ack("enodev-get")).isEqualTo(new Ack(Errno.ENODEV, null));
    assertThat(ack("enodev-probe")).isEqualTo(new Ack(Errno.ENODEV, null));
    assertThat(ack("esrch-capped")).isEqualTo(new Ack(Errno.ESRCH, null));
  }

  @Test
  void extendedAckMessageFollowsACappedEcho() throws Exception {
    assertThat(reply("einval-capped-msg").flags()).isEqualTo(Rt.NLM_F_CAPPED | Rt.NLM_F_ACK_TLVS);
    assertThat(ack("einval-capped-msg"))
        .isEqualTo(new Ack(Errno.EINVAL, "Invalid values in header"));
  }

  @Test
  void extendedAckMessageFollowsTheWholeEchoedRequest() throws Exception {
    assertThat(reply("einval-uncapped-msg").flags()).isEqualTo(Rt.NLM_F_ACK_TLVS);
    assertThat(ack("einval-uncapped-msg"))
        .isEqualTo(new Ack(Errno.EINVAL, "Invalid values in header"));
  }

  @Test
  void extendedAckWhoseEchoedLengthRunsPastThePayloadHasNoMessage() throws Exception {
    // payload offset 4 = the echoed request's nlmsg_len, at byte 16 + 4 of the reply
    for (int bogus : new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE - 3, 0x1000, 15, -1}) {
      assertThat(NetlinkSocket.ack(patched("einval-uncapped-msg", 20, bogus)))
          .as("echoed nlmsg_len %d", bogus)
          .isEqualTo(new Ack(Errno.EINVAL, null));
    }
  }

  @Test
  void errorOutsideTheErrnoRangeIsAParseError() throws Exception {
    for (int bogus : new int[] {1, Errno.EEXIST, -4096, Integer.MIN_VALUE}) {
      NlMessage m = patched("eexist-capped", 16, bogus);
      assertThatThrownBy(() -> NetlinkSocket.ack(m))
          .as("error %d", bogus)
          .isInstanceOf(NetlinkParseException.class)
          .hasMessageContaining("NLMSG_ERROR with error " + bogus);
    }
  }

  @Test
  void errorMessageTooShortForTheErrnoIsAParseError() throws Exception {
    byte[] b = Captured.datagram("acks.hex", "ack");
    ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).putInt(0, 18); // nlmsg_len: 2-byte payload
    NlMessage m = NlMessage.split(ByteBuffer.wrap(b, 0, 18)).get(0);
    assertThatThrownBy(() -> NetlinkSocket.ack(m)).isInstanceOf(NetlinkParseException.class);
  }

  @Test
  void failedRequestReadsAsDescriptionStrerrorAndErrnoName() throws Exception {
    Request r = RouteCodec.replace(ONLINK_ROUTE, idx -> "flannel.1");
    Ack a = ack("eexist");

    NetlinkException e = new NetlinkException(r.description(), a.errno(), a.message(), null);

    assertThat(e)
        .hasMessage(
            "RTM_NEWROUTE 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink failed: File exists"
                + " (EEXIST)");
    assertThat(e.errno()).isEqualTo(Errno.EEXIST);
    assertThat(e.request())
        .isEqualTo("RTM_NEWROUTE 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink");
    assertThat(r.description() + " failed: " + Errno.describe(a.errno())).isEqualTo(e.getMessage());
  }

  @Test
  void kernelsExtendedAckMessageIsAppendedAfterTheErrno() throws Exception {
    Ack a = ack("einval-capped-msg");
    NetlinkException e =
        new NetlinkException(NexthopCodec.delete(12).description(), a.errno(), a.message(), null);
    assertThat(e)
        .hasMessage(
            "RTM_DELNEXTHOP id 12 failed: Invalid argument (EINVAL): Invalid values in header");
  }

  @Test
  void batchResultReadsLikeTheException() throws Exception {
    Request r = RouteCodec.replace(ONLINK_ROUTE, idx -> "flannel.1");
    Ack failed = ack("eexist-capped");
    Ack done = ack("ack");

    Result bad = new Result(r, failed.errno(), failed.message());
    Result good = new Result(r, done.errno(), done.message());

    assertThat(bad.ok()).isFalse();
    assertThat(bad.exception().errno()).isEqualTo(Errno.EEXIST);
    assertThat(bad.toString())
        .isEqualTo(
            "RTM_NEWROUTE 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink failed: File exists"
                + " (EEXIST)");
    assertThat(good.ok()).isTrue();
    assertThat(good.exception()).isNull();
    assertThat(good.toString())
        .isEqualTo("RTM_NEWROUTE 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink: done");
  }

  @Test
  void descriptionLooksUpLinkNamesOnlyWhenAsked() {
    AtomicInteger lookups = new AtomicInteger();
    IntFunction<String> names =
        idx -> {
          lookups.incrementAndGet();
          return "flannel.1";
        };
    Request r = RouteCodec.replace(ONLINK_ROUTE, names);
    r.encode(1);
    r.encode(2);
    assertThat(lookups).hasValue(0);
    assertThat(r.description()).endsWith("dev flannel.1 onlink");
    assertThat(lookups).hasValue(1);
  }

  @Test
  void parseErrorCarriesEbadmsg() {
    NetlinkParseException e = new NetlinkParseException("attribute length 3 of type 1");
    assertThat(e.errno()).isEqualTo(Errno.EBADMSG);
    assertThat(e)
        .hasMessage(
            "parse of netlink reply (attribute length 3 of type 1) failed: Bad message (EBADMSG)");
  }

  @Test
  void dumpEndingInAnErrorFailsWithTheKernelsErrno() throws Exception {
    // RTM_GETNEXTHOP dump with nh_protocol 3: the kernel answered NLMSG_DONE carrying -EINVAL and
    // the extended-ack text "Invalid values in header for nexthop dump request".
    List<NlMessage> ms = Captured.messages("acks.hex", Rt.NLMSG_DONE);
    assertThat(ms).hasSize(1);
    NlMessage done = ms.get(0);
    var reader =
        new NetlinkSocket.DumpReader<>(NexthopCodec.dump(), done.seq(), NexthopCodec::decode);

    assertThatThrownBy(() -> reader.accept(ms))
        .isInstanceOfSatisfying(
            NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL))
        .hasMessageStartingWith("RTM_GETNEXTHOP dump failed: Invalid argument (EINVAL)");
  }
}
