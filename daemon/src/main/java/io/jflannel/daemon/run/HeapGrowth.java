package io.jflannel.daemon.run;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets the heap grow in large steps while one large batch of lease events is programmed, and puts
 * the launcher's tight growth back afterwards.
 *
 * <p>The launcher starts the JVM with {@code -Xms8m} ({@code -Xms32m} in kube mode) {@code
 * -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30}: that keeps a small cluster's RSS 12–26 MiB
 * lower, but when 50,000 peers arrive at once the serial collector grows the heap by 10% after each
 * full collection, so it runs a dozen full collections that free nothing (BENCHMARKS.md, "50,000
 * peers: heap growth"). Both ratios are manageable HotSpot flags, so for a batch of at least {@link
 * #LARGE_BATCH} events they are raised to HotSpot's defaults (40/70) and restored when the batch is
 * done; the heap the burst needed is given back at a later full collection. Values set higher in
 * {@code JAVA_OPTS} are never lowered. On a JVM without these flags (not HotSpot) nothing changes.
 *
 * <p>Not thread-safe: one instance brackets one batch, on the thread that programs it.
 */
final class HeapGrowth {
  private static final Logger log = LoggerFactory.getLogger(HeapGrowth.class);

  /** Lease events in one batch from which the heap may grow loosely. */
  static final int LARGE_BATCH = 10_000;

  static final int BURST_MIN_FREE = 40;
  static final int BURST_MAX_FREE = 70;
  static final String MIN = "MinHeapFreeRatio";
  static final String MAX = "MaxHeapFreeRatio";

  /** Reads and writes a JVM flag; the real one is HotSpot's diagnostic MXBean. */
  interface VmFlags {
    String get(String name);

    void set(String name, String value);
  }

  private static final HeapGrowth NOTHING = new HeapGrowth(null, 0, 0);

  private final VmFlags flags;
  private final int min;
  private final int max;

  private HeapGrowth(VmFlags flags, int min, int max) {
    this.flags = flags;
    this.min = min;
    this.max = max;
  }

  /**
   * Loosens heap growth for a batch of {@code events} if it is large; {@link #restore} puts it
   * back.
   */
  static HeapGrowth forBatch(int events) {
    return events < LARGE_BATCH ? NOTHING : loosen(jvm(), events);
  }

  static HeapGrowth loosen(VmFlags flags, int events) {
    if (flags == null) {
      return NOTHING;
    }
    try {
      int min = Integer.parseInt(flags.get(MIN));
      int max = Integer.parseInt(flags.get(MAX));
      if (min >= BURST_MIN_FREE && max >= BURST_MAX_FREE) {
        return NOTHING;
      }
      // the JVM refuses Min > Max at every step: raise Max first, lower it last
      flags.set(MAX, Integer.toString(Math.max(max, BURST_MAX_FREE)));
      flags.set(MIN, Integer.toString(Math.max(min, BURST_MIN_FREE)));
      log.debug("heap growth loosened for {} lease events (was {}/{})", events, min, max);
      return new HeapGrowth(flags, min, max);
    } catch (RuntimeException e) {
      log.debug("heap growth left as it is: {}", e.toString());
      return NOTHING;
    }
  }

  /** Puts back the ratios this instance found; nothing if it changed none. */
  void restore() {
    if (flags == null) {
      return;
    }
    try {
      flags.set(MIN, Integer.toString(min));
      flags.set(MAX, Integer.toString(max));
    } catch (RuntimeException e) {
      log.debug("heap growth not restored: {}", e.toString());
    }
  }

  /** This JVM's flags through HotSpot's diagnostic MXBean, or null on a JVM without it. */
  static VmFlags jvm() {
    try {
      HotSpotDiagnosticMXBean bean =
          ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      if (bean == null) {
        return null;
      }
      return new VmFlags() {
        @Override
        public String get(String name) {
          return bean.getVMOption(name).getValue();
        }

        @Override
        public void set(String name, String value) {
          bean.setVMOption(name, value);
        }
      };
    } catch (RuntimeException | LinkageError e) {
      return null;
    }
  }
}
