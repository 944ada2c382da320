package io.jflannel.subnet.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import io.jflannel.core.subnet.SubnetException;
import io.jflannel.subnet.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An etcd watch that survives errors: it resumes after the last revision it has seen, reconnects
 * with jittered backoff, and when etcd has compacted that revision away it asks its handler to
 * re-read the state and resumes after the re-read.
 *
 * <p>Mechanism. Each watch stream it opens carries a generation number; a callback of an older
 * generation (a stream being closed) is ignored, and an event whose {@code modRevision} is not
 * above the last revision seen is dropped, so overlapping streams can neither duplicate nor reorder
 * events. A failed stream is closed at once and the next one opened from the one resume point.
 * Progress notifications advance the resume revision when nothing under the key changes. The
 * handler's {@link Handler#onEvents} runs under this watch's lock, so calls are serial; it must be
 * quick. {@link Handler#resync} runs on the executor, with no stream open.
 *
 * <p>Thread-safety: safe for use from any thread. Stream callbacks arrive on the HTTP client's
 * threads; no stream is opened or closed while this class's lock is held. Does not own the store or
 * the executor.
 */
final class ResilientWatch implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ResilientWatch.class);

  /** What a resilient watch reports to. */
  interface Handler {

    /**
     * Handles the events of one watch response: new revisions only, in order, one call at a time.
     */
    void onEvents(List<EtcdStore.Event> events);

    /**
     * Re-reads the watched state from the store (at the start, or because the resume revision was
     * compacted) and returns the revision it was read at; the watch resumes after it.
     */
    long resync() throws SubnetException, InterruptedException;
  }

  private final EtcdStore store;
  private final String key;
  private final boolean prefix;
  private final Handler handler;
  private final ScheduledExecutorService executor;
  private final Backoff backoff;
  private final String name;

  private final Object lock = new Object();
  private long revision; // the last revision seen; guarded by lock
  private long generation; // guarded by lock
  private EtcdWatchStream watcher; // guarded by lock
  private Listener listener; // guarded by lock: the current watcher's listener
  private boolean closed; // guarded by lock
  private boolean failing; // guarded by lock: a failure was logged at WARN and not yet recovered
  private final WatchPulse pulse;

  /**
   * Creates a watch; nothing happens until {@link #start}.
   *
   * @param revision the last revision already seen; the watch starts after it
   * @param name what is watched, for logs, e.g. {@code "lease watch of
   *     /coreos.com/network/subnets/"}
   */
  ResilientWatch(
      EtcdStore store,
      String key,
      boolean prefix,
      long revision,
      Handler handler,
      ScheduledExecutorService executor,
      EtcdTimings timings,
      RandomGenerator random,
      String name) {
    this.store = store;
    this.key = key;
    this.prefix = prefix;
    this.revision = revision;
    this.handler = handler;
    this.executor = executor;
    this.backoff = new Backoff(timings.backoffInitial(), timings.backoffMax(), random);
    this.name = name;
    this.pulse = new WatchPulse(name);
  }

  /**
   * Starts watching on the executor.
   *
   * @param resyncFirst whether to call {@link Handler#resync} first (for an initial listing)
   *     instead of resuming after the revision given to the constructor
   */
  void start(boolean resyncFirst) {
    schedule(resyncFirst ? this::resync : this::connect, Duration.ZERO);
  }

  /** Stops the watch; no handler call starts afterwards. Idempotent. */
  @Override
  public void close() {
    EtcdWatchStream open;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      generation++;
      open = watcher;
      watcher = null;
      detachListener();
    }
    closeQuietly(open);
  }

  /**
   * Cuts the current listener loose from this watch: a closed stream's last callbacks, and anything
   * that still holds the stream, reach nothing else.
   */
  private void detachListener() {
    if (listener != null) {
      listener.owner = null;
      listener = null;
    }
  }

  /**
   * Re-reads the watched state now, as after a compaction: closes the open watcher, calls {@link
   * Handler#resync} and resumes after the revision it read, so no event is lost or repeated. Does
   * nothing unless a watcher is open (a listing or reconnect is already under way then). Must run
   * on the executor.
   *
   * @return whether a re-read was started
   */
  boolean relist() {
    if (!closeOpenStream()) {
      return false;
    }
    resync();
    return true;
  }

  /**
   * Replaces the open stream with a new one that resumes after the last revision seen, for a stream
   * whose connection may have died without a word (see {@link WatchPulse}); no event is lost or
   * repeated. Does nothing unless a stream is open.
   *
   * @return whether a new stream is being opened
   */
  boolean reconnect() {
    if (!closeOpenStream()) {
      return false;
    }
    schedule(this::connect, Duration.ZERO);
    return true;
  }

  /** Closes the open stream and ignores its last callbacks; false if none is open. */
  private boolean closeOpenStream() {
    EtcdWatchStream open;
    synchronized (lock) {
      if (closed || watcher == null) {
        return false;
      }
      generation++;
      open = watcher;
      watcher = null;
      detachListener();
    }
    closeQuietly(open);
    return true;
  }

  /**
   * Whether this watch reaches etcd: its failures are reported to the pulse, and cleared when etcd
   * answers the watch again; the owner adds its pings.
   */
  WatchPulse pulse() {
    return pulse;
  }

  private void connect() {
    long gen;
    long from;
    synchronized (lock) {
      if (closed) {
        return;
      }
      gen = ++generation;
      from = revision + 1;
    }
    log.debug("{}: watching from revision {}", name, from);
    Listener next = new Listener(this, gen);
    synchronized (lock) {
      listener = next;
    }
    EtcdWatchStream opened;
    try {
      opened = store.watch(key, prefix, from, next);
    } catch (SubnetException | RuntimeException e) {
      failed(gen, e);
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the executor is shutting down
      return;
    }
    boolean current;
    synchronized (lock) {
      current = !closed && gen == generation;
      if (current) {
        watcher = opened;
      } else if (listener == next) {
        detachListener();
      }
    }
    if (!current) {
      closeQuietly(opened);
    }
  }

  private void resync() {
    synchronized (lock) {
      if (closed) {
        return;
      }
    }
    long listed;
    try {
      listed = handler.resync();
    } catch (SubnetException e) {
      Duration delay;
      boolean warn;
      synchronized (lock) {
        delay = backoff.next();
        warn = !failing;
        failing = true;
      }
      pulse.failed(e.getMessage());
      if (warn) {
        log.warn("{}: {}; trying again in {} ms", name, e.getMessage(), delay.toMillis());
      } else {
        log.debug(
            "{}: still failing ({}); retrying in {} ms", name, e.getMessage(), delay.toMillis());
      }
      schedule(this::resync, delay);
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the executor is shutting down
      return;
    }
    synchronized (lock) {
      revision = listed;
    }
    connect();
  }

  private void failed(long gen, Throwable error) {
    EtcdWatchStream open;
    Duration delay;
    boolean warn;
    long resumeAfter;
    synchronized (lock) {
      if (closed || gen != generation) {
        return;
      }
      generation++;
      open = watcher;
      watcher = null;
      detachListener();
      delay = backoff.next();
      warn = !failing;
      failing = true;
      resumeAfter = revision;
    }
    pulse.failed(error.getMessage() == null ? error.toString() : error.getMessage());
    closeQuietly(open);
    if (error instanceof EtcdException etcd && etcd.compactRevision() > 0) {
      log.warn(
          "{}: fell behind etcd compaction (revision {} compacted, resuming after {}); re-listing",
          name,
          etcd.compactRevision(),
          resumeAfter);
      schedule(this::resync, Duration.ZERO);
      return;
    }
    String message = error.getMessage() == null ? error.toString() : error.getMessage();
    if (warn) {
      log.warn(
          "{}: interrupted ({}); reconnecting after revision {} in {} ms",
          name,
          message,
          resumeAfter,
          delay.toMillis());
    } else {
      log.debug("{}: still failing ({}); retrying in {} ms", name, message, delay.toMillis());
    }
    schedule(this::connect, delay);
  }

  private void received(long gen, JsonNode response) {
    if (response.path("canceled").asBoolean(false)) {
      long compactRevision = EtcdJson.number(response, "compact_revision");
      failed(
          gen,
          compactRevision > 0
              ? EtcdException.compacted(compactRevision)
              : new IllegalStateException(
                  "etcd canceled the watch: "
                      + response.path("cancel_reason").asText("no reason given")));
      return;
    }
    synchronized (lock) {
      if (closed || gen != generation) {
        return;
      }
      backoff.reset();
      pulse.recovered();
      if (failing) {
        failing = false;
        log.info("{}: watching again after revision {}", name, revision);
      }
      if (response.path("created").asBoolean(false)) {
        return;
      }
      List<EtcdStore.Event> events = EtcdJson.events(response);
      if (events.isEmpty()) { // a progress notification
        revision = Math.max(revision, EtcdJson.revision(response));
        return;
      }
      List<EtcdStore.Event> fresh = new ArrayList<>(events.size());
      long last = revision;
      for (EtcdStore.Event event : events) {
        long modRevision = event.kv().modRevision();
        if (modRevision > revision) {
          fresh.add(event);
          last = Math.max(last, modRevision);
        }
      }
      revision = last;
      if (!fresh.isEmpty()) {
        handler.onEvents(fresh);
      }
    }
  }

  private void schedule(Runnable task, Duration delay) {
    try {
      executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("{}: not rescheduled, the executor is shut down", name);
    }
  }

  private static void closeQuietly(EtcdWatchStream open) {
    if (open == null) {
      return;
    }
    try {
      open.close();
    } catch (RuntimeException e) {
      log.debug("closing an etcd watch stream failed: {}", e.toString());
    }
  }

  /** Forwards one watch stream's callbacks, tagged with its generation, until detached. */
  private static final class Listener implements EtcdWatchStream.Listener {
    private volatile ResilientWatch owner;
    private final long gen;

    Listener(ResilientWatch owner, long gen) {
      this.owner = owner;
      this.gen = gen;
    }

    @Override
    public void onResponse(JsonNode response) {
      ResilientWatch w = owner;
      if (w != null) {
        w.received(gen, response);
      }
    }

    @Override
    public void onFailure(Throwable error) {
      ResilientWatch w = owner;
      if (w != null) {
        w.failed(gen, error);
      }
    }
  }
}
