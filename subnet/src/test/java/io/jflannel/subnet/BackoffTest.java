package io.jflannel.subnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void doublesFromHundredMillisToFiveSecondsWithJitterInTheUpperHalf() {
    Backoff backoff =
        new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), new SplittableRandom(1));
    long[] nominal = {100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000};
    for (long n : nominal) {
      long ms = backoff.next().toMillis();
      assertThat(ms).isBetween(n / 2, n);
    }
    backoff.reset();
    assertThat(backoff.next().toMillis()).isBetween(50L, 100L);
  }

  @Test
  void jitterSpreadsTheDelays() {
    Backoff a = new Backoff(Duration.ofSeconds(4), Duration.ofSeconds(4), new SplittableRandom(1));
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < 1000; i++) {
      long ms = a.next().toMillis();
      min = Math.min(min, ms);
      max = Math.max(max, ms);
    }
    assertThat(min).isLessThan(2200);
    assertThat(max).isGreaterThan(3800);
  }
}
