package io.jflannel.daemon.log;

import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * flanneld's SLF4J binding: every event one line on standard error (upstream: klog with {@code
 * logtostderr=true}),
 *
 * <pre>
 * 2026-11-21T21:20:07.123Z INFO  InterfaceSelector using interface eth0 (mtu 1500) with address 10.0.0.5
 * </pre>
 *
 * a stack trace following the line of an event that carries one. {@code io.jflannel} logs at INFO,
 * libraries at WARN; {@code -v=1} lowers ours to DEBUG, {@code -v=6} to TRACE ({@link #levels}).
 * Found by SLF4J through {@code META-INF/services/org.slf4j.spi.SLF4JServiceProvider}.
 *
 * <p>Why not logback, which flanneld used before: setting logback up, even in code, loaded about
 * 230 of its classes and took 60–75 ms of every start before the first line (BENCHMARKS.md); this
 * is a handful of classes, and the line is the same.
 *
 * <p>Thread-safety: levels are volatile and may be changed from any thread; loggers are shared.
 */
public final class LineLogging implements SLF4JServiceProvider, ILoggerFactory {

  /** The logger name prefix of flanneld's own loggers. */
  static final String OURS = "io.jflannel";

  private static volatile Level oursLevel = Level.INFO;
  private static volatile Level othersLevel = Level.WARN;

  private final ConcurrentHashMap<String, Logger> loggers = new ConcurrentHashMap<>();
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new NOPMDCAdapter();

  /** For {@link java.util.ServiceLoader}. */
  public LineLogging() {}

  /**
   * Sets the lowest level logged: {@code ours} for {@code io.jflannel} and below, {@code others}
   * for every other logger. Applies at once to loggers already handed out.
   */
  public static void levels(Level ours, Level others) {
    oursLevel = ours;
    othersLevel = others;
  }

  /** Whether a logger named {@code name} logs events of {@code level}. */
  static boolean enabled(boolean ours, Level level) {
    return level.toInt() >= (ours ? oursLevel : othersLevel).toInt();
  }

  /** Whether {@code name} is one of flanneld's own loggers. */
  static boolean ours(String name) {
    return name.startsWith(OURS)
        && (name.length() == OURS.length() || name.charAt(OURS.length()) == '.');
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return this;
  }

  @Override
  public Logger getLogger(String name) {
    Logger logger = loggers.get(name);
    if (logger == null) {
      Logger made = new LineLogger(name);
      logger = loggers.putIfAbsent(name, made);
      if (logger == null) {
        logger = made;
      }
    }
    return logger;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {}
}
