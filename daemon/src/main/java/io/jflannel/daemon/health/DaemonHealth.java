package io.jflannel.daemon.health;

import io.jflannel.core.lease.Lease;
import io.jflannel.core.subnet.SubnetManager;
import io.jflannel.daemon.run.FeedObserver;
import io.jflannel.daemon.run.Periodic;
import io.jflannel.daemon.run.SystemdNotify;
import io.jflannel.daemon.run.Workers;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's health, in one place: the {@link HealthState} the daemon reports to, the health port
 * that serves it ({@code /healthz}, {@code /readyz}; none when {@code --healthz-port} is 0),
 * systemd's notifications when run by a {@code Type=notify} unit, and a monitor that polls the
 * store's reachability every second and logs each change of either verdict once (and tells systemd
 * the new status).
 *
 * <p>Use, in {@code Daemon.start}: {@link #start} first; {@link #leaseHeld}, {@link
 * #subnetEnvWritten} (systemd's {@code READY=1}), {@link #observer} for the {@code LeaseFeed},
 * {@link #watch} once the lease watch runs; {@link #stopping} and {@link #close} at the end.
 *
 * <p>Thread-safe. Owns the server, the monitor thread and the notifier.
 */
public final class DaemonHealth implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DaemonHealth.class);
  static final Duration POLL = Duration.ofSeconds(1);

  private final HealthState state;
  private final Optional<HealthServer> server;
  private final Optional<SystemdNotify> systemd;
  private volatile SubnetManager manager;
  private Periodic monitor; // guarded by this
  private String readyKey; // guarded by this: the last readiness verdict, numbers left out
  private String liveKey; // guarded by this
  private boolean stopped; // guarded by this

  DaemonHealth(HealthState state, Optional<HealthServer> server, Optional<SystemdNotify> systemd) {
    this.state = state;
    this.server = server;
    this.systemd = systemd;
  }

  /**
   * Starts the health port ({@code ip:port}, none for port 0) and reports dying worker threads to
   * the state from now on.
   *
   * @throws IOException if the port cannot be bound; the message names the flags to change
   */
  public static DaemonHealth start(
      String ip, int port, HealthSettings settings, Map<String, String> env) throws IOException {
    HealthState state = new HealthState(settings, Clock.systemUTC());
    Workers.watch(state::workerDied);
    Optional<HealthServer> server =
        HealthServer.startIfEnabled(ip, port, state::liveness, state::readiness);
    return new DaemonHealth(state, server, SystemdNotify.fromEnv(env));
  }

  /** The health port, for {@code /metrics}; empty when {@code --healthz-port} is 0. */
  public Optional<HealthServer> server() {
    return server;
  }

  /** Where the lease feed reports each pass. */
  public FeedObserver observer() {
    return state;
  }

  public void leaseHeld(Lease lease) {
    state.leaseHeld(lease);
  }

  /** subnet.env is written: systemd gets {@code READY=1}, as upstream sends it. */
  public void subnetEnvWritten(String status) {
    state.subnetEnvWritten();
    systemd.ifPresent(s -> s.ready(status));
  }

  /** Polls {@code store}'s reachability every second from now on. */
  public synchronized void watch(SubnetManager store) {
    manager = store;
    if (monitor == null && !stopped) {
      monitor = Periodic.every("health", POLL, this::poll);
    }
  }

  /** One poll: the store's reachability into the state, then each changed verdict logged once. */
  void poll() {
    SubnetManager m = manager;
    if (m != null) {
      try {
        state.store(m.unreachable());
      } catch (RuntimeException e) { // a store's bug must not stop the health checks
        log.error("cannot ask the lease store whether it is reachable", e);
      }
    }
    Verdict ready = state.readiness();
    Verdict live = state.liveness();
    synchronized (this) {
      String rk = key(ready);
      if (!rk.equals(readyKey)) {
        boolean first = readyKey == null;
        readyKey = rk;
        if (ready.ok()) {
          log.info("/readyz answers 200: {}", ready.summary());
        } else if (!first || m != null) {
          log.warn("/readyz answers 503: {}", ready.summary());
        }
        systemd.ifPresent(s -> s.status(ready.summary()));
      }
      String lk = key(live);
      if (!lk.equals(liveKey)) {
        liveKey = lk;
        if (live.ok()) {
          log.info("/healthz answers 200: {}", live.summary());
        } else {
          log.error("/healthz answers 503, a restart is needed: {}", live.summary());
        }
      }
    }
  }

  /** The verdict without its numbers, so a counting duration is not a change. */
  private static String key(Verdict v) {
    return v.summary().replaceAll("\\d+", "#");
  }

  /** The daemon begins to stop: systemd gets {@code STOPPING=1}. Idempotent. */
  public void stopping() {
    synchronized (this) {
      if (stopped) {
        return;
      }
      stopped = true;
    }
    systemd.ifPresent(SystemdNotify::stopping);
  }

  /** Stops the monitor and the health port (see {@link HealthServer#close}). */
  @Override
  public void close() {
    stopping();
    Periodic m;
    synchronized (this) {
      m = monitor;
      monitor = null;
    }
    if (m != null) {
      m.close();
    }
    server.ifPresent(HealthServer::close);
  }
}
