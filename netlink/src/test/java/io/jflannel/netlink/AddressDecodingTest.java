package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.netlink.wire.NlMessage;
import io.jflannel.netlink.wire.Rt;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link AddressCodec#decode} on the kernel's real {@code RTM_NEWADDR} dump ({@code
 * captured/addr-dump.hex}, from {@code ip addr show}). IPv4 entries carry IFA_LOCAL and
 * IFA_ADDRESS, IPv6 ones only IFA_ADDRESS; all carry IFA_FLAGS.
 */
class AddressDecodingTest {
  private static final int PERMANENT = 0x80; // IFA_F_PERMANENT
  private static final int NODAD = 0x02; // IFA_F_NODAD
  private static final int HOST = Rt.RT_SCOPE_HOST;
  private static final int LINK = Rt.RT_SCOPE_LINK;

  @BeforeAll
  static void littleEndian() {
    Captured.assumeLittleEndian();
  }

  private static Address addr(int index, String prefix, int scope, int flags) {
    return new Address(index, IpPrefix.parse(prefix), scope, flags);
  }

  @Test
  void dumpDecodesToEveryAddressWithScopeAndFlags() throws Exception {
    List<Address> got = new ArrayList<>();
    for (NlMessage m : Captured.messages("addr-dump.hex", Rt.RTM_NEWADDR)) {
      got.add(AddressCodec.decode(m));
    }

    assertThat(got)
        .containsExactly(
            addr(1, "127.0.0.1/8", HOST, PERMANENT),
            addr(3, "192.168.50.2/24", 0, PERMANENT),
            addr(5, "10.244.1.0/32", 0, PERMANENT),
            addr(1, "::1/128", HOST, PERMANENT),
            addr(2, "fe80::1c2d:27ff:fecc:617c/64", LINK, PERMANENT),
            addr(3, "fd00:1::1/64", 0, PERMANENT | NODAD),
            addr(3, "fe80::c00:ff:fe00:1/64", LINK, PERMANENT),
            addr(5, "fe80::5caa:bbff:fecc:dd01/64", LINK, PERMANENT));
  }

  @Test
  void flannelsAddressComparesEqualToTheOneWeWouldAdd() throws Exception {
    Address flannel =
        AddressCodec.decode(Captured.messages("addr-dump.hex", Rt.RTM_NEWADDR).get(2));
    Address ours = Address.of(5, IpPrefix.parse("10.244.1.0/32"));
    assertThat(flannel.prefix()).isEqualTo(ours.prefix());
    assertThat(flannel.linkIndex()).isEqualTo(ours.linkIndex());
    assertThat(flannel.prefix()).hasToString("10.244.1.0/32");
  }
}
