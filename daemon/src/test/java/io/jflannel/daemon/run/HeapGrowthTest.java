package io.jflannel.daemon.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeapGrowthTest {

  /** This JVM's ratios as a test found them. */
  record Saved(String min, String max) {}

  /** Sets this JVM's ratios to the launcher's 10/30; returns what they were. */
  static Saved tightenThisJvm() {
    HeapGrowth.VmFlags jvm = HeapGrowth.jvm();
    Saved saved = new Saved(jvm.get(HeapGrowth.MIN), jvm.get(HeapGrowth.MAX));
    jvm.set(HeapGrowth.MIN, "10");
    jvm.set(HeapGrowth.MAX, "30");
    return saved;
  }

  /** Puts this JVM's ratios back as {@link #tightenThisJvm} found them, in an order it accepts. */
  static void putBack(Saved saved) {
    HeapGrowth.VmFlags jvm = HeapGrowth.jvm();
    jvm.set(HeapGrowth.MAX, "100");
    jvm.set(HeapGrowth.MIN, saved.min());
    jvm.set(HeapGrowth.MAX, saved.max());
  }

  /** Flags as HotSpot keeps them: a write that would leave Min above Max is refused. */
  private static final class FakeFlags implements HeapGrowth.VmFlags {
    final Map<String, Integer> values = new HashMap<>();
    final List<String> writes = new ArrayList<>();

    FakeFlags(int min, int max) {
      values.put(HeapGrowth.MIN, min);
      values.put(HeapGrowth.MAX, max);
    }

    @Override
    public String get(String name) {
      return Integer.toString(values.get(name));
    }

    @Override
    public void set(String name, String value) {
      Map<String, Integer> next = new HashMap<>(values);
      next.put(name, Integer.parseInt(value));
      if (next.get(HeapGrowth.MIN) > next.get(HeapGrowth.MAX)) {
        throw new IllegalArgumentException(name + "=" + value + " would put Min above Max");
      }
      values.putAll(next);
      writes.add(name + "=" + value);
    }
  }

  @Test
  void aLargeBatchRunsWithHotSpotsDefaultRatiosAndTheLaunchersComeBackAfter() {
    FakeFlags flags = new FakeFlags(10, 30);
    HeapGrowth growth = HeapGrowth.loosen(flags, 50_000);
    assertThat(flags.values)
        .containsEntry("MinHeapFreeRatio", 40)
        .containsEntry("MaxHeapFreeRatio", 70);
    growth.restore();
    assertThat(flags.values)
        .containsEntry("MinHeapFreeRatio", 10)
        .containsEntry("MaxHeapFreeRatio", 30);
    assertThat(flags.writes)
        .containsExactly(
            "MaxHeapFreeRatio=70",
            "MinHeapFreeRatio=40",
            "MinHeapFreeRatio=10",
            "MaxHeapFreeRatio=30");
  }

  @Test
  void ratiosAlreadyLooserInJavaOptsAreNeverLowered() {
    FakeFlags flags = new FakeFlags(50, 90);
    HeapGrowth growth = HeapGrowth.loosen(flags, 50_000);
    assertThat(flags.writes).isEmpty();
    growth.restore();
    assertThat(flags.writes).isEmpty();

    FakeFlags half = new FakeFlags(10, 80);
    HeapGrowth halfGrowth = HeapGrowth.loosen(half, 50_000);
    assertThat(half.values)
        .containsEntry("MinHeapFreeRatio", 40)
        .containsEntry("MaxHeapFreeRatio", 80);
    halfGrowth.restore();
    assertThat(half.values)
        .containsEntry("MinHeapFreeRatio", 10)
        .containsEntry("MaxHeapFreeRatio", 80);
  }

  @Test
  void aJvmThatRefusesTheFlagsIsLeftAsItIs() {
    HeapGrowth.VmFlags refusing =
        new HeapGrowth.VmFlags() {
          @Override
          public String get(String name) {
            return "10";
          }

          @Override
          public void set(String name, String value) {
            throw new IllegalArgumentException("VM option \"" + name + "\" is not writeable");
          }
        };
    assertThatNoException().isThrownBy(() -> HeapGrowth.loosen(refusing, 50_000).restore());
    assertThatNoException().isThrownBy(() -> HeapGrowth.loosen(null, 50_000).restore());
  }

  @Test
  void thisJvmLetsBothRatiosChangeWhileRunning() {
    HeapGrowth.VmFlags jvm = HeapGrowth.jvm();
    assertThat(jvm).as("HotSpot's diagnostic MXBean").isNotNull();
    Saved saved = tightenThisJvm();
    try {
      HeapGrowth growth = HeapGrowth.loosen(jvm, 50_000);
      assertThat(jvm.get(HeapGrowth.MIN)).isEqualTo("40");
      assertThat(jvm.get(HeapGrowth.MAX)).isEqualTo("70");
      growth.restore();
      assertThat(jvm.get(HeapGrowth.MIN)).isEqualTo("10");
      assertThat(jvm.get(HeapGrowth.MAX)).isEqualTo("30");
    } finally {
      putBack(saved);
    }
  }

  @Test
  void onlyABatchOfAtLeastLargeBatchEventsTouchesThisJvm() {
    HeapGrowth.VmFlags jvm = HeapGrowth.jvm();
    Saved saved = tightenThisJvm();
    try {
      HeapGrowth small = HeapGrowth.forBatch(HeapGrowth.LARGE_BATCH - 1);
      assertThat(jvm.get(HeapGrowth.MIN)).isEqualTo("10");
      small.restore();
      HeapGrowth large = HeapGrowth.forBatch(HeapGrowth.LARGE_BATCH);
      assertThat(jvm.get(HeapGrowth.MIN)).isEqualTo("40");
      large.restore();
      assertThat(jvm.get(HeapGrowth.MIN)).isEqualTo("10");
    } finally {
      putBack(saved);
    }
  }
}
