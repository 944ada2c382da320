package io.jflannel.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * flanneld's logging set-up, in code: everything to standard error (upstream: klog with {@code
 * logtostderr=true}), one line per event,
 *
 * <pre>
 * 2026-11-21T21:20:07.123Z INFO  InterfaceSelector using interface eth0 (mtu 1500) with address 10.0.0.5
 * </pre>
 *
 * {@code io.jflannel} at INFO, libraries at WARN; {@code -v=1} lowers ours to DEBUG, {@code -v=6}
 * to TRACE ({@link Main#configureLogging}).
 *
 * <p>Why code and not {@code logback.xml}: reading XML costs logback's Joran configurator and the
 * JDK's XML parser, about 560 classes (a quarter of a {@code --version} run's, some 4 MB of
 * metaspace and ~100 ms of start-up), for five lines of configuration. Found by logback through
 * {@code META-INF/services/ch.qos.logback.classic.spi.Configurator}, ahead of its defaults. An
 * operator who wants another set-up passes {@code -Dlogback.configurationFile=<file>} in {@code
 * JAVA_OPTS}: this configurator then steps aside and logback reads that file as usual.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogConfigurator extends ContextAwareBase implements Configurator {
  static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0} %msg%n";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(stderr);
    context.getLogger("io.jflannel").setLevel(Level.INFO);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
