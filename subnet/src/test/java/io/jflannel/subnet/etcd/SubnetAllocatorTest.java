package io.jflannel.subnet.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.core.config.ConfigException;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseKey;
import io.jflannel.core.subnet.SubnetException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SubnetAllocatorTest {

  private static final EtcdKeys KEYS = new EtcdKeys("/coreos.com/network");
  private static final String V6_ONLY =
      "{\"EnableIPv4\":false,\"EnableIPv6\":true,\"IPv6Network\":\"fc00::/62\","
          + "\"Backend\":{\"Type\":\"vxlan\"}}";

  private static NetworkConfig config(String json) throws ConfigException {
    return NetworkConfig.parse(json);
  }

  private static LeaseKey key(String name) {
    return SubnetKeys.parse(name).orElseThrow();
  }

  private static Lease lease(String subnet, String publicIp) {
    return new Lease(
        Ip4Net.parse(subnet),
        null,
        new LeaseAttrs(Ip4.parse(publicIp), null, "vxlan", null, null),
        null,
        1);
  }

  private static LeaseAttrs attrs(String publicIp, String publicIpv6) {
    return new LeaseAttrs(
        publicIp == null ? null : Ip4.parse(publicIp),
        publicIpv6 == null ? null : Ip6.parse(publicIpv6),
        "vxlan",
        null,
        null);
  }

  private static Lease v6Lease(String ipv6Subnet, String publicIpv6) {
    return new Lease(null, Ip6Net.parse(ipv6Subnet), attrs(null, publicIpv6), null, 1);
  }

  @Test
  void compatibleMeansRightLengthWithinMinAndMax() throws Exception {
    SubnetAllocator allocator =
        new SubnetAllocator(
            config(
                "{\"Network\":\"10.5.0.0/16\",\"SubnetMin\":\"10.5.10.0\","
                    + "\"SubnetMax\":\"10.5.20.0\",\"Backend\":{\"Type\":\"vxlan\"}}"),
            KEYS,
            new SplittableRandom(1));
    assertThat(allocator.compatible(Ip4Net.parse("10.5.10.0/24"), null)).isTrue();
    assertThat(allocator.compatible(Ip4Net.parse("10.5.20.0/24"), null)).isTrue();
    assertThat(allocator.compatible(Ip4Net.parse("10.5.9.0/24"), null)).isFalse();
    assertThat(allocator.compatible(Ip4Net.parse("10.5.21.0/24"), null)).isFalse();
    assertThat(allocator.compatible(Ip4Net.parse("10.5.10.0/25"), null)).isFalse();
    assertThat(allocator.compatible(Ip4Net.parse("10.5.10.0/24"), Ip6Net.parse("fc00::/64")))
        .as("an IPv6 part without EnableIPv6")
        .isFalse();
  }

  @Test
  void dualStackNeedsACompatibleIpv6Part() throws Exception {
    SubnetAllocator allocator =
        new SubnetAllocator(
            config(
                "{\"Network\":\"10.5.0.0/16\",\"EnableIPv6\":true,\"IPv6Network\":\"fc00::/48\","
                    + "\"Backend\":{\"Type\":\"vxlan\"}}"),
            KEYS,
            new SplittableRandom(1));
    assertThat(allocator.compatible(Ip4Net.parse("10.5.1.0/24"), Ip6Net.parse("fc00:0:0:1::/64")))
        .isTrue();
    assertThat(allocator.compatible(Ip4Net.parse("10.5.1.0/24"), null)).isFalse();
    assertThat(allocator.compatible(Ip4Net.parse("10.5.1.0/24"), Ip6Net.parse("fc00::/64")))
        .as("the first IPv6 subnet is below IPv6SubnetMin")
        .isFalse();
    assertThat(allocator.compatible(Ip4Net.parse("10.5.1.0/24"), Ip6Net.parse("fd00::/64")))
        .isFalse();
  }

  @Test
  void findsTheFirstLeaseOfThePublicIp() throws Exception {
    SubnetAllocator allocator =
        new SubnetAllocator(
            config("{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"vxlan\"}}"),
            KEYS,
            new SplittableRandom(1));
    List<Lease> leases =
        List.of(
            lease("10.5.1.0/24", "192.168.0.1"),
            lease("10.5.2.0/24", "192.168.0.2"),
            lease("10.5.3.0/24", "192.168.0.2"));
    assertThat(allocator.findByPublicIp(leases, attrs("192.168.0.2", "fd00::2")))
        .map(Lease::subnet)
        .contains(Ip4Net.parse("10.5.2.0/24"));
    assertThat(allocator.findByPublicIp(leases, attrs("192.168.0.9", null))).isEmpty();
    assertThat(allocator.findByPublicIp(leases, attrs(null, "fd00::2")))
        .as("with IPv4 enabled only the IPv4 address counts")
        .isEmpty();
  }

  @Test
  void ipv6OnlyFindsTheLeaseOfThePublicIpv6NotOfTheEmptyIpv4Address() throws Exception {
    SubnetAllocator allocator = new SubnetAllocator(config(V6_ONLY), KEYS, new SplittableRandom(1));
    // upstream's IPv6-only nodes all write "PublicIP":"0.0.0.0", which reads back as null
    List<Lease> leases =
        List.of(
            v6Lease("fc00:0:0:1::/64", "fd00::1"),
            v6Lease("fc00:0:0:2::/64", "fd00::2"),
            v6Lease("fc00:0:0:3::/64", "fd00::3"));
    assertThat(allocator.findByPublicIp(leases, attrs(null, "fd00::2")))
        .map(Lease::ipv6Subnet)
        .contains(Ip6Net.parse("fc00:0:0:2::/64"));
    assertThat(allocator.findByPublicIp(leases, attrs(null, "fd00::9"))).isEmpty();
    assertThat(allocator.findByPublicIp(leases, attrs(null, null))).isEmpty();
  }

  @Test
  void ipv6OnlyIsCompatibleOnlyWithoutAnIpv4Subnet() throws Exception {
    SubnetAllocator allocator = new SubnetAllocator(config(V6_ONLY), KEYS, new SplittableRandom(1));
    assertThat(allocator.compatible(null, Ip6Net.parse("fc00:0:0:1::/64"))).isTrue();
    assertThat(allocator.compatible(Ip4Net.parse("10.5.1.0/24"), Ip6Net.parse("fc00:0:0:1::/64")))
        .as("an IPv4 part without EnableIPv4")
        .isFalse();
    assertThat(allocator.compatible(null, null)).isFalse();
    assertThat(allocator.compatible(null, Ip6Net.parse("fc00::/64")))
        .as("below IPv6SubnetMin")
        .isFalse();
    assertThat(allocator.compatible(null, Ip6Net.parse("fc00:0:0:1::/80"))).isFalse();
  }

  @Test
  void ipv6OnlyTakesThePreviousIpv6SubnetOnlyIfFreeAndCompatible() throws Exception {
    NetworkConfig config = config(V6_ONLY);
    SubnetAllocator allocator = new SubnetAllocator(config, KEYS, new SplittableRandom(1));
    SubnetAllocator.Occupied occupied =
        new SubnetAllocator.Occupied(
            config, List.of(key("0.0.0.0-0&fc00:0:0:7::-64"), key("10.5.1.0-24")));
    Ip6Net previous = Ip6Net.parse("fc00:0:0:3::/64");
    assertThat(allocator.previous(Optional.empty(), Optional.of(previous), occupied))
        .contains(new LeaseKey(null, previous));
    assertThat(
            allocator.previous(
                Optional.empty(), Optional.of(Ip6Net.parse("fc00:0:0:7::/64")), occupied))
        .as("taken")
        .isEmpty();
    assertThat(
            allocator.previous(
                Optional.of(Ip4Net.parse("10.5.3.0/24")), Optional.of(previous), occupied))
        .as("an IPv4 part without EnableIPv4")
        .isEmpty();
    assertThat(
            allocator.previous(Optional.empty(), Optional.of(Ip6Net.parse("fd00::/64")), occupied))
        .as("outside IPv6Network")
        .isEmpty();
    assertThat(allocator.previous(Optional.empty(), Optional.empty(), occupied)).isEmpty();
  }

  @Test
  void ipv6OnlyAllocatesAnIpv6SubnetAndNoIpv4One() throws Exception {
    NetworkConfig config = config(V6_ONLY);
    SubnetAllocator allocator = new SubnetAllocator(config, KEYS, new SplittableRandom(5));
    // fc00::/62 holds fc00::/64 (skipped, below IPv6SubnetMin) .. fc00:0:0:3::/64
    SubnetAllocator.Occupied occupied =
        new SubnetAllocator.Occupied(
            config, List.of(key("0.0.0.0-0&fc00:0:0:1::-64"), key("10.5.1.0-24&fc00:0:0:3::-64")));
    LeaseKey picked = allocator.allocate(occupied);
    assertThat(picked).isEqualTo(new LeaseKey(null, Ip6Net.parse("fc00:0:0:2::/64")));
    assertThat(SubnetKeys.name(picked)).isEqualTo("0.0.0.0-0&fc00:0:0:2::-64");

    SubnetAllocator.Occupied full =
        new SubnetAllocator.Occupied(
            config,
            List.of(
                key("0.0.0.0-0&fc00:0:0:1::-64"),
                key("0.0.0.0-0&fc00:0:0:2::-64"),
                key("0.0.0.0-0&fc00:0:0:3::-64")));
    assertThatThrownBy(() -> allocator.allocate(full))
        .isInstanceOf(SubnetException.class)
        .hasMessage(
            "out of subnets: every /64 IPv6 subnet between IPv6SubnetMin fc00:0:0:1:: and"
                + " IPv6SubnetMax fc00:0:0:3:: of IPv6Network fc00::/62 is leased; delete the"
                + " leases of nodes that are gone under /coreos.com/network/subnets/, or make"
                + " room in /coreos.com/network/config (a larger IPv6Network, a longer"
                + " IPv6SubnetLen, a wider IPv6SubnetMin..IPv6SubnetMax)");
  }

  @Test
  void takesThePreviousSubnetOnlyIfFreeAndCompatible() throws Exception {
    NetworkConfig config = config("{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"vxlan\"}}");
    SubnetAllocator allocator = new SubnetAllocator(config, KEYS, new SplittableRandom(1));
    SubnetAllocator.Occupied occupied =
        new SubnetAllocator.Occupied(config, List.of(key("10.5.7.0-24"), key("10.5.8.0-23")));
    assertThat(
            allocator.previous(
                Optional.of(Ip4Net.parse("10.5.3.0/24")), Optional.empty(), occupied))
        .contains(key("10.5.3.0-24"));
    assertThat(
            allocator.previous(
                Optional.of(Ip4Net.parse("10.5.7.0/24")), Optional.empty(), occupied))
        .as("taken")
        .isEmpty();
    assertThat(
            allocator.previous(
                Optional.of(Ip4Net.parse("10.5.9.0/24")), Optional.empty(), occupied))
        .as("overlaps the /23 of an old config")
        .isEmpty();
    assertThat(
            allocator.previous(
                Optional.of(Ip4Net.parse("10.6.3.0/24")), Optional.empty(), occupied))
        .as("outside the network")
        .isEmpty();
    assertThat(
            allocator.previous(
                Optional.of(Ip4Net.parse("10.5.3.0/24")),
                Optional.of(Ip6Net.parse("fc00::/64")),
                occupied))
        .as("an IPv6 part without EnableIPv6")
        .isEmpty();
    assertThat(allocator.previous(Optional.empty(), Optional.empty(), occupied)).isEmpty();
  }

  @Test
  void allocatesAtRandomAmongTheFirstHundredFreeSubnets() throws Exception {
    NetworkConfig config =
        config("{\"Network\":\"10.0.0.0/8\",\"SubnetLen\":24,\"Backend\":{\"Type\":\"vxlan\"}}");
    List<LeaseKey> existing = new ArrayList<>();
    for (int i = 1; i <= 50; i++) {
      existing.add(key("10.0." + i + ".0-24"));
    }
    existing.add(key("10.0.60.0-22")); // an odd length occupies 60..63
    SubnetAllocator.Occupied occupied = new SubnetAllocator.Occupied(config, existing);
    SubnetAllocator allocator = new SubnetAllocator(config, KEYS, new SplittableRandom(42));
    Set<Ip4Net> picked = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      picked.add(allocator.allocate(occupied).subnet());
    }
    Set<Ip4Net> firstHundredFree =
        IntStream.rangeClosed(51, 154)
            .filter(i -> i < 60 || i > 63)
            .mapToObj(i -> Ip4Net.parse("10.0." + i + ".0/24"))
            .collect(Collectors.toSet());
    assertThat(firstHundredFree).hasSize(100);
    assertThat(picked).isEqualTo(firstHundredFree);
  }

  @Test
  void outOfSubnetsNamesTheRangeAndTheFix() throws Exception {
    NetworkConfig config =
        config("{\"Network\":\"10.5.0.0/28\",\"SubnetLen\":30,\"Backend\":{\"Type\":\"vxlan\"}}");
    SubnetAllocator allocator = new SubnetAllocator(config, KEYS, new SplittableRandom(1));
    SubnetAllocator.Occupied occupied =
        new SubnetAllocator.Occupied(
            config, List.of(key("10.5.0.4-30"), key("10.5.0.8-30"), key("10.5.0.12-30")));
    assertThatThrownBy(() -> allocator.allocate(occupied))
        .isInstanceOf(SubnetException.class)
        .hasMessage(
            "out of subnets: every /30 subnet between SubnetMin 10.5.0.4 and SubnetMax 10.5.0.12"
                + " of Network 10.5.0.0/28 is leased (3 subnets); delete the leases of nodes that"
                + " are gone under /coreos.com/network/subnets/, or make room in"
                + " /coreos.com/network/config (a larger Network, a longer SubnetLen, a wider"
                + " SubnetMin..SubnetMax)");
  }

  @Test
  void allocatesBothFamiliesWhenDualStack() throws Exception {
    NetworkConfig config =
        config(
            "{\"Network\":\"10.5.0.0/16\",\"EnableIPv6\":true,\"IPv6Network\":\"fc00::/62\","
                + "\"Backend\":{\"Type\":\"vxlan\"}}");
    // IPv6SubnetLen defaults to 64: subnets fc00::/64 .. fc00:0:0:3::/64, the first skipped
    SubnetAllocator allocator = new SubnetAllocator(config, KEYS, new SplittableRandom(3));
    SubnetAllocator.Occupied occupied =
        new SubnetAllocator.Occupied(
            config,
            List.of(key("10.5.1.0-24&fc00:0:0:1::-64"), key("10.5.2.0-24&fc00:0:0:2::-64")));
    LeaseKey picked = allocator.allocate(occupied);
    assertThat(picked.ipv6Subnet()).isEqualTo(Ip6Net.parse("fc00:0:0:3::/64"));
    assertThat(picked.subnet().prefixLength()).isEqualTo(24);

    SubnetAllocator.Occupied full =
        new SubnetAllocator.Occupied(
            config,
            List.of(
                key("10.5.1.0-24&fc00:0:0:1::-64"),
                key("10.5.2.0-24&fc00:0:0:2::-64"),
                key("10.5.3.0-24&fc00:0:0:3::-64")));
    assertThatThrownBy(() -> allocator.allocate(full))
        .hasMessageStartingWith("out of subnets: every /64 IPv6 subnet");
  }
}
