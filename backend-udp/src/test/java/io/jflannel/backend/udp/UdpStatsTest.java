package io.jflannel.backend.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.core.metrics.MetricSink;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class UdpStatsTest {

  /** Records what is declared: series name (with its label) to its value now. */
  private static final class Recorder implements MetricSink {
    final Map<String, Long> values = new LinkedHashMap<>();

    @Override
    public void counter(String name, String help, LongSupplier value) {
      values.put(name, value.getAsLong());
    }

    @Override
    public void counter(String name, String help, String label, Map<String, LongSupplier> v) {
      v.forEach((k, s) -> values.put(name + "{" + label + "=\"" + k + "\"}", s.getAsLong()));
    }

    @Override
    public void gauge(String name, String help, DoubleSupplier value) {
      throw new AssertionError("udp declares no gauges");
    }
  }

  @Test
  void everyCounterIsDeclaredExactlyOnceUnderUpstreamCompatibleNames() {
    int n = UdpStats.class.getRecordComponents().length;
    long[] distinct = new long[n];
    for (int i = 0; i < n; i++) {
      distinct[i] = 100 + i;
    }
    UdpStats s = new UdpStats(100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111);
    assertThat(Arrays.stream(UdpStats.class.getRecordComponents()).map(RecordComponent::getName))
        .hasSize(12);
    Recorder r = new Recorder();
    UdpStats.declare(r, () -> s);
    List<Long> seen = new ArrayList<>(r.values.values());
    assertThat(seen)
        .containsExactlyInAnyOrder(Arrays.stream(distinct).boxed().toArray(Long[]::new));
    assertThat(r.values)
        .containsEntry("flannel_udp_packets_total{direction=\"sent\"}", 100L)
        .containsEntry("flannel_udp_bytes_total{direction=\"received\"}", 103L)
        .containsEntry("flannel_udp_packets_dropped_total{reason=\"unknown_source\"}", 104L)
        .containsEntry("flannel_udp_packets_dropped_total{reason=\"no_route\"}", 107L)
        .containsEntry("flannel_udp_unreachable_sent_total", 108L)
        .containsEntry("flannel_udp_packets_dropped_total{reason=\"ttl\"}", 109L)
        .containsEntry("flannel_udp_errors_total{op=\"tun_write\"}", 111L);
  }
}
