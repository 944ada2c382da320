package io.jflannel.daemon.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A flanneld log read back: one entry per line that starts with the daemon's timestamp ({@code
 * 2026-11-21T21:20:07.123Z INFO VxlanNetwork lease added: ...}, as
 * io.jflannel.daemon.log.LineLogger writes it), so the benchmark can place the daemon's milestones
 * on its own timeline.
 *
 * <p>The timestamps have millisecond resolution and come from the wall clock, like {@link
 * Flanneld#startedAt}.
 */
final class DaemonLog {
  /** One log line: when, level, logger (simple name) and message. */
  record Line(Instant at, String level, String logger, String message) {}

  private final List<Line> lines;

  private DaemonLog(List<Line> lines) {
    this.lines = lines;
  }

  static DaemonLog read(Path file) throws IOException {
    List<Line> out = new ArrayList<>();
    for (String s : Files.readAllLines(file)) {
      String[] f = s.split("\\s+", 4);
      if (f.length < 4) {
        continue;
      }
      try {
        out.add(new Line(OffsetDateTime.parse(f[0]).toInstant(), f[1], f[2], f[3]));
      } catch (DateTimeParseException e) {
        // a stack trace or other continuation line
      }
    }
    return new DaemonLog(out);
  }

  Optional<Line> first(Predicate<Line> p) {
    return lines.stream().filter(p).findFirst();
  }

  Optional<Line> last(Predicate<Line> p) {
    Line found = null;
    for (Line l : lines) {
      if (p.test(l)) {
        found = l;
      }
    }
    return Optional.ofNullable(found);
  }

  long count(Predicate<Line> p) {
    return lines.stream().filter(p).count();
  }

  /** Lines at WARN or ERROR. */
  List<Line> problems() {
    return lines.stream()
        .filter(l -> l.level().equals("WARN") || l.level().equals("ERROR"))
        .toList();
  }

  static Predicate<Line> logger(String name, String messageStart) {
    return l -> l.logger().equals(name) && l.message().startsWith(messageStart);
  }

  static Predicate<Line> message(String messageStart) {
    return l -> l.message().startsWith(messageStart);
  }
}
