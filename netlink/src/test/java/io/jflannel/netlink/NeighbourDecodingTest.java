package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.netlink.wire.NlMessage;
import io.jflannel.netlink.wire.Rt;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link NeighbourCodec#decode} and {@link NeighbourCodec#decodeFdb} on the kernel's real {@code
 * RTM_NEWNEIGH} dumps: {@code captured/neigh-dump.hex} ({@code ip neigh show}) and {@code
 * captured/fdb-dump.hex} ({@code bridge fdb show}).
 */
class NeighbourDecodingTest {
  private static final int PERMANENT = Rt.NUD_PERMANENT;
  private static final int NOARP = Rt.NUD_NOARP;

  @BeforeAll
  static void littleEndian() {
    Captured.assumeLittleEndian();
  }

  private static Neighbour neigh(int index, String ip, String mac, int state) {
    return new Neighbour(index, Ips.parse(ip), MacAddress.parse(mac), state, 0);
  }

  private static FdbEntry fdb(int index, String mac, String dst, int state) {
    return new FdbEntry(
        index, MacAddress.parse(mac), dst == null ? null : Ips.parse(dst), state, Rt.NTF_SELF);
  }

  @Test
  void neighbourDumpDecodesThePermanentEntriesAndTheKernelsMulticastOnes() throws Exception {
    List<Neighbour> got = new ArrayList<>();
    for (NlMessage m : Captured.messages("neigh-dump.hex", Rt.RTM_NEWNEIGH)) {
      got.add(NeighbourCodec.decode(m));
    }

    assertThat(got)
        .containsExactly(
            neigh(5, "10.244.2.0", "5e:aa:bb:cc:dd:02", PERMANENT),
            neigh(5, "ff02::2", "33:33:00:00:00:02", NOARP),
            neigh(5, "ff02::1:ffcc:dd01", "33:33:ff:cc:dd:01", NOARP),
            neigh(3, "ff02::2", "33:33:00:00:00:02", NOARP),
            neigh(3, "ff02::1:ff00:1", "33:33:ff:00:00:01", NOARP),
            neigh(5, "ff02::16", "33:33:00:00:00:16", NOARP),
            neigh(2, "ff02::2", "33:33:00:00:00:02", NOARP),
            neigh(3, "ff02::16", "33:33:00:00:00:16", NOARP),
            neigh(2, "ff02::16", "33:33:00:00:00:16", NOARP),
            neigh(3, "fd00:1::9", "5e:aa:bb:cc:dd:09", PERMANENT),
            neigh(2, "ff02::1:ffcc:617c", "33:33:ff:cc:61:7c", NOARP));
  }

  @Test
  void flannelsArpEntryComesBackEqualToTheOneWritten() throws Exception {
    Neighbour written =
        Neighbour.permanent(5, Ips.parse("10.244.2.0"), MacAddress.parse("5e:aa:bb:cc:dd:02"));
    NlMessage first = Captured.messages("neigh-dump.hex", Rt.RTM_NEWNEIGH).get(0);
    assertThat(NeighbourCodec.decode(first)).isEqualTo(written);
  }

  @Test
  void fdbDumpDecodesEveryEntryWithItsVtepDestination() throws Exception {
    List<FdbEntry> got = new ArrayList<>();
    for (NlMessage m : Captured.messages("fdb-dump.hex", Rt.RTM_NEWNEIGH)) {
      got.add(NeighbourCodec.decodeFdb(m));
    }

    assertThat(got)
        .containsExactly(
            fdb(2, "33:33:00:00:00:01", null, PERMANENT),
            fdb(2, "01:00:5e:00:00:01", null, PERMANENT),
            fdb(2, "33:33:ff:cc:61:7c", null, PERMANENT),
            fdb(3, "33:33:00:00:00:01", null, PERMANENT),
            fdb(3, "01:00:5e:00:00:01", null, PERMANENT),
            fdb(3, "33:33:ff:00:00:01", null, PERMANENT),
            fdb(4, "33:33:00:00:00:01", null, PERMANENT),
            // added by `bridge fdb append ... self permanent`, which also sets NUD_NOARP
            fdb(5, "5e:aa:bb:cc:dd:02", "192.168.50.3", PERMANENT | NOARP));
  }

  @Test
  void ipv6NeighbourWithAnIpv4MappedAddressStaysIpv6() throws Exception {
    // ip -6 neigh replace ::ffff:10.1.1.1 lladdr 5e:aa:bb:cc:dd:0a dev ext0 nud permanent
    Neighbour mapped = null;
    for (NlMessage m : Captured.messages("neigh-dump-v4mapped.hex", Rt.RTM_NEWNEIGH)) {
      Neighbour n = NeighbourCodec.decode(m);
      if (MacAddress.parse("5e:aa:bb:cc:dd:0a").equals(n.mac())) {
        mapped = n;
      }
    }
    assertThat(mapped).isNotNull();
    assertThat(mapped.ip()).isInstanceOf(Inet6Address.class);
    assertThat(Ips.family(mapped.ip())).isEqualTo(Rt.AF_INET6);
  }
}
