package io.jflannel.subnet.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WatchPulseTest {
  private final WatchPulse pulse = new WatchPulse("lease watch of /p/subnets/");

  @Test
  void downFromAFailureUntilEtcdAnswersTheWatch() {
    assertThat(pulse.down(Duration.ofHours(1))).isEmpty();
    pulse.failed("UNAVAILABLE: io exception");
    assertThat(pulse.down(Duration.ofHours(1)))
        .contains("lease watch of /p/subnets/: UNAVAILABLE: io exception");
    pulse.answered(); // a ping's answer does not mean the watch works again
    assertThat(pulse.down(Duration.ofHours(1))).isPresent();
    pulse.recovered();
    assertThat(pulse.down(Duration.ofHours(1))).isEmpty();
  }

  @Test
  void oneUnansweredPingAtATimeCountsFromWhenItWasSent() throws InterruptedException {
    assertThat(pulse.pinging()).isTrue();
    Thread.sleep(50);
    assertThat(pulse.pinging()).as("the last ping is unanswered: no second one").isFalse();
    assertThat(pulse.down(Duration.ofMillis(40)))
        .contains("lease watch of /p/subnets/: etcd has not answered for 0 s");
    assertThat(pulse.down(Duration.ofHours(1))).as("within the patience").isEmpty();
    pulse.unanswered(); // timed out: the next ping may go, the wait goes on
    assertThat(pulse.pinging()).isTrue();
    assertThat(pulse.down(Duration.ofMillis(40))).isPresent();
    pulse.answered();
    assertThat(pulse.down(Duration.ZERO)).isEmpty();
    assertThat(pulse.pinging()).isTrue();
  }

  @Test
  void anAnswerAfterAMissedPingSaysEtcdIsBackOnce() {
    assertThat(pulse.pinging()).isTrue();
    assertThat(pulse.answered()).as("no ping missed").isFalse();
    assertThat(pulse.pinging()).isTrue();
    pulse.unanswered();
    assertThat(pulse.pinging()).isTrue();
    assertThat(pulse.answered()).as("back after a missed ping").isTrue();
    assertThat(pulse.pinging()).isTrue();
    assertThat(pulse.answered()).as("said once").isFalse();
  }
}
