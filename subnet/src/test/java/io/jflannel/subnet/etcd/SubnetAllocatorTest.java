package io.jflannel.subnet.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.core.config.ConfigException;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
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
  void findsTheFirstLeaseOfThePublicIp() {
    List<Lease> leases =
        List.of(
            lease("10.5.1.0/24", "192.168.0.1"),
            lease("10.5.2.0/24", "192.168.0.2"),
            lease("10.5.3.0/24", "192.168.0.2"));
    assertThat(SubnetAllocator.findByPublicIp(leases, Ip4.parse("192.168.0.2")))
        .map(Lease::subnet)
        .contains(Ip4Net.parse("10.5.2.0/24"));
    assertThat(SubnetAllocator.findByPublicIp(leases, Ip4.parse("192.168.0.9"))).isEmpty();
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
