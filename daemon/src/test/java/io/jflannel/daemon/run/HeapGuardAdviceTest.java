package io.jflannel.daemon.run;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeapGuardAdviceTest {
  private static final long MIB = 1 << 20;

  @Test
  void aClusterThatFitsTheHeapGetsNoAdvice() {
    assertThat(HeapGuard.heapAdvice(5_000, 64 * MIB)).isEmpty();
    assertThat(HeapGuard.heapAdvice(25_000, 64 * MIB)).isEmpty();
    assertThat(HeapGuard.heapAdvice(50_000, 124 * MIB)).as("-Xmx128m").isEmpty();
  }

  @Test
  void fiftyThousandPeersInTheDefaultHeapNameTheHeapToSet() {
    // JVMs report a little less than -Xmx as maxMemory
    assertThat(HeapGuard.heapAdvice(50_000, 62 * MIB))
        .hasValue(
            "50000 peer leases at once with a 62 MiB heap: flanneld may run out of heap and exit"
                + " (code 3); set FLANNELD_JVM_HEAP=128m or more");
  }
}
