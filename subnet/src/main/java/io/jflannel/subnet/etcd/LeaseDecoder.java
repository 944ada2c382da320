package io.jflannel.subnet.etcd;

import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns etcd keys under {@code <prefix>/subnets/} into leases, and logs each bad key once.
 *
 * <p>A key whose name is not a subnet key, or whose value is not upstream's lease JSON, is skipped
 * with one WARN line for that key (upstream logs "Ignoring bad subnet node" every time it lists),
 * and every other peer keeps working. The warning is repeated only after the key was deleted or
 * held a good value in between, so a re-list after a compaction or a reconnect does not repeat it.
 *
 * <p>Expiration: a key without an etcd lease is a reservation and gets a null expiration. For a key
 * with a lease the expiration is estimated as "now + the lease TTL" (24 h, what upstream and
 * jflannel grant on every write) rather than asked from etcd: upstream makes one {@code TimeToLive}
 * request per key on every list and every event, i.e. 5,000 round trips when a 5,000-node cluster
 * starts, and nothing reads a peer's expiration. The own lease's expiration is exact; it does not
 * come from here.
 *
 * <p>Thread-safe.
 */
final class LeaseDecoder {

  private static final Logger log = LoggerFactory.getLogger(LeaseDecoder.class);

  private final EtcdKeys keys;
  private final Duration ttl;
  private final Clock clock;
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  LeaseDecoder(EtcdKeys keys, Duration ttl, Clock clock) {
    this.keys = keys;
    this.ttl = ttl;
    this.clock = clock;
  }

  /** Returns the subnets a full key names, or empty (warning once) if it names none. */
  Optional<SubnetKey> key(String fullKey) {
    Optional<SubnetKey> key = keys.parse(fullKey);
    if (key.isEmpty()) {
      warnOnce(fullKey, "its name is not a subnet like 10.5.52.0-24 or 10.5.52.0-24&fc00::-64");
    }
    return key;
  }

  /**
   * Returns the lease an entry holds, or empty (warning once) if its name or value is bad.
   *
   * @param now the instant to estimate the expiration from
   */
  Optional<Lease> lease(EtcdStore.Entry entry, Instant now) {
    Optional<SubnetKey> key = key(entry.key());
    if (key.isEmpty()) {
      return Optional.empty();
    }
    LeaseAttrs attrs;
    try {
      attrs = LeaseAttrs.fromJson(entry.value());
    } catch (IllegalArgumentException e) {
      warnOnce(entry.key(), e.getMessage());
      return Optional.empty();
    }
    forget(entry.key());
    Instant expiration = entry.leaseId() == 0 ? null : now.plus(ttl);
    return Optional.of(
        new Lease(
            key.get().subnet(), key.get().ipv6Subnet(), attrs, expiration, entry.modRevision()));
  }

  /** Returns the lease an entry holds, estimating the expiration from the current time. */
  Optional<Lease> lease(EtcdStore.Entry entry) {
    return lease(entry, clock.instant());
  }

  /** Forgets that a key was warned about (it was deleted or now holds a good value). */
  void forget(String fullKey) {
    warned.remove(fullKey);
  }

  /** Returns the keys currently warned about; for tests and diagnostics. */
  Set<String> warnedKeys() {
    return Set.copyOf(warned);
  }

  private void warnOnce(String fullKey, String reason) {
    if (warned.add(fullKey)) {
      log.warn(
          "ignoring bad subnet lease {}: {}; other peers are unaffected; fix it or delete it"
              + " (etcdctl del {})",
          printable(fullKey),
          reason,
          printable(fullKey));
    }
  }

  private static String printable(String text) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length() && i < 200; i++) {
      char c = text.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return text.length() > 200 ? out + "..." : out.toString();
  }
}
