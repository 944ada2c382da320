package io.jflannel.backend.udp;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class UdpStatsTest {

  @Test
  void asMapHasEveryComponentByNameInDeclarationOrder() {
    UdpStats s = new UdpStats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    assertThat(s.asMap().keySet())
        .containsExactlyElementsOf(
            Arrays.stream(UdpStats.class.getRecordComponents())
                .map(RecordComponent::getName)
                .toList());
    assertThat(s.asMap().values())
        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
  }
}
