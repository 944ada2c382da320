package io.jflannel.daemon.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.daemon.health.HealthStateTest.TestClock;
import io.jflannel.daemon.run.NotifyReceiver;
import io.jflannel.daemon.run.SystemdNotify;
import io.jflannel.daemon.run.Workers;
import io.jflannel.netlink.sys.SysException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's health wiring: the store's reachability polled into the state, systemd told the new
 * status once per change of the verdict (not every second while an outage's count grows).
 */
class DaemonHealthTest {
  private final TestClock clock = new TestClock();
  private final HealthState state =
      new HealthState(new HealthSettings(Duration.ofSeconds(5), 3, Duration.ofSeconds(30)), clock);

  /** A store whose reachability the test sets; nothing else of it is used. */
  private static final class Store extends UnusedManager {
    volatile Optional<String> problem = Optional.empty();

    @Override
    public Optional<String> unreachable() {
      return problem;
    }
  }

  @Test
  void pollsTheStoreAndTellsSystemdEachChangeOnce(@TempDir Path dir) throws SysException {
    String socket = dir.resolve("notify").toString();
    Store store = new Store();
    try (NotifyReceiver systemd = new NotifyReceiver(socket);
        DaemonHealth health =
            new DaemonHealth(
                state, Optional.empty(), SystemdNotify.fromEnv(Map.of("NOTIFY_SOCKET", socket)))) {
      Lease own =
          new Lease(
              Ip4Net.parse("10.244.1.0/24"),
              null,
              new LeaseAttrs(Ip4.parse("192.168.0.1"), null, "vxlan", null, null),
              null,
              0);
      health.leaseHeld(own);
      health.subnetEnvWritten("lease 10.244.1.0/24, subnet.env written");
      assertThat(systemd.receive())
          .isEqualTo("READY=1\nSTATUS=lease 10.244.1.0/24, subnet.env written");
      health.observer().feedStarted();
      health.observer().reconciled(null);
      health.watch(store); // the monitor thread polls too: the asserted changes are the same
      health.poll();
      assertThat(systemd.receive())
          .isEqualTo(
              "STATUS=ready: lease 10.244.1.0/24 held; subnet.env written; peers programmed;"
                  + " lease store reachable");

      store.problem = Optional.of("etcd: connection refused");
      health.poll();
      assertThat(systemd.receive())
          .isEqualTo(
              "STATUS=ready: lease 10.244.1.0/24 held; subnet.env written; peers programmed;"
                  + " lease store unreachable for 0 s, within the limit");
      for (int i = 0; i < 5; i++) {
        clock.advance(Duration.ofSeconds(1));
        health.poll();
      }
      assertThat(systemd.receive())
          .as("the first status after the count of seconds went past the timeout")
          .isEqualTo(
              "STATUS=not ready: lease store unreachable for 5 s (limit 5 s): etcd: connection"
                  + " refused");
      assertThat(state.readiness().ok()).isFalse();
      assertThat(state.liveness().ok()).isTrue();

      store.problem = Optional.empty();
      health.poll();
      assertThat(systemd.receive()).startsWith("STATUS=ready: ");
      health.stopping();
      assertThat(systemd.receive()).isEqualTo("STOPPING=1\nSTATUS=stopping");
    }
  }

  @Test
  void aStoreThatThrowsDoesNotStopThePolls() {
    try (DaemonHealth health = new DaemonHealth(state, Optional.empty(), Optional.empty())) {
      health.watch(
          new UnusedManager() {
            @Override
            public Optional<String> unreachable() {
              throw new IllegalStateException("bug");
            }
          });
      health.poll();
      assertThat(state.liveness().ok()).isTrue();
    }
  }

  @Test
  void portZeroServesNothingAndABusyPortIsOneLineNamingTheFlags() throws Exception {
    HealthSettings settings = new HealthSettings(Duration.ofSeconds(30), 5, Duration.ofSeconds(30));
    try (DaemonHealth none = DaemonHealth.start("127.0.0.1", 0, settings, Map.of());
        ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThat(none.server()).isEmpty();
      assertThatThrownBy(
              () -> DaemonHealth.start("127.0.0.1", taken.getLocalPort(), settings, Map.of()))
          .hasMessageStartingWith("cannot listen on 127.0.0.1:" + taken.getLocalPort())
          .hasMessageEndingWith("; choose another --healthz-ip/--healthz-port");
    } finally {
      Workers.watch((thread, error) -> {});
      Thread.setDefaultUncaughtExceptionHandler(null);
    }
  }
}
