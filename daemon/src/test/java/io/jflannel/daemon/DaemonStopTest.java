package io.jflannel.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.core.subnet.SubnetException;
import io.jflannel.core.subnet.SubnetManager;
import io.jflannel.daemon.run.ManagerFactory;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A stop request (SIGTERM) while the daemon is still starting, for example waiting for an API
 * server that does not answer: the start is interrupted and the daemon returns 0 at once, instead
 * of finishing its retries first.
 */
class DaemonStopTest {

  /** A store that never answers: connect() blocks until its thread is interrupted. */
  private static final class UnreachableStore implements ManagerFactory {
    final CountDownLatch connecting = new CountDownLatch(1);

    @Override
    public SubnetManager connect() throws SubnetException {
      connecting.countDown();
      try {
        new CountDownLatch(1).await(); // as a client library waiting for its first answer
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SubnetException("cannot reach the API server: interrupted", e);
      }
      throw new AssertionError("unreachable");
    }
  }

  @Test
  void aStopRequestDuringStartUpEndsTheStartAndExitsZero() throws Exception {
    UnreachableStore store = new UnreachableStore();
    Daemon daemon = new Daemon(FlannelOptions.parse(Map.of(), "--iface=eth0"), store);
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return daemon.run();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    assertThat(store.connecting.await(30, TimeUnit.SECONDS)).isTrue();

    daemon.requestStop(0);

    assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void aStartUpFailureWithoutAStopRequestStillExitsOne() throws Exception {
    ManagerFactory broken =
        new ManagerFactory() {
          @Override
          public SubnetManager connect() throws SubnetException {
            throw new SubnetException("no etcd at http://127.0.0.1:1: connection refused");
          }
        };
    Daemon daemon = new Daemon(FlannelOptions.parse(Map.of(), "--iface=eth0"), broken);
    assertThat(daemon.run()).isEqualTo(1);
  }
}
