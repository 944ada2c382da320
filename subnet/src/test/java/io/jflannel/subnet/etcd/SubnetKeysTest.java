package io.jflannel.subnet.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.lease.LeaseKey;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SubnetKeysTest {

  @Test
  void formatsUpstreamKeys() {
    assertThat(SubnetKeys.name(new LeaseKey(Ip4Net.parse("10.5.52.0/24"), null)))
        .isEqualTo("10.5.52.0-24");
    assertThat(
            SubnetKeys.name(new LeaseKey(Ip4Net.parse("10.5.52.0/24"), Ip6Net.parse("fc00::/64"))))
        .isEqualTo("10.5.52.0-24&fc00::-64");
    assertThat(
            SubnetKeys.name(
                new LeaseKey(Ip4Net.parse("10.5.52.0/24"), Ip6Net.parse("2001:cafe:42:1::/64"))))
        .isEqualTo("10.5.52.0-24&2001:cafe:42:1::-64");
  }

  @Test
  void anIpv6OnlyKeyHasUpstreamsEmptyIpv4NetworkInItsName() {
    LeaseKey v6Only = new LeaseKey(null, Ip6Net.parse("fc00::/64"));
    assertThat(SubnetKeys.name(v6Only)).isEqualTo("0.0.0.0-0&fc00::-64");
    assertThat(SubnetKeys.parse("0.0.0.0-0&fc00::-64")).contains(v6Only);
    assertThat(SubnetKeys.parse("0.0.0.0-0&fd00:10:244:3::-64"))
        .contains(new LeaseKey(null, Ip6Net.parse("fd00:10:244:3::/64")));
    EtcdKeys keys = new EtcdKeys("/coreos.com/network");
    assertThat(keys.lease(v6Only)).isEqualTo("/coreos.com/network/subnets/0.0.0.0-0&fc00::-64");
    assertThat(keys.parse("/coreos.com/network/subnets/0.0.0.0-0&fc00::-64")).contains(v6Only);
  }

  @Test
  void parsesIpv4AndDualStackKeys() {
    assertThat(SubnetKeys.parse("10.5.52.0-24"))
        .contains(new LeaseKey(Ip4Net.parse("10.5.52.0/24"), null));
    assertThat(SubnetKeys.parse("10.5.52.0-24&fc00::-64"))
        .contains(new LeaseKey(Ip4Net.parse("10.5.52.0/24"), Ip6Net.parse("fc00::/64")));
    assertThat(SubnetKeys.parse("0.0.0.0-8"))
        .contains(new LeaseKey(Ip4Net.parse("0.0.0.0/8"), null));
  }

  @Test
  void fullKeysMustLieUnderThePrefixSubnetsRange() {
    EtcdKeys keys = new EtcdKeys("/coreos.com/network");
    assertThat(keys.config()).isEqualTo("/coreos.com/network/config");
    assertThat(keys.parse("/coreos.com/network/subnets/10.5.52.0-24")).isPresent();
    assertThat(keys.parse("/coreos.com/network/subnetsX/10.5.52.0-24")).isEmpty();
    assertThat(keys.parse("/coreos.com/network/subnets/x/10.5.52.0-24")).isEmpty();
    assertThat(keys.parse("/other/subnets/10.5.52.0-24")).isEmpty();
    assertThat(keys.lease(SubnetKeys.parse("10.5.52.0-24").orElseThrow()))
        .isEqualTo("/coreos.com/network/subnets/10.5.52.0-24");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "10.5.52.0",
        "10.5.52.0-",
        "10.5.52.0/24",
        "x10.5.52.0-24", // upstream's unanchored expression would read this
        "10.5.52.1-24", // host bits
        "10.5.52.0-024", // not canonical
        "10.5.52.0-32", // upstream's ParseUint(.., 5) stops at 31
        "10.5.52.0-+24",
        "10.5.52.0--24",
        "010.5.52.0-24",
        "10.5.52.0-24&",
        "10.5.52.0-24&fc00::",
        "10.5.52.0-24&FC00::-64", // upstream's [a-f\\d:] is lower case
        "10.5.52.0-24&fc00:0::-64", // not canonical
        "10.5.52.0-24&fc00::-128",
        "10.5.52.0-24&fc00::1-64", // host bits
        "10.5.52.0-24&fc00::-64&fd00::-64",
        "fc00::-64",
        "10.5.52.0-24\n",
        "256.5.52.0-24",
        "0.0.0.0-0", // upstream's empty IPv4 network alone names no subnet
        "0.0.0.0-0&::-0",
        "10.5.52.0-24&::-0", // upstream leaves out an empty IPv6 network instead
      })
  void refusesWhatIsNotACanonicalSubnetKey(String name) {
    assertThat(SubnetKeys.parse(name)).isEmpty();
  }

  @Test
  void parserNeverThrowsOnRandomStrings() {
    SplittableRandom random = new SplittableRandom(20261121);
    String alphabet = "0123456789.-&:abcdefABCDEF/x \u00e9\u0000\uffff";
    for (int i = 0; i < 200_000; i++) {
      StringBuilder s = new StringBuilder();
      int length = random.nextInt(40);
      for (int k = 0; k < length; k++) {
        s.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      assertRoundTripsOrIsEmpty(s.toString());
    }
  }

  @Test
  void parserNeverThrowsOnMutatedValidKeys() {
    SplittableRandom random = new SplittableRandom(7);
    String[] seeds = {
      "10.5.52.0-24",
      "10.5.52.0-24&fc00::-64",
      "192.168.0.0-16&2001:db8:1::-48",
      "0.0.0.0-0",
      "0.0.0.0-0&fc00::-64",
      "255.255.255.254-31",
      "100.64.0.0-10"
    };
    String alphabet = "0123456789.-&:af";
    for (int i = 0; i < 200_000; i++) {
      StringBuilder s = new StringBuilder(seeds[random.nextInt(seeds.length)]);
      int edits = 1 + random.nextInt(3);
      for (int e = 0; e < edits; e++) {
        int at = random.nextInt(s.length() + 1);
        switch (random.nextInt(3)) {
          case 0 -> s.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
          case 1 -> {
            if (at < s.length()) {
              s.deleteCharAt(at);
            }
          }
          default -> {
            if (at < s.length()) {
              s.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
            }
          }
        }
      }
      assertRoundTripsOrIsEmpty(s.toString());
    }
  }

  @Test
  void readsEveryCanonicalIpv4KeyAndNoOther() {
    SplittableRandom random = new SplittableRandom(20261122);
    for (int i = 0; i < 200_000; i++) {
      int address = random.nextInt();
      int prefix = random.nextInt(34);
      if (random.nextBoolean() && prefix <= 32) {
        address &= prefix == 0 ? 0 : -1 << (32 - prefix); // mostly valid network addresses
      }
      String name =
          (address >>> 24)
              + "."
              + ((address >>> 16) & 0xff)
              + "."
              + ((address >>> 8) & 0xff)
              + "."
              + (address & 0xff)
              + "-"
              + prefix;
      assertRoundTripsOrIsEmpty(name);
      assertThat(SubnetKeys.parse(name).isPresent())
          .as(name)
          .isEqualTo(
              prefix >= 1 && prefix <= 31 && (address & (int) (0xffffffffL >>> prefix)) == 0);
    }
  }

  /**
   * A name read gives back the same name; an IPv4-only name is read exactly when it is canonical
   * (checked here independently, with upstream's expression and the canonical rules); and a name
   * read in place inside a full key gives the same key.
   */
  private static void assertRoundTripsOrIsEmpty(String name) {
    Optional<LeaseKey> key = SubnetKeys.parse(name);
    key.ifPresent(k -> assertThat(SubnetKeys.name(k)).isEqualTo(name));
    if (name.indexOf('&') < 0) {
      assertThat(key.isPresent()).as(name).isEqualTo(canonicalIpv4Key(name));
    }
    assertThat(SubnetKeys.parse("/coreos.com/network/subnets/" + name, 28)).as(name).isEqualTo(key);
  }

  private static final String DECIMAL = "(0|[1-9][0-9]{0,2})";
  private static final Pattern IPV4_KEY =
      Pattern.compile(String.join("\\.", DECIMAL, DECIMAL, DECIMAL, DECIMAL) + "-" + DECIMAL);

  private static boolean canonicalIpv4Key(String name) {
    Matcher m = IPV4_KEY.matcher(name);
    if (!m.matches()) {
      return false;
    }
    long address = 0;
    for (int g = 1; g <= 4; g++) {
      int octet = Integer.parseInt(m.group(g));
      if (octet > 255) {
        return false;
      }
      address = address << 8 | octet;
    }
    int prefix = Integer.parseInt(m.group(5));
    // 0.0.0.0-0 is upstream's empty IPv4 network, the IPv4 part of an IPv6-only key only
    return prefix >= 1 && prefix <= 31 && (address & (0xffffffffL >>> prefix)) == 0;
  }
}
