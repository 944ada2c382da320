package io.jflannel.daemon.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a thread's time goes, from a JFR recording of the daemon: execution samples (Java code) and
 * native-method samples (in a system call through jnr-ffi) of one thread, counted by the innermost
 * frame that is jflannel's own code (so time in a library or the JDK is charged to the jflannel
 * call that caused it) and by the innermost frame of all.
 *
 * <p>Sampling misses nothing systematic but is coarse (a sample every 10-20 ms per thread with
 * JFR's "profile" settings); read the shares, not the counts.
 */
final class JfrSummary {
  private JfrSummary() {}

  static void print(Path recording, String thread, int top) throws IOException {
    Map<String, Integer> byOwn = new HashMap<>();
    Map<String, Integer> byTop = new HashMap<>();
    int total = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(recording)) {
      String type = e.getEventType().getName();
      if (!type.equals("jdk.ExecutionSample") && !type.equals("jdk.NativeMethodSample")) {
        continue;
      }
      var t = e.getThread("sampledThread");
      RecordedStackTrace st = e.getStackTrace();
      if (t == null || st == null || !thread.equals(t.getJavaName())) {
        continue;
      }
      List<RecordedFrame> frames = st.getFrames();
      if (frames.isEmpty()) {
        continue;
      }
      total++;
      byTop.merge(
          name(frames.get(0)) + (type.endsWith("NativeMethodSample") ? " [native]" : ""),
          1,
          Integer::sum);
      String own = "(no jflannel frame)";
      for (RecordedFrame f : frames) {
        if (f.getMethod().getType().getName().startsWith("io.jflannel.")) {
          own = name(f);
          break;
        }
      }
      byOwn.merge(own, 1, Integer::sum);
    }
    System.out.printf("JFR samples of thread '%s': %d%n", thread, total);
    System.out.println("  by innermost jflannel frame:");
    show(byOwn, total, top);
    System.out.println("  by innermost frame:");
    show(byTop, total, top);
  }

  private static void show(Map<String, Integer> counts, int total, int top) {
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .limit(top)
        .forEach(
            e ->
                System.out.printf(
                    "    %5.1f%%  %s%n", 100.0 * e.getValue() / Math.max(1, total), e.getKey()));
  }

  private static String name(RecordedFrame f) {
    String cls = f.getMethod().getType().getName();
    return cls.substring(cls.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
  }
}
