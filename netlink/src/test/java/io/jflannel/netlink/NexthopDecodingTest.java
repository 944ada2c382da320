package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.netlink.wire.NlMessage;
import io.jflannel.netlink.wire.Rt;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link NexthopCodec#decode} on the kernel's real {@code RTM_NEWNEXTHOP} dump ({@code
 * captured/nexthop-dump.hex}, from {@code ip nexthop show} after {@code ip nexthop add id 10 via
 * 10.244.3.0 dev flannel.1 onlink} and {@code ip nexthop add id 11 blackhole}).
 */
class NexthopDecodingTest {
  @BeforeAll
  static void littleEndian() {
    Captured.assumeLittleEndian();
  }

  @Test
  void dumpDecodesTheOnlinkGatewayAndTheBlackhole() throws Exception {
    List<Nexthop> got = new ArrayList<>();
    for (NlMessage m : Captured.messages("nexthop-dump.hex", Rt.RTM_NEWNEXTHOP)) {
      got.add(NexthopCodec.decode(m));
    }

    assertThat(got)
        .containsExactly(
            Nexthop.via(10, Ips.parse("10.244.3.0"), 5, true),
            new Nexthop(11, null, 0, 0, true, Rt.AF_INET));
    assertThat(got.get(0).isOnlink()).isTrue();
    assertThat(got.get(1).isOnlink()).isFalse();
  }

  @Test
  void dumpEndsWithDoneInTheSameDatagram() throws Exception {
    assertThat(Captured.messages("nexthop-dump.hex"))
        .extracting(NlMessage::type)
        .containsExactly(Rt.RTM_NEWNEXTHOP, Rt.RTM_NEWNEXTHOP, Rt.NLMSG_DONE);
  }
}
