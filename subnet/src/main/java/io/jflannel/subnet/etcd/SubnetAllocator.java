package io.jflannel.subnet.etcd;

import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseKey;
import io.jflannel.core.subnet.SubnetException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
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
 *   <li>{@link #previous}: the subnet of the previous subnet.env, if free and compatible.
 *   <li>{@link #allocate}: up to {@value #MAX_CANDIDATES} free subnets are collected scanning up
 *       from SubnetMin and one is picked at random, so that nodes starting together rarely race for
 *       the same key.
 * </ol>
 *
 * <p>Two differences from upstream, both about keys whose value is unreadable: such a key still
 * occupies its subnet here ({@link Occupied} is built from key names, not from parsed leases),
 * where upstream treats it as free and then loses the create race on it until it gives up; and the
 * previous subnet counts as taken when it overlaps any key, not only when it equals one.
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
        (key.subnet().prefixLength() == v4Length ? v4 : v4OtherLength).add(key.subnet());
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
   * Returns true if the subnets fit the config: the IPv4 subnet has length SubnetLen and lies
   * between SubnetMin and SubnetMax; with IPv6 enabled the IPv6 subnet likewise, without IPv6 there
   * must be none (upstream's {@code isSubnetConfigCompat} and {@code isIPv6SubnetConfigCompat}).
   */
  boolean compatible(Ip4Net subnet, Ip6Net ipv6Subnet) {
    if (subnet == null
        || subnet.prefixLength() != config.subnetLen()
        || subnet.ip().compareTo(config.subnetMin()) < 0
        || subnet.ip().compareTo(config.subnetMax()) > 0) {
      return false;
    }
    if (!config.enableIPv6()) {
      return ipv6Subnet == null;
    }
    return ipv6Subnet != null
        && ipv6Subnet.prefixLength() == config.ipv6SubnetLen()
        && ipv6Subnet.ip().compareTo(config.ipv6SubnetMin()) >= 0
        && ipv6Subnet.ip().compareTo(config.ipv6SubnetMax()) <= 0;
  }

  /** Returns the first lease whose public IPv4 address is {@code publicIp}, as upstream. */
  static Optional<Lease> findByPublicIp(Collection<Lease> leases, Ip4 publicIp) {
    return leases.stream().filter(l -> Objects.equals(publicIp, l.attrs().publicIp())).findFirst();
  }

  /**
   * Returns the subnets of the previous subnet.env if no key occupies them and they fit the config;
   * logs why not otherwise.
   */
  Optional<LeaseKey> previous(Optional<Ip4Net> subnet, Optional<Ip6Net> ipv6, Occupied occupied) {
    if (subnet.isEmpty()) {
      return Optional.empty();
    }
    LeaseKey key = new LeaseKey(subnet.get(), ipv6.orElse(null));
    if (occupied.overlaps(key.subnet())
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
   * Picks a free subnet (and, dual-stack, a free IPv6 subnet) at random among the first {@value
   * #MAX_CANDIDATES} free ones from SubnetMin up.
   *
   * @throws SubnetException "out of subnets" if every subnet of the range is occupied
   */
  LeaseKey allocate(Occupied occupied) throws SubnetException {
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
              + " subnets)");
    }
    Ip4Net subnet = free.get(random.nextInt(free.size()));
    if (!config.enableIPv6()) {
      return new LeaseKey(subnet, null);
    }
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
              + " is leased");
    }
    return new LeaseKey(subnet, free6.get(random.nextInt(free6.size())));
  }

  private SubnetException outOfSubnets(String why) {
    return new SubnetException(
        "out of subnets: "
            + why
            + "; delete the leases of nodes that are gone under "
            + keys.subnets()
            + ", or make room in "
            + keys.config()
            + " (a larger Network, a longer SubnetLen, a wider SubnetMin..SubnetMax)");
  }

  private static Ip6Net nextOrNull(Ip6Net net) {
    try {
      return net.next();
    } catch (ArithmeticException e) {
      return null;
    }
  }
}
