package io.jflannel.subnet.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WatchPulseTest {
  private final WatchPulse pulse = new WatchPulse("lease watch of /p/subnets/");

  @Test
  void downFromAFailureUntilEtcdAnswers() {
    assertThat(pulse.down(Duration.ofHours(1))).isEmpty();
    pulse.failed("UNAVAILABLE: io exception");
    assertThat(pulse.down(Duration.ofHours(1)))
        .contains("lease watch of /p/subnets/: UNAVAILABLE: io exception");
    pulse.answered();
    assertThat(pulse.down(Duration.ofHours(1))).isEmpty();
  }

  @Test
  void anUnansweredPingCountsFromTheOldestOneOnly() throws InterruptedException {
    pulse.pinged();
    Thread.sleep(50);
    pulse.pinged(); // a later ping does not restart the wait
    assertThat(pulse.down(Duration.ofMillis(40)))
        .hasValueSatisfying(
            why ->
                assertThat(why)
                    .matches(
                        "lease watch of /p/subnets/: etcd has not answered the watch for 0 s"));
    assertThat(pulse.down(Duration.ofHours(1))).as("within the patience").isEmpty();
    pulse.answered();
    assertThat(pulse.down(Duration.ZERO)).isEmpty();
  }
}
