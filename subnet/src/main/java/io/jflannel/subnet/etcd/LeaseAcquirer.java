package io.jflannel.subnet.etcd;

import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseKey;
import io.jflannel.core.subnet.SubnetException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Obtains this node's lease in etcd: upstream's {@code AcquireLease} ({@code
 * pkg/subnet/etcd/local_manager.go}), the store half of what {@link SubnetAllocator} decides.
 *
 * <p>Each attempt lists {@code <prefix>/subnets/}, then either rewrites the key that carries this
 * node's public IP (conditional on its create revision; a fresh etcd lease, or none for a
 * reservation), or creates the chosen key with {@code If(Version(key) == 0) Then(Put(key, attrs,
 * lease))}. A failed condition means another node got there first: the etcd lease granted for the
 * attempt is revoked and the next attempt lists again, up to {@value #RACE_RETRIES} attempts, as
 * upstream. A grant is not revoked after a request that failed in transit: the write may have
 * landed, and then the next attempt finds and reuses the key by its public IP.
 *
 * <p>Not thread-safe; one acquisition uses one instance.
 */
final class LeaseAcquirer {

  private static final Logger log = LoggerFactory.getLogger(LeaseAcquirer.class);

  /** How many times acquisition lists again after losing a create race, as upstream. */
  static final int RACE_RETRIES = 10;

  private final EtcdStore store;
  private final EtcdKeys keys;
  private final LeaseDecoder decoder;
  private final EtcdOptions options;
  private final EtcdTimings timings;
  private final Clock clock;
  private final RandomGenerator random;
  private EtcdStore.Listing listing; // of the last attempt; null if that attempt deleted a key

  LeaseAcquirer(
      EtcdStore store,
      EtcdKeys keys,
      LeaseDecoder decoder,
      EtcdOptions options,
      EtcdTimings timings,
      Clock clock,
      RandomGenerator random) {
    this.store = store;
    this.keys = keys;
    this.decoder = decoder;
    this.options = options;
    this.timings = timings;
    this.clock = clock;
    this.random = random;
  }

  /**
   * Acquires this node's lease under {@code config}, publishing {@code attrs}.
   *
   * @throws SubnetException if etcd cannot be reached, no subnet is free, the races were lost 10
   *     times, or the attributes lack the public address the lease is found by (IPv4, or IPv6 in an
   *     IPv6-only network)
   */
  OwnLease acquire(NetworkConfig current, LeaseAttrs attrs)
      throws SubnetException, InterruptedException {
    if (current.enableIPv4() && attrs.publicIp() == null) {
      throw new SubnetException(
          "etcd mode finds a node's lease by its public IPv4 address, and none was given; give"
              + " the node an IPv4 address (--public-ip, --iface)");
    }
    if (!current.enableIPv4() && attrs.publicIpv6() == null) {
      throw new SubnetException(
          "etcd mode finds an IPv6-only node's lease by its public IPv6 address, and none was"
              + " given; give the node an IPv6 address (--public-ipv6, --iface)");
    }
    SubnetAllocator allocator = new SubnetAllocator(current, keys, random);
    for (int attempt = 1; attempt <= RACE_RETRIES; attempt++) {
      Optional<OwnLease> acquired = tryAcquire(current, allocator, attrs);
      if (acquired.isPresent()) {
        return acquired.get();
      }
      log.info(
          "another node took the subnet first (attempt {} of {}); trying again",
          attempt,
          RACE_RETRIES);
    }
    throw new SubnetException(
        "max retries reached trying to acquire a subnet: "
            + RACE_RETRIES
            + " attempts to create a key under "
            + keys.subnets()
            + " lost the race to other nodes; start again (many nodes starting at once settle)");
  }

  /**
   * One attempt: lists the leases, then reuses the key that carries this node's public IP if it
   * fits the config, or else (deleting that key if there is one) creates the key of this node's
   * previous subnet or of a free one. Empty if another node got there first.
   */
  private Optional<OwnLease> tryAcquire(
      NetworkConfig current, SubnetAllocator allocator, LeaseAttrs attrs)
      throws SubnetException, InterruptedException {
    String value = attrs.toJson();
    EtcdStore.Listing listing = store.list(keys.subnets());
    this.listing = listing;
    decoder.retainListed(listing);
    Instant now = clock.instant();
    List<LeaseKey> existing = new ArrayList<>();
    List<Lease> leases = new ArrayList<>();
    Map<LeaseKey, EtcdStore.Entry> entries = new HashMap<>();
    for (EtcdStore.Entry entry : listing.entries()) {
      keys.parse(entry.key()).ifPresent(existing::add);
      decoder
          .lease(entry, now)
          .ifPresent(
              lease -> {
                leases.add(lease);
                entries.put(lease.key(), entry);
              });
    }

    Optional<Lease> mine = allocator.findByPublicIp(leases, attrs);
    if (mine.isPresent()) {
      Lease lease = mine.get();
      EtcdStore.Entry entry = entries.get(lease.key());
      if (allocator.compatible(lease.subnet(), lease.ipv6Subnet())) {
        log.info("found lease {} for current IP ({}), reusing", lease.subnets(), publicIps(attrs));
        return reuse(lease, entry, attrs, value);
      }
      log.info(
          "found lease {} for current IP ({}) but not compatible with current config, deleting",
          lease.subnets(),
          publicIps(attrs));
      store.delete(entry.key());
      this.listing = null; // it still holds the deleted key
    }

    SubnetAllocator.Occupied occupied = new SubnetAllocator.Occupied(current, existing);
    Optional<LeaseKey> previous =
        allocator.previous(options.previousSubnet(), options.previousIpv6Subnet(), occupied);
    previous.ifPresent(k -> log.info("found previously leased subnet {}, reusing", k));
    LeaseKey key = previous.isPresent() ? previous.get() : allocator.allocate(occupied);
    return create(key, attrs, value);
  }

  /**
   * Creates the key of the chosen subnet under a fresh etcd lease, if no other node has created it
   * meanwhile; empty (the grant revoked) if one has.
   */
  private Optional<OwnLease> create(LeaseKey key, LeaseAttrs attrs, String value)
      throws SubnetException, InterruptedException {
    String fullKey = keys.lease(key);
    Instant granted = clock.instant();
    EtcdStore.Grant grant = store.grant(timings.leaseTtl());
    OptionalLong revision = store.createIfAbsent(fullKey, value, grant.id());
    if (revision.isEmpty()) {
      store.revokeQuietly(grant.id());
      return Optional.empty();
    }
    log.info("allocated lease {} to current node ({})", key, publicIps(attrs));
    Lease lease =
        new Lease(
            key.subnet(),
            key.ipv6Subnet(),
            attrs,
            granted.plusSeconds(grant.ttlSeconds()),
            revision.getAsLong());
    return Optional.of(new OwnLease(lease, fullKey, value, revision.getAsLong(), grant.id()));
  }

  /** The node's public addresses for log lines: {@code 192.168.1.2}, {@code fd00::2} or both. */
  private static String publicIps(LeaseAttrs attrs) {
    if (attrs.publicIpv6() == null) {
      return String.valueOf(attrs.publicIp());
    }
    return attrs.publicIp() == null
        ? attrs.publicIpv6().toString()
        : attrs.publicIp() + ", " + attrs.publicIpv6();
  }

  /**
   * Returns the listing the successful attempt was decided on, for the lease watch to start from
   * instead of listing again; empty if that attempt deleted a key (the listing would show it).
   */
  Optional<EtcdStore.Listing> listing() {
    return Optional.ofNullable(listing);
  }

  /**
   * Rewrites this node's existing key with the new attributes: a fresh TTL, or none if reserved.
   */
  private Optional<OwnLease> reuse(
      Lease found, EtcdStore.Entry entry, LeaseAttrs attrs, String value)
      throws SubnetException, InterruptedException {
    boolean reservation = entry.leaseId() == 0;
    Instant granted = clock.instant();
    EtcdStore.Grant grant = reservation ? null : store.grant(timings.leaseTtl());
    long leaseId = reservation ? 0 : grant.id();
    OptionalLong revision =
        store.replaceIfSame(entry.key(), value, leaseId, entry.createRevision());
    if (revision.isEmpty()) {
      store.revokeQuietly(leaseId);
      return Optional.empty();
    }
    Instant expiration = reservation ? null : granted.plusSeconds(grant.ttlSeconds());
    Lease lease =
        new Lease(found.subnet(), found.ipv6Subnet(), attrs, expiration, revision.getAsLong());
    return Optional.of(new OwnLease(lease, entry.key(), value, entry.createRevision(), leaseId));
  }
}
