package io.jflannel.subnet.etcd;

import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
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
 * <p>Decoded leases are kept per key, with the key's {@code mod_revision}, etcd lease and value,
 * and handed out again while all three are unchanged: a periodic reconcile lists 5,000 unchanged
 * keys every pass, and at start the acquisition, the watch and the first reconcile list the same
 * keys, so each value is decoded once instead of on every listing (issue #4). A key's {@code
 * mod_revision} changes with every write, so a rewritten key is decoded again; the value's length
 * and hash are compared as well (not the text, which would double the memory kept at 50,000 peers),
 * so an etcd that was wiped and refilled, where revisions start over, is caught too. A kept lease
 * keeps the expiration estimated when its value was first seen. A key leaves the cache when the
 * watch sees it deleted ({@link #forget}) or a full listing no longer holds it ({@link
 * #retainListed}); bad values are never kept, so their single warning works as before. The cache
 * holds one small entry per peer beside the lease the watch holds anyway.
 *
 * <p>Thread-safe.
 */
final class LeaseDecoder {

  private static final Logger log = LoggerFactory.getLogger(LeaseDecoder.class);

  private final EtcdKeys keys;
  private final Duration ttl;
  private final Clock clock;
  private final Set<String> warned = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<String, Decoded> decoded = new ConcurrentHashMap<>();

  /** A good value as decoded, and what identifies it. */
  private record Decoded(
      long modRevision, long leaseId, int valueLength, int valueHash, Lease lease) {
    boolean matches(EtcdStore.Entry entry) {
      return modRevision == entry.modRevision()
          && leaseId == entry.leaseId()
          && valueLength == entry.value().length()
          && valueHash == entry.value().hashCode();
    }
  }

  LeaseDecoder(EtcdKeys keys, Duration ttl, Clock clock) {
    this.keys = keys;
    this.ttl = ttl;
    this.clock = clock;
  }

  /** Returns the subnets a full key names, or empty (warning once) if it names none. */
  Optional<LeaseKey> key(String fullKey) {
    Optional<LeaseKey> key = keys.parse(fullKey);
    if (key.isEmpty()) {
      warnOnce(
          fullKey,
          "its name is not a subnet like 10.5.52.0-24, 10.5.52.0-24&fc00::-64 or"
              + " 0.0.0.0-0&fc00::-64");
    }
    return key;
  }

  /**
   * Returns the lease an entry holds, or empty (warning once) if its name or value is bad.
   *
   * @param now the instant to estimate the expiration from
   */
  Optional<Lease> lease(EtcdStore.Entry entry, Instant now) {
    Decoded kept = decoded.get(entry.key());
    if (kept != null && kept.matches(entry)) {
      return Optional.of(kept.lease);
    }
    Optional<LeaseKey> key = key(entry.key());
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
    warned.remove(entry.key());
    Instant expiration = entry.leaseId() == 0 ? null : now.plus(ttl);
    Lease lease =
        new Lease(
            key.get().subnet(), key.get().ipv6Subnet(), attrs, expiration, entry.modRevision());
    decoded.put(
        entry.key(),
        new Decoded(
            entry.modRevision(),
            entry.leaseId(),
            entry.value().length(),
            entry.value().hashCode(),
            lease));
    return Optional.of(lease);
  }

  /** Returns the lease an entry holds, estimating the expiration from the current time. */
  Optional<Lease> lease(EtcdStore.Entry entry) {
    return lease(entry, clock.instant());
  }

  /** Forgets a deleted key: its kept decoding, and that it was warned about. */
  void forget(String fullKey) {
    warned.remove(fullKey);
    decoded.remove(fullKey);
  }

  /**
   * Drops the kept decodings of keys that a complete listing of the subnets no longer holds (they
   * were deleted while no watch saw it). Cheap when nothing was deleted: the set of listed keys is
   * only built when more keys are kept than were listed.
   */
  void retainListed(EtcdStore.Listing listing) {
    if (decoded.size() <= listing.entries().size()) {
      return;
    }
    Set<String> listed = new HashSet<>(listing.entries().size() * 2);
    for (EtcdStore.Entry entry : listing.entries()) {
      listed.add(entry.key());
    }
    decoded.keySet().retainAll(listed);
  }

  /** Returns how many decodings are kept; for tests. */
  int keptCount() {
    return decoded.size();
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
