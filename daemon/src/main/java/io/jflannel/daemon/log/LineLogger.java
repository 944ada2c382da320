package io.jflannel.daemon.log;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.TimeZone;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * One logger of {@link LineLogging}: formats an enabled event as one line, {@code <time> <LEVEL>
 * <class> <message>}, and writes it to {@link System#err} with a single write, so lines of
 * concurrent threads never interleave. The time is the JVM's default zone's, to the millisecond,
 * with its offset ({@code Z} for UTC), as logback's {@code %d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX}} wrote
 * it.
 */
final class LineLogger extends LegacyAbstractLogger {
  private static final long serialVersionUID = 1L;
  private static final TimeZone ZONE = TimeZone.getDefault();

  private final boolean ours;
  private final String shortName;

  LineLogger(String name) {
    this.name = name;
    this.ours = LineLogging.ours(name);
    this.shortName = name.substring(name.lastIndexOf('.') + 1);
  }

  @Override
  public boolean isTraceEnabled() {
    return LineLogging.enabled(ours, Level.TRACE);
  }

  @Override
  public boolean isDebugEnabled() {
    return LineLogging.enabled(ours, Level.DEBUG);
  }

  @Override
  public boolean isInfoEnabled() {
    return LineLogging.enabled(ours, Level.INFO);
  }

  @Override
  public boolean isWarnEnabled() {
    return LineLogging.enabled(ours, Level.WARN);
  }

  @Override
  public boolean isErrorEnabled() {
    return LineLogging.enabled(ours, Level.ERROR);
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(
      Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
    String message = MessageFormatter.basicArrayFormat(pattern, arguments);
    byte[] bytes =
        line(System.currentTimeMillis(), level, shortName, message, throwable)
            .getBytes(StandardCharsets.UTF_8);
    PrintStream err = System.err;
    err.write(bytes, 0, bytes.length);
    err.flush();
  }

  /** The text written for one event: its line, and the stack trace if there is a throwable. */
  static String line(long millis, Level level, String shortName, String message, Throwable t) {
    StringBuilder b = new StringBuilder(64 + (message == null ? 4 : message.length()));
    timestamp(b, millis, ZONE.getOffset(millis));
    b.append(' ').append(level.name());
    if (level.name().length() == 4) {
      b.append(' ');
    }
    b.append(' ').append(shortName).append(' ').append(message).append('\n');
    if (t != null) {
      StringWriter trace = new StringWriter();
      t.printStackTrace(new PrintWriter(trace));
      b.append(trace);
    }
    return b.toString();
  }

  /**
   * Appends {@code millis} (since the epoch) as {@code yyyy-MM-ddTHH:mm:ss.SSS} in the zone {@code
   * offsetMillis} from UTC, then the offset: {@code Z}, or {@code +hh:mm} / {@code -hh:mm}.
   */
  static void timestamp(StringBuilder b, long millis, int offsetMillis) {
    long local = millis + offsetMillis;
    long days = Math.floorDiv(local, 86_400_000L);
    int ofDay = (int) Math.floorMod(local, 86_400_000L);
    // days since 1970-01-01 to a civil date (proleptic Gregorian; H. Hinnant's algorithm)
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int day = (int) (doy - (153 * mp + 2) / 5 + 1);
    int month = (int) (mp < 10 ? mp + 3 : mp - 9);
    long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    pad(b, year, 4).append('-');
    pad(b, month, 2).append('-');
    pad(b, day, 2).append('T');
    pad(b, ofDay / 3_600_000, 2).append(':');
    pad(b, ofDay / 60_000 % 60, 2).append(':');
    pad(b, ofDay / 1_000 % 60, 2).append('.');
    pad(b, ofDay % 1_000, 3);
    if (offsetMillis == 0) {
      b.append('Z');
    } else {
      int minutes = Math.abs(offsetMillis) / 60_000;
      b.append(offsetMillis < 0 ? '-' : '+');
      pad(b, minutes / 60, 2).append(':');
      pad(b, minutes % 60, 2);
    }
  }

  private static StringBuilder pad(StringBuilder b, long value, int width) {
    String s = Long.toString(value);
    for (int i = s.length(); i < width; i++) {
      b.append('0');
    }
    return b.append(s);
  }
}
