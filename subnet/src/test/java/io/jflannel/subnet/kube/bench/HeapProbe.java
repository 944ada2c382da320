package io.jflannel.subnet.kube.bench;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/** Heap measurements for the benchmark: used heap after full GCs and class histograms. */
final class HeapProbe {

  private static final Pattern HISTO_LINE =
      Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

  private HeapProbe() {}

  /** Waits until no instance of {@code className} is left, i.e. a closed watch is really gone. */
  static void awaitCollected(String className) throws Exception {
    for (int i = 0; i < 120; i++) {
      long[] count = histogram().get(className);
      if (count == null || count[0] == 0) {
        return;
      }
      Thread.sleep(1000);
    }
    throw new AssertionError(className + " still reachable 120 s after closing");
  }

  static long gcMillis() {
    long total = 0;
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += gc.getCollectionTime();
    }
    return total;
  }

  static long usedAfterGc() {
    for (int i = 0; i < 4; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** class → {instances, bytes}, from a GC.class_histogram (which runs a full GC first). */
  static Map<String, long[]> histogram() throws Exception {
    String text =
        (String)
            ManagementFactory.getPlatformMBeanServer()
                .invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram",
                    new Object[] {new String[0]},
                    new String[] {String[].class.getName()});
    Map<String, long[]> classes = new HashMap<>();
    for (String line : text.split("\n")) {
      Matcher m = HISTO_LINE.matcher(line);
      if (m.find()) {
        classes.put(
            m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
      }
    }
    return classes;
  }

  static Map<String, long[]> diff(Map<String, long[]> with, Map<String, long[]> without) {
    Map<String, long[]> d = new HashMap<>();
    with.forEach(
        (cls, v) -> {
          long[] w = without.getOrDefault(cls, new long[2]);
          d.put(cls, new long[] {v[0] - w[0], v[1] - w[1]});
        });
    return d;
  }

  static void printTop(String title, Map<String, long[]> classes, int n) {
    System.out.println();
    System.out.println(title + " (histogram with the watch minus before it):");
    System.out.println();
    System.out.println("| class | instances | bytes |");
    System.out.println("|---|---|---|");
    classes.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]))
        .limit(n)
        .forEach(
            e ->
                System.out.printf(
                    "| `%s` | %d | %d |%n", e.getKey(), e.getValue()[0], e.getValue()[1]));
  }
}
