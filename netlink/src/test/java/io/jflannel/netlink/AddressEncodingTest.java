package io.jflannel.netlink;

import static io.jflannel.netlink.Golden.assertIdentical;

import io.jflannel.netlink.wire.Rt;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Address requests compared with what iproute2 6.1.0 sent for the same command (captured with
 * {@code strace -f -e trace=sendmsg,sendto -e write=all -xx ip -n <ns> ...}; ext0 = ifindex 3,
 * flannel.1 = 5). iproute2 sends IFA_LOCAL then IFA_ADDRESS, both the address, as we do: every
 * request here is byte-for-byte iproute2's.
 */
class AddressEncodingTest {
  private static final IntFunction<String> NAMES = i -> "if" + i;
  private static final Address FLANNEL_V4 = Address.of(5, IpPrefix.parse("10.244.1.0/32"));
  private static final Address EXT0_V6 = Address.of(3, IpPrefix.parse("fd00:1::1/64"));

  @BeforeAll
  static void littleEndian() {
    Captured.assumeLittleEndian();
  }

  private static void assertSameAs(Request ours, byte[] ip) {
    assertIdentical(ours.encode(Golden.seq(ip)), ip);
  }

  @Test
  void addOfFlannelsSlash32IsIproute2s() {
    // ip -n <ns> addr add 10.244.1.0/32 dev flannel.1
    assertSameAs(
        AddressCodec.add(FLANNEL_V4, NAMES),
        Golden.message(
            "28000000140005062e0d026b000000000220000005000000080002000af40100080001000af40100"));
  }

  @Test
  void addOfASlash24IsIproute2s() {
    // ip -n <ns> addr add 192.168.50.2/24 dev ext0
    assertSameAs(
        AddressCodec.add(Address.of(3, IpPrefix.parse("192.168.50.2/24")), NAMES),
        Golden.message(
            "2800000014000506270d026b00000000021800000300000008000200c0a8320208000100c0a83202"));
  }

  @Test
  void replaceIsIproute2sWithReplaceInsteadOfExcl() {
    // ip -n <ns> addr replace 10.244.1.0/32 dev flannel.1
    assertSameAs(
        AddressCodec.replace(FLANNEL_V4, NAMES),
        Golden.message(
            "28000000140005052f0d026b000000000220000005000000080002000af40100080001000af40100"));
  }

  @Test
  void deleteIsIproute2s() {
    // ip -n <ns> addr del 10.244.1.0/32 dev flannel.1
    assertSameAs(
        AddressCodec.delete(FLANNEL_V4, NAMES),
        Golden.message(
            "28000000150005002f0d026b000000000220000005000000080002000af40100080001000af40100"));
  }

  @Test
  void ipv6AddIsIproute2s() {
    // ip -n <ns> addr add fd00:1::1/64 dev ext0
    assertSameAs(
        AddressCodec.add(EXT0_V6, NAMES),
        Golden.message(
            "40000000140005062f0d026b000000000a4000000300000014000200fd00000100000000000000000000"
                + "000114000100fd000001000000000000000000000001"));
  }

  @Test
  void ipv6ReplaceIsIproute2s() {
    // ip -n <ns> addr replace fd00:1::1/64 dev ext0
    assertSameAs(
        AddressCodec.replace(EXT0_V6, NAMES),
        Golden.message(
            "40000000140005052f0d026b000000000a4000000300000014000200fd00000100000000000000000000"
                + "000114000100fd000001000000000000000000000001"));
  }

  @Test
  void ipv6DeleteIsIproute2s() {
    // ip -n <ns> addr del fd00:1::1/64 dev ext0
    assertSameAs(
        AddressCodec.delete(EXT0_V6, NAMES),
        Golden.message(
            "40000000150005002f0d026b000000000a4000000300000014000200fd00000100000000000000000000"
                + "000114000100fd000001000000000000000000000001"));
  }

  @Test
  void dumpIsIproute2s() {
    // ip -n <ns> addr show, its RTM_GETADDR request; iproute2 passed sizeof(req) = 152 bytes to
    // sendto, the kernel reads nlmsg_len = 24 of them.
    assertSameAs(
        AddressCodec.dump(Rt.AF_UNSPEC),
        Golden.message("1800000016000103410d026b000000000000000000000000" + "00".repeat(128)));
  }
}
