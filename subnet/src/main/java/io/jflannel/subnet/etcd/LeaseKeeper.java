package io.jflannel.subnet.etcd;

import io.jflannel.core.lease.Lease;
import io.jflannel.core.subnet.SubnetException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's lease alive and notices when it is taken away: what {@link
 * EtcdSubnetManager#completeLease} starts (upstream's {@code CompleteLease}).
 *
 * <p>Renewal. At {@code expiration − renew margin} the key is written again with a newly granted
 * etcd lease of the full TTL, as upstream does; a failure is retried every {@code renewRetryPeriod}
 * (upstream: 1 min). Re-writing rather than {@code LeaseKeepAlive}: it also restores the value, and
 * it still works when the old etcd lease is gone (an etcd restored from a backup), at the cost of
 * one PUT event per renewal for the peers, which they absorb (an unchanged lease is not reported
 * downstream). Unlike upstream the write is conditional on the key's create revision, so a key
 * deleted meanwhile is not silently re-created, and the lease granted for a write that failed in
 * transit is not revoked (if the write did land, revoking would delete the key). Old etcd leases
 * are left to expire, as upstream does. A reservation (a key without TTL) is never renewed.
 *
 * <p>Loss. The key is watched from the acquisition's revision on. When it is deleted (by an
 * operator, or by etcd after the TTL ran out while renewals failed) or re-created by someone else,
 * the lease is lost: renewal stops and {@code onLost} is called exactly once, on this keeper's
 * thread. Upstream logs "Lease has been revoked. Shutting down daemon." and exits.
 *
 * <p>Thread-safety: all renewal work runs on the keeper's own single thread; loss may be detected
 * on a watch callback thread and is handed over to that thread. Owns its executor and its watch.
 */
final class LeaseKeeper implements AutoCloseable, ResilientWatch.Handler {

  private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

  private final EtcdStore store;
  private final Duration renewMargin;
  private final EtcdTimings timings;
  private final Clock clock;
  private final Consumer<Lease> onLost;
  private final ScheduledExecutorService executor;
  private final ResilientWatch watch;
  private final AtomicBoolean lost = new AtomicBoolean();
  private volatile OwnLease current;
  private volatile boolean closed;
  private final AtomicLong renewals = new AtomicLong();
  private volatile ScheduledFuture<?> renewal; // set on the executor thread, cancelled by close

  LeaseKeeper(
      EtcdStore store,
      OwnLease own,
      Duration renewMargin,
      EtcdTimings timings,
      Clock clock,
      RandomGenerator random,
      Consumer<Lease> onLost) {
    this.store = store;
    this.current = own;
    this.renewMargin = renewMargin;
    this.timings = timings;
    this.clock = clock;
    this.onLost = onLost;
    this.executor = Schedulers.singleThread("jflannel-etcd-lease");
    this.watch =
        new ResilientWatch(
            store,
            own.key(),
            false,
            own.lease().revision(),
            this,
            executor,
            timings,
            random,
            "watch of own lease " + own.key());
  }

  /** Starts the renewal timer and the watch of the own key. */
  void start() {
    executor.execute(() -> scheduleRenewal(current.lease().expiration()));
    watch.start(false);
  }

  /** Returns how many renewals succeeded. */
  long renewals() {
    return renewals.get();
  }

  /** Returns the lease as last renewed. */
  OwnLease current() {
    return current;
  }

  @Override
  public void close() {
    closed = true;
    watch.close();
    executor.shutdown();
    ScheduledFuture<?> pending = renewal;
    if (pending != null) {
      pending.cancel(true);
    }
  }

  @Override
  public void onEvents(List<EtcdStore.Event> events) {
    for (EtcdStore.Event event : events) {
      if (event.deleted()) {
        lose("its key " + current.key() + " was deleted (by an operator, or expired)");
        return;
      }
      if (event.kv().createRevision() != current.createRevision()) {
        lose("its key " + current.key() + " was re-created by someone else");
        return;
      }
    }
  }

  @Override
  public long resync() throws SubnetException, InterruptedException {
    EtcdStore.Listing listing = store.get(current.key());
    if (listing.entries().isEmpty()) {
      lose("its key " + current.key() + " was deleted (by an operator, or expired)");
    } else if (listing.entries().get(0).createRevision() != current.createRevision()) {
      lose("its key " + current.key() + " was re-created by someone else");
    }
    return listing.revision();
  }

  private void scheduleRenewal(Instant expiration) {
    if (closed || lost.get()) {
      return;
    }
    if (expiration == null) {
      log.info("lease {} is a reservation (no TTL): not renewed", current.lease().subnets());
      return;
    }
    Duration wait = Duration.between(clock.instant(), expiration).minus(renewMargin);
    if (wait.isNegative()) {
      wait = Duration.ZERO;
    }
    log.info("waiting for {} to renew lease {}", wait, current.lease().subnets());
    schedule(this::renew, wait);
  }

  private void schedule(Runnable task, Duration delay) {
    try {
      renewal = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("lease renewal not scheduled: the keeper is closed");
    }
  }

  private void renew() {
    if (closed || lost.get()) {
      return;
    }
    OwnLease own = current;
    try {
      Instant granted = clock.instant();
      EtcdStore.Grant grant = store.grant(timings.leaseTtl());
      OptionalLong revision =
          store.replaceIfSame(own.key(), own.value(), grant.id(), own.createRevision());
      if (revision.isEmpty()) {
        store.revokeQuietly(grant.id());
        lose("its key " + own.key() + " was deleted or re-created before the renewal");
        return;
      }
      Instant expiration = granted.plusSeconds(grant.ttlSeconds());
      current = own.renewed(grant.id(), expiration, revision.getAsLong());
      renewals.incrementAndGet();
      log.info("lease {} renewed, new expiration: {}", own.lease().subnets(), expiration);
      scheduleRenewal(expiration);
    } catch (SubnetException e) {
      log.error(
          "error renewing lease {} (trying again in {}): {}",
          own.lease().subnets(),
          timings.renewRetryPeriod(),
          e.getMessage());
      if (!closed) {
        schedule(this::renew, timings.renewRetryPeriod());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // closing
    }
  }

  private void lose(String why) {
    if (closed || !lost.compareAndSet(false, true)) {
      return;
    }
    Lease lease = current.lease();
    log.error("lease {} has been revoked: {}", lease.subnets(), why);
    try {
      executor.execute(
          () -> {
            ScheduledFuture<?> pending = renewal;
            if (pending != null) {
              pending.cancel(false);
            }
            watch.close();
            try {
              onLost.accept(lease);
            } catch (RuntimeException e) {
              log.error("the lease-lost callback failed", e);
            }
          });
    } catch (RejectedExecutionException e) {
      log.debug("lease loss not reported: the keeper is closed");
    }
  }
}
