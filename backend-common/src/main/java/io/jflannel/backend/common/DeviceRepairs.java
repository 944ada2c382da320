package io.jflannel.backend.common;

import io.jflannel.core.metrics.MetricSink;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * How often a backend's device had to be made right because someone else changed it, by why: for
 * {@code flannel_device_repairs_total{reason}}. Thread-safe.
 */
public final class DeviceRepairs {
  /** Why a device was repaired. */
  public enum Reason {
    /** It was deleted (or deleted and made again by someone else): re-created. */
    DELETED,
    /** It was set down: set up again. */
    DOWN,
    /** Its settings (VNI, port, local address, MTU, MAC) were changed: replaced or corrected. */
    CHANGED;

    /** The label value. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Map<Reason, LongAdder> counts = new EnumMap<>(Reason.class);

  public DeviceRepairs() {
    for (Reason r : Reason.values()) {
      counts.put(r, new LongAdder());
    }
  }

  public void count(Reason reason) {
    counts.get(reason).increment();
  }

  /** The repairs for {@code reason} so far. */
  public long total(Reason reason) {
    return counts.get(reason).sum();
  }

  /** Declares {@code flannel_device_repairs_total{reason}}. */
  public void declare(MetricSink sink) {
    Map<String, LongSupplier> values = new LinkedHashMap<>();
    for (Reason r : Reason.values()) {
      values.put(r.label(), counts.get(r)::sum);
    }
    sink.counter(
        "flannel_device_repairs_total",
        "times the backend's device was deleted, set down or changed by someone else and made"
            + " right by flanneld",
        "reason",
        values);
  }
}
