package io.jflannel.subnet.etcd;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the manager checks without etcd; everything else is in the {@code *IT} classes. */
class EtcdSubnetManagerTest {

  @Test
  void renewMarginMustBeShorterThanTheTtl() {
    EtcdOptions options =
        EtcdOptions.defaults()
            .withEndpoints(List.of("http://127.0.0.1:1"))
            .withRenewMargin(Duration.ofSeconds(5));
    assertThatThrownBy(
            () ->
                EtcdSubnetManager.connect(
                    options, EtcdTimings.defaults().withLeaseTtl(Duration.ofSeconds(5))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be shorter than the lease TTL");
  }

  @Test
  void methodsNeedAnAcquiredLease() throws Exception {
    try (EtcdSubnetManager m =
        EtcdSubnetManager.connect(
            EtcdOptions.defaults().withEndpoints(List.of("http://127.0.0.1:1")))) {
      assertThatThrownBy(() -> m.watchLeases(events -> {}))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("acquireLease has not succeeded yet");
      assertThatThrownBy(m::currentLeases).isInstanceOf(IllegalStateException.class);
    }
  }
}
