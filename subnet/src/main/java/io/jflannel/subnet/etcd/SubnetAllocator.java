package io.jflannel.subnet.etcd;

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
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which subnet this node takes, from the network config and the keys that exist: upstream's
 * {@code tryAcquireLease} choices without the store ({@code pkg/subnet/etcd/local_manager.go}).
 *
 * <ol>
 *   <li>{@link #findByPublicIp}: a lease that already carries this node's public IP is reused if
 *       {@link #compatible} with the config (right prefix length, between SubnetMin and SubnetMax;
 *       dual-stack likewise), else deleted by the caller.
 *   <li>{@link #previous}: the subnet(s) of the previous subnet.env, if free and compatible.
 *   <li>{@link #allocate}: up to {@value #MAX_CANDIDATES} free subnets are collected scanning up
 *       from SubnetMin and one is picked at random, so that nodes starting together rarely race for
 *       the same key; with IPv6 the same again for the IPv6 subnet.
 * </ol>
 *
 * <p>IPv6-only ({@code EnableIPv4: false}): the lease has no IPv4 subnet (key {@code
 * 0.0.0.0-0&<ipv6>-<len>}, as upstream names it), only an IPv6 subnet is picked, and the lease is
 * found again by its public IPv6 address.
 *
 * <p>Differences from upstream: keys whose value is unreadable still occupy their subnet here
 * ({@link Occupied} is built from key names, not from parsed leases), where upstream treats them as
 * free and then loses the create race on them until it gives up; the previous subnets count as
 * taken when they overlap any key, not only when the IPv4 subnet equals one. IPv6-only: upstream
 * matches leases on the IPv4 public IP even then, which is {@code 0.0.0.0} on every IPv6-only node,
 * so a second such node takes over the first one's lease; here IPv6-only nodes are matched on
 * PublicIPv6, and each allocates an IPv6 subnet of its own.
 *
 * <p>Pure logic; not thread-safe (one acquisition at a time uses it).
 */
final class SubnetAllocator {

  private static final Logger log = LoggerFactory.getLogger(SubnetAllocator.class);

  /** How many free subnets are collected before one is picked at random, as upstream. */
  static final int MAX_CANDIDATES = 100;

  private final NetworkConfig config;
  private final EtcdKeys keys;
  private final RandomGenerator random;

  SubnetAllocator(NetworkConfig config, EtcdKeys keys, RandomGenerator random) {
    this.config = config;
    this.keys = keys;
    this.random = random;
  }

  /** The subnets every existing lease key occupies, for overlap checks. */
  static final class Occupied {
    private final Set<Ip4Net> v4 = new HashSet<>();
    private final List<Ip4Net> v4OtherLength = new ArrayList<>();
    private final Set<Ip6Net> v6 = new HashSet<>();
    private final List<Ip6Net> v6OtherLength = new ArrayList<>();
    private final int v4Length;
    private final int v6Length;

    Occupied(NetworkConfig config, Collection<LeaseKey> existing) {
      v4Length = config.subnetLen();
      v6Length = config.ipv6SubnetLen();
      for (LeaseKey key : existing) {
        if (key.subnet() != null) {
          (key.subnet().prefixLength() == v4Length ? v4 : v4OtherLength).add(key.subnet());
        }
        if (key.ipv6Subnet() != null) {
          (key.ipv6Subnet().prefixLength() == v6Length ? v6 : v6OtherLength).add(key.ipv6Subnet());
        }
      }
    }

    boolean overlaps(Ip4Net net) {
      if (net.prefixLength() == v4Length && v4.contains(net)) {
        return true;
      }
      if (net.prefixLength() != v4Length) {
        for (Ip4Net other : v4) {
          if (other.overlaps(net)) {
            return true;
          }
        }
      }
      return v4OtherLength.stream().anyMatch(net::overlaps);
    }

    boolean overlaps(Ip6Net net) {
      if (net.prefixLength() == v6Length && v6.contains(net)) {
        return true;
      }
      if (net.prefixLength() != v6Length) {
        for (Ip6Net other : v6) {
          if (other.overlaps(net)) {
            return true;
          }
        }
      }
      return v6OtherLength.stream().anyMatch(net::overlaps);
    }
  }

  /**
   * Returns true if the subnets fit the config: with IPv4 enabled the IPv4 subnet has length
   * SubnetLen and lies between SubnetMin and SubnetMax, without IPv4 there must be none; IPv6
   * likewise (upstream's {@code isSubnetConfigCompat} and {@code isIPv6SubnetConfigCompat}, where a
   * disabled family's empty network is the only one that fits).
   */
  boolean compatible(Ip4Net subnet, Ip6Net ipv6Subnet) {
    boolean v4 =
        config.enableIPv4()
            ? subnet != null
                && subnet.prefixLength() == config.subnetLen()
                && subnet.ip().compareTo(config.subnetMin()) >= 0
                && subnet.ip().compareTo(config.subnetMax()) <= 0
            : subnet == null;
    boolean v6 =
        config.enableIPv6()
            ? ipv6Subnet != null
                && ipv6Subnet.prefixLength() == config.ipv6SubnetLen()
                && ipv6Subnet.ip().compareTo(config.ipv6SubnetMin()) >= 0
                && ipv6Subnet.ip().compareTo(config.ipv6SubnetMax()) <= 0
            : ipv6Subnet == null;
    return v4 && v6;
  }

  /**
   * Returns the first lease that carries this node's public address, as upstream: the IPv4 one when
   * the config enables IPv4 ({@code attrs.publicIp()}), else, IPv6-only, the IPv6 one ({@code
   * attrs.publicIpv6()}); empty if that address is null.
   */
  Optional<Lease> findByPublicIp(Collection<Lease> leases, LeaseAttrs attrs) {
    if (config.enableIPv4()) {
      Ip4 ip = attrs.publicIp();
      return ip == null
          ? Optional.empty()
          : leases.stream().filter(l -> ip.equals(l.attrs().publicIp())).findFirst();
    }
    Ip6 ip6 = attrs.publicIpv6();
    return ip6 == null
        ? Optional.empty()
        : leases.stream().filter(l -> ip6.equals(l.attrs().publicIpv6())).findFirst();
  }

  /**
   * Returns the subnets of the previous subnet.env if no key occupies them and they fit the config;
   * logs why not otherwise. IPv6-only, the previous IPv6 subnet alone is the previous lease.
   */
  Optional<LeaseKey> previous(Optional<Ip4Net> subnet, Optional<Ip6Net> ipv6, Occupied occupied) {
    if (subnet.isEmpty() && (config.enableIPv4() || ipv6.isEmpty())) {
      return Optional.empty();
    }
    LeaseKey key = new LeaseKey(subnet.orElse(null), ipv6.orElse(null));
    if ((key.subnet() != null && occupied.overlaps(key.subnet()))
        || (key.ipv6Subnet() != null && occupied.overlaps(key.ipv6Subnet()))) {
      log.info("previously leased subnet {} is taken by another node", key);
      return Optional.empty();
    }
    if (!compatible(key.subnet(), key.ipv6Subnet())) {
      log.error(
          "found previously leased subnet {} that is not compatible with the etcd network config,"
              + " ignoring",
          key);
      return Optional.empty();
    }
    return Optional.of(key);
  }

  /**
   * Picks a free IPv4 subnet if the config enables IPv4, and a free IPv6 subnet if it enables IPv6,
   * each at random among the first {@value #MAX_CANDIDATES} free ones from SubnetMin up.
   *
   * @throws SubnetException "out of subnets" if every subnet of a range is occupied
   */
  LeaseKey allocate(Occupied occupied) throws SubnetException {
    Ip4Net subnet = config.enableIPv4() ? allocate4(occupied) : null;
    Ip6Net ipv6Subnet = config.enableIPv6() ? allocate6(occupied) : null;
    return new LeaseKey(subnet, ipv6Subnet);
  }

  private Ip4Net allocate4(Occupied occupied) throws SubnetException {
    log.info("picking subnet in range {} ... {}", config.subnetMin(), config.subnetMax());
    List<Ip4Net> free = new ArrayList<>();
    long step = 1L << (32 - config.subnetLen());
    long max = config.subnetMax().value() & 0xffffffffL;
    for (long a = config.subnetMin().value() & 0xffffffffL;
        a <= max && free.size() < MAX_CANDIDATES;
        a += step) {
      Ip4Net candidate = new Ip4Net((int) a, config.subnetLen());
      if (!occupied.overlaps(candidate)) {
        free.add(candidate);
      }
    }
    if (free.isEmpty()) {
      long count = (max - (config.subnetMin().value() & 0xffffffffL)) / step + 1;
      throw outOfSubnets(
          "every /"
              + config.subnetLen()
              + " subnet between SubnetMin "
              + config.subnetMin()
              + " and SubnetMax "
              + config.subnetMax()
              + " of Network "
              + config.network()
              + " is leased ("
              + count
              + " subnets)",
          "a larger Network, a longer SubnetLen, a wider SubnetMin..SubnetMax");
    }
    return free.get(random.nextInt(free.size()));
  }

  private Ip6Net allocate6(Occupied occupied) throws SubnetException {
    log.info(
        "picking ipv6 subnet in range {} ... {}", config.ipv6SubnetMin(), config.ipv6SubnetMax());
    List<Ip6Net> free6 = new ArrayList<>();
    Ip6Net candidate = Ip6Net.of(config.ipv6SubnetMin(), config.ipv6SubnetLen());
    while (candidate != null
        && candidate.ip().compareTo(config.ipv6SubnetMax()) <= 0
        && free6.size() < MAX_CANDIDATES) {
      if (!occupied.overlaps(candidate)) {
        free6.add(candidate);
      }
      candidate = nextOrNull(candidate);
    }
    if (free6.isEmpty()) {
      throw outOfSubnets(
          "every /"
              + config.ipv6SubnetLen()
              + " IPv6 subnet between IPv6SubnetMin "
              + config.ipv6SubnetMin()
              + " and IPv6SubnetMax "
              + config.ipv6SubnetMax()
              + " of IPv6Network "
              + config.ipv6Network()
              + " is leased",
          "a larger IPv6Network, a longer IPv6SubnetLen, a wider IPv6SubnetMin..IPv6SubnetMax");
    }
    return free6.get(random.nextInt(free6.size()));
  }

  private SubnetException outOfSubnets(String why, String room) {
    return new SubnetException(
        "out of subnets: "
            + why
            + "; delete the leases of nodes that are gone under "
            + keys.subnets()
            + ", or make room in "
            + keys.config()
            + " ("
            + room
            + ")");
  }

  private static Ip6Net nextOrNull(Ip6Net net) {
    try {
      return net.next();
    } catch (ArithmeticException e) {
      return null;
    }
  }
}
