package io.jflannel.subnet.etcd;

import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.lease.LeaseKey;
import io.jflannel.core.subnet.LeaseListener;
import io.jflannel.core.subnet.LeaseWatch;
import io.jflannel.core.subnet.SubnetException;
import io.jflannel.subnet.LeaseDelivery;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer-lease watch of {@link EtcdSubnetManager#watchLeases}: lists {@code <prefix>/subnets/},
 * then watches it from the listing's revision + 1 and turns etcd's PUT and DELETE events into
 * {@link LeaseEvent}s for a {@link LeaseListener}.
 *
 * <p>Mechanism. The watch keeps the state of every peer it has reported ({@code known}: subnets →
 * lease). A PUT reports {@code Added} when the peer is new or its attributes changed; a renewal
 * (same attributes, new etcd lease) only updates the state, so 5,000 peers renewing every 23 h
 * cause no work downstream. A DELETE, which is also how a TTL expiry arrives, reports {@code
 * Removed} with the last known lease. A key with a bad name or value is skipped with one warning
 * ({@link LeaseDecoder}) and the previous state of that peer, if any, is kept: a peer is never torn
 * down because someone wrote garbage over its key. The initial listing and every re-listing after a
 * compaction go through one diff against {@code known} ({@link #resync}), which emits exactly the
 * differences (upstream's {@code LeaseWatcher.Reset}). Reconnects resume after the last revision
 * seen ({@link ResilientWatch}), so nothing is lost or repeated. Events go through a {@link
 * LeaseDelivery}, which coalesces them per lease and calls the listener on its own thread, the
 * first listing first.
 *
 * <p>Thread-safety: {@code known} is guarded by this object's monitor; watch callbacks, re-listing
 * and {@link #close} may come from different threads. Owns its executor (one thread that lists and
 * reconnects) and its delivery (one thread that calls the listener).
 */
final class EtcdLeaseWatch implements LeaseWatch, ResilientWatch.Handler {

  private static final Logger log = LoggerFactory.getLogger(EtcdLeaseWatch.class);

  private final EtcdStore store;
  private final EtcdKeys keys;
  private final LeaseDecoder decoder;
  private final LeaseKey own;
  private final Clock clock;
  private final Runnable onClose;
  private final LeaseDelivery delivery;
  private final ScheduledExecutorService executor;
  private final ResilientWatch watch;
  private final long relistMillis;

  /** How often the watch is pinged, and how long an answer may take (see {@link #unreachable}). */
  static final Duration PING = Duration.ofSeconds(5);

  private final Map<LeaseKey, Lease> known = new HashMap<>(); // guarded by this
  private boolean listed; // guarded by this: the first listing is done
  private EtcdStore.Listing initial; // guarded by this: a listing to start from, used once
  private boolean checking; // guarded by this: the next resync is the periodic re-list

  EtcdLeaseWatch(
      EtcdStore store,
      EtcdKeys keys,
      LeaseDecoder decoder,
      LeaseKey own,
      LeaseListener listener,
      EtcdTimings timings,
      Clock clock,
      RandomGenerator random,
      String threadSuffix,
      EtcdStore.Listing initial,
      Runnable onClose) {
    this.store = store;
    this.initial = initial;
    this.keys = keys;
    this.decoder = decoder;
    this.own = own;
    this.clock = clock;
    this.onClose = onClose;
    this.delivery = new LeaseDelivery(listener, "jflannel-etcd-leases-" + threadSuffix);
    this.executor = Schedulers.singleThread("jflannel-etcd-watch-" + threadSuffix);
    this.relistMillis = Math.max(1, timings.relistPeriod().toMillis());
    this.watch =
        new ResilientWatch(
            store,
            keys.subnets(),
            true,
            0,
            this,
            executor,
            timings,
            random,
            "lease watch of " + keys.subnets());
  }

  /**
   * Starts listing, watching and delivering; the listing is retried with backoff until it works.
   * With an initial listing (the one the lease acquisition just made), the watch starts from it
   * instead of listing again, and resumes after its revision; if etcd has compacted that revision
   * meanwhile, the watch re-lists as after any compaction.
   */
  void start() {
    watch.start(true);
    executor.scheduleWithFixedDelay(
        this::relist, relistMillis, relistMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    executor.scheduleWithFixedDelay(
        this::ping, PING.toMillis(), PING.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /**
   * Returns the peers as the watch knows them (this node's own lease excluded), or empty until the
   * first listing is done. The state is etcd's at the last revision the watch has seen: the first
   * listing, then every event after it in order; re-listed after a compaction and every {@link
   * EtcdTimings#relistPeriod}. A key with a bad value keeps its peer's last good lease here, as in
   * the events.
   */
  synchronized java.util.Optional<List<Lease>> leases() {
    return listed ? java.util.Optional.of(List.copyOf(known.values())) : java.util.Optional.empty();
  }

  /**
   * Why etcd cannot be reached by this watch now, or empty while it can: the watch fails, or a ping
   * ({@link #ping}, every {@link #PING}) has gone unanswered for longer than that.
   */
  Optional<String> unreachable() {
    return watch.pulse().down(PING);
  }

  /** Sends a ping unless the last one is unanswered (see {@link WatchPulse}). */
  private void ping() {
    WatchPulse pulse = watch.pulse();
    if (pulse.pinging()) {
      store
          .ping(keys.config())
          .whenComplete(
              (answer, error) -> {
                if (error == null) {
                  if (pulse.answered() && watch.reconnect()) {
                    log.info(
                        "{}: etcd answers again after a missed ping; watching on a new connection",
                        keys.subnets());
                  }
                } else {
                  pulse.unanswered();
                }
              });
    }
  }

  /**
   * The periodic safety net: re-lists and diffs against the state, which reports (and logs at WARN)
   * anything the watch missed. Runs on the executor; skipped while a listing or reconnect is under
   * way.
   */
  private void relist() {
    synchronized (this) {
      if (!listed) {
        return;
      }
      checking = true;
    }
    if (!watch.relist()) {
      synchronized (this) {
        checking = false;
      }
    }
  }

  @Override
  public void close() {
    watch.close();
    executor.shutdownNow();
    delivery.close();
    synchronized (this) {
      known.clear();
    }
    onClose.run();
  }

  /** Returns the number of peers reported and not removed; for tests and the benchmark. */
  synchronized int peerCount() {
    return known.size();
  }

  /** Returns the delivery, for tests. */
  LeaseDelivery delivery() {
    return delivery;
  }

  @Override
  public long resync() throws SubnetException, InterruptedException {
    EtcdStore.Listing listing;
    synchronized (this) {
      listing = initial;
      initial = null;
    }
    if (listing == null) {
      listing = store.list(keys.subnets());
    }
    decoder.retainListed(listing);
    synchronized (this) {
      int before = known.size();
      Map<LeaseKey, LeaseEvent> events = new LinkedHashMap<>();
      Set<LeaseKey> present = putListed(listing, events);
      int changed = events.size();
      removeUnlisted(present, events);
      delivery.offerAll(events.values());
      delivery.release(); // the first listing is offered: the first batch is the whole peer set
      endResync(listing.revision(), before, changed, events.size() - changed);
    }
    return listing.revision();
  }

  /**
   * Puts every peer of {@code listing} into the state, adding its event to {@code events} if it is
   * new or changed, and returns the keys of the listing: those of good leases, and the good keys
   * that hold a bad value (their peers' last good leases are kept). Caller holds the monitor.
   */
  private Set<LeaseKey> putListed(EtcdStore.Listing listing, Map<LeaseKey, LeaseEvent> events) {
    Instant now = clock.instant();
    Set<LeaseKey> present = new HashSet<>();
    for (EtcdStore.Entry entry : listing.entries()) {
      Optional<Lease> lease = decoder.lease(entry, now);
      if (lease.isPresent()) {
        present.add(lease.get().key()); // the key it was read from, not parsed again
        put(lease.get(), events);
      } else {
        keys.parse(entry.key()).ifPresent(present::add); // a bad value under a good key
      }
    }
    return present;
  }

  /**
   * Removes from the state every peer that is not {@code present}, adding a {@code Removed} event
   * with its last known lease to {@code events}. Caller holds the monitor.
   */
  private void removeUnlisted(Set<LeaseKey> present, Map<LeaseKey, LeaseEvent> events) {
    for (Iterator<Map.Entry<LeaseKey, Lease>> it = known.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<LeaseKey, Lease> peer = it.next();
      if (!present.contains(peer.getKey())) {
        it.remove();
        events.put(peer.getKey(), new LeaseEvent.Removed(peer.getValue()));
      }
    }
  }

  /**
   * Ends a resync from a listing at {@code revision}: marks the first listing done or the periodic
   * check over, and logs what the listing changed: at WARN if the periodic re-list found anything
   * (the watch had missed it), at INFO for the first listing and a re-list after a compaction.
   * Caller holds the monitor.
   */
  private void endResync(long revision, int before, int changed, int removed) {
    boolean check = checking;
    checking = false;
    if (check) {
      if (changed + removed == 0) {
        log.debug(
            "lease watch of {}: periodic re-list at revision {}: {} peers, as watched",
            keys.subnets(),
            revision,
            known.size());
      } else {
        log.warn(
            "lease watch of {}: periodic re-list at revision {} found {} added or changed and {}"
                + " removed peers the watch had not reported (missed, or changed during the"
                + " re-list); applying them",
            keys.subnets(),
            revision,
            changed,
            removed);
      }
    } else if (!listed) {
      listed = true;
      log.info(
          "lease watch of {}: {} peers at revision {}", keys.subnets(), known.size(), revision);
    } else {
      log.info(
          "lease watch of {}: re-listed at revision {}: {} peers before, {} added or changed,"
              + " {} removed",
          keys.subnets(),
          revision,
          before,
          changed,
          removed);
    }
  }

  @Override
  public synchronized void onEvents(List<EtcdStore.Event> events) {
    Instant now = clock.instant();
    Map<LeaseKey, LeaseEvent> out = new LinkedHashMap<>();
    for (EtcdStore.Event event : events) {
      String key = event.kv().key();
      if (event.deleted()) {
        decoder.forget(key);
        keys.parse(key).ifPresent(k -> remove(k, out));
      } else {
        decoder.lease(event.kv(), now).ifPresent(lease -> put(lease, out));
      }
    }
    delivery.offerAll(out.values());
  }

  /**
   * Records a peer's lease and adds an {@code Added} event to {@code out} if the peer is new or its
   * attributes changed; a renewal (same attributes, new etcd lease) only updates the state.
   */
  private void put(Lease lease, Map<LeaseKey, LeaseEvent> out) {
    LeaseKey key = lease.key();
    if (key.equals(own)) {
      return;
    }
    Lease previous = known.put(key, lease);
    if (previous != null && previous.attrs().equals(lease.attrs())) {
      return;
    }
    log.debug("lease {}: {} via {}", previous == null ? "added" : "changed", key, lease);
    out.remove(key);
    out.put(key, new LeaseEvent.Added(lease));
  }

  private void remove(LeaseKey key, Map<LeaseKey, LeaseEvent> out) {
    Lease previous = known.remove(key);
    if (previous != null) {
      log.debug("lease removed: {}", key);
      out.remove(key);
      out.put(key, new LeaseEvent.Removed(previous));
    }
  }
}
