package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.netlink.wire.Rt;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Ips} and {@link IpPrefix}: literals only, never DNS.
 *
 * <p>A rejected IPv6-looking input may carry the JDK's {@code UnknownHostException} as cause; its
 * text tells the literal parser ("invalid IPv6 address") from a resolver answer ("Name or service
 * not known", "Temporary failure in name resolution"), which is how these tests see that no lookup
 * was made without needing a network.
 */
class IpsTest {
  private static void assertRejectedWithoutLookup(String s) {
    assertThatThrownBy(() -> Ips.parse(s))
        .as("Ips.parse(\"%s\")", s)
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(
            e -> {
              if (e.getCause() != null) {
                assertThat(e.getCause()).hasMessageContaining("invalid IPv6 address");
              }
            });
  }

  @Test
  void parsesIpv4Literals() {
    InetAddress a = Ips.parse("10.244.2.0");
    assertThat(a).isInstanceOf(Inet4Address.class);
    assertThat(a.getAddress()).containsExactly(10, 244, 2, 0);
    assertThat(Ips.parse("255.255.255.255").getAddress()).containsExactly(255, 255, 255, 255);
    assertThat(Ips.family(a)).isEqualTo(Rt.AF_INET);
  }

  @Test
  void parsesCompressedAndFullIpv6Literals() {
    InetAddress a = Ips.parse("fd00::1");
    assertThat(a).isInstanceOf(Inet6Address.class);
    assertThat(a.getAddress()).containsExactly(0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
    assertThat(Ips.parse("fd00:0:0:0:0:0:0:1")).isEqualTo(a);
    assertThat(Ips.parse("FD00::1")).isEqualTo(a);
    assertThat(Ips.parse("::").getAddress()).containsOnly(0);
    assertThat(Ips.family(a)).isEqualTo(Rt.AF_INET6);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "10.0.0",
        "10.0.0.0.1",
        "10.0.0.256",
        "10.0.0.-1",
        "10..0.1",
        "10.0.0.1 ",
        " 10.0.0.1",
        "0x0a.0.0.1",
        "1000.0.0.1",
        "localhost",
        "example.com",
        "flannel.1"
      })
  void rejectsBadIpv4AndHostNamesWithoutLookup(String s) {
    assertRejectedWithoutLookup(s);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "fd00:::1",
        "fd00::1::2",
        "fd00::g",
        "1:2:3:4:5:6:7:8:9",
        "12345::1",
        "fe80::1%eth0",
        "[fd00::1]",
        "abc:def",
        "1.2.3.4:80",
        "fd00::1/64",
        "host:name"
      })
  void rejectsBadIpv6WithoutLookup(String s) {
    assertRejectedWithoutLookup(s);
  }

  @ParameterizedTest
  @ValueSource(strings = {".1:2", ".:", "..::1"})
  void rejectsDotLeadingInputWithoutLookup(String s) {
    assertRejectedWithoutLookup(s);
  }

  @Test
  void parseNullIsRejected() {
    assertThatThrownBy(() -> Ips.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @CsvSource({
    "fd00:0:0:0:0:0:0:1, fd00::1",
    "0:0:0:0:0:0:0:1, ::1",
    "0:0:0:0:0:0:0:0, ::",
    "1:0:0:0:0:0:0:0, 1::",
    "fe80:0:0:0:1c2d:27ff:fecc:617c, fe80::1c2d:27ff:fecc:617c",
    "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
    "1:0:0:1:0:0:0:1, 1:0:0:1::1",
    "1:0:0:1:1:0:0:1, 1::1:1:0:0:1",
    "10.244.2.0, 10.244.2.0"
  })
  void formatsLikeIproute2(String in, String out) {
    assertThat(Ips.format(Ips.parse(in))).isEqualTo(out);
  }

  @Test
  void formatDropsTheScopeOfALinkLocalAddress() throws Exception {
    Inet6Address scoped = Inet6Address.getByAddress(null, Ips.parse("fe80::1").getAddress(), 5);
    assertThat(scoped.getHostAddress()).contains("%");
    assertThat(Ips.format(scoped)).isEqualTo("fe80::1");
  }

  @Test
  void formatOfNullIsADash() {
    assertThat(Ips.format(null)).isEqualTo("-");
  }

  @Test
  void ofTakesFourOrSixteenRawBytes() {
    assertThat(Ips.of(new byte[] {10, 0, 0, 1})).isEqualTo(Ips.parse("10.0.0.1"));
    assertThat(Ips.of(Ips.parse("fd00::1").getAddress())).isEqualTo(Ips.parse("fd00::1"));
    assertThatThrownBy(() -> Ips.of(new byte[5])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Ips.of(new byte[0])).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void prefixParsesAndPrintsV4AndV6() {
    IpPrefix p = IpPrefix.parse("10.244.2.0/24");
    assertThat(p.address()).isEqualTo(Ips.parse("10.244.2.0"));
    assertThat(p.length()).isEqualTo(24);
    assertThat(p.family()).isEqualTo(Rt.AF_INET);
    assertThat(p).hasToString("10.244.2.0/24");

    IpPrefix q = IpPrefix.parse("fd00:0:0:0:0:0:0:0/64");
    assertThat(q.family()).isEqualTo(Rt.AF_INET6);
    assertThat(q).hasToString("fd00::/64");
  }

  @Test
  void prefixWithoutLengthIsAHostPrefix() {
    assertThat(IpPrefix.parse("10.244.1.0")).isEqualTo(new IpPrefix(Ips.parse("10.244.1.0"), 32));
    assertThat(IpPrefix.parse("fd00::1")).isEqualTo(IpPrefix.host(Ips.parse("fd00::1")));
    assertThat(IpPrefix.host(Ips.parse("fd00::1")).length()).isEqualTo(128);
  }

  @Test
  void prefixKeepsHostBits() {
    assertThat(IpPrefix.parse("10.244.1.7/24")).hasToString("10.244.1.7/24");
  }

  @Test
  void prefixFromRawBytes() {
    assertThat(IpPrefix.of(new byte[] {10, (byte) 244, 2, 0}, 24))
        .isEqualTo(IpPrefix.parse("10.244.2.0/24"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.0.0.0/33",
        "10.0.0.0/-1",
        "10.0.0.0/",
        "10.0.0.0/2a",
        "10.0.0.0/24/1",
        "10.0.0.0/ 24",
        "fd00::/129",
        "/24",
        "10.0.0/24",
        "example.com/24"
      })
  void badPrefixIsRejected(String s) {
    assertThatThrownBy(() -> IpPrefix.parse(s)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void prefixLengthIsCheckedAgainstTheFamily() {
    assertThatThrownBy(() -> new IpPrefix(Ips.parse("10.0.0.0"), 64))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new IpPrefix(Ips.parse("fd00::"), 64).length()).isEqualTo(64);
  }
}
