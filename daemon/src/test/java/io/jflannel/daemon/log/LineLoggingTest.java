package io.jflannel.daemon.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

class LineLoggingTest {

  private static final DateTimeFormatter LOGBACK_PATTERN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

  @AfterEach
  void defaults() {
    LineLogging.levels(Level.INFO, Level.WARN);
  }

  @Test
  void isTheBindingSlf4jFinds() {
    assertThat(ServiceLoader.load(org.slf4j.spi.SLF4JServiceProvider.class).stream())
        .extracting(p -> p.type().getName())
        .containsExactly(LineLogging.class.getName());
    assertThat(LoggerFactory.getILoggerFactory()).isInstanceOf(LineLogging.class);
  }

  @Test
  void writesOneLinePerEventToStandardErrorOursAtInfoLibrariesAtWarn() {
    String out =
        captured(
            () -> {
              Logger ours = LoggerFactory.getLogger("io.jflannel.daemon.InterfaceSelector");
              Logger library = LoggerFactory.getLogger("io.fabric8.kubernetes.client.Config");
              ours.info("using interface {} (mtu {})", "eth0", 1500);
              ours.debug("not shown");
              library.info("not shown either");
              library.warn("shown: {}", "a warning");
              ours.error("with {} and a {}", "arguments", new IllegalStateException("boom"));
            });
    String[] lines = out.split("\n");
    assertThat(lines[0])
        .matches(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)"
                + " INFO  InterfaceSelector using interface eth0 \\(mtu 1500\\)");
    assertThat(lines[1]).endsWith(" WARN  Config shown: a warning");
    assertThat(lines[2]).endsWith(" ERROR InterfaceSelector with arguments and a {}");
    assertThat(lines[3]).isEqualTo("java.lang.IllegalStateException: boom");
    assertThat(lines[4]).startsWith("\tat io.jflannel.daemon.log.LineLoggingTest");
    assertThat(out).doesNotContain("not shown");
  }

  @Test
  void levelsApplyToLoggersAlreadyHandedOut() {
    Logger ours = LoggerFactory.getLogger("io.jflannel.backend.vxlan.VxlanNetwork");
    Logger library = LoggerFactory.getLogger("io.fabric8.Other");
    Logger lookalike = LoggerFactory.getLogger("io.jflannelx.Other");
    assertThat(ours.isDebugEnabled()).isFalse();
    LineLogging.levels(Level.TRACE, Level.WARN);
    assertThat(ours.isTraceEnabled()).isTrue();
    assertThat(library.isInfoEnabled()).isFalse();
    assertThat(lookalike.isInfoEnabled()).isFalse();
    LineLogging.levels(Level.ERROR, Level.ERROR);
    assertThat(ours.isWarnEnabled()).isFalse();
    assertThat(ours.isErrorEnabled()).isTrue();
    assertThat(library.isWarnEnabled()).isFalse();
    assertThat(LineLogging.ours("io.jflannel")).isTrue();
  }

  @Test
  void timestampsAreWhatLogbacksPatternWrote() {
    Random random = new Random(17);
    int[] offsets = {0, 3_600_000, -18_000_000, 19_800_000, -34_200_000, 45_900_000};
    for (int i = 0; i < 20_000; i++) {
      // 1900 to 2200, and the edges of days, months and leap years
      long millis = -2_208_988_800_000L + (long) (random.nextDouble() * 9_467_280_000_000L);
      int offset = offsets[i % offsets.length];
      StringBuilder b = new StringBuilder();
      LineLogger.timestamp(b, millis, offset);
      String expected =
          LOGBACK_PATTERN.format(
              Instant.ofEpochMilli(millis).atOffset(ZoneOffset.ofTotalSeconds(offset / 1000)));
      assertThat(b).as("%d at offset %d", millis, offset).hasToString(expected);
    }
    StringBuilder leap = new StringBuilder();
    LineLogger.timestamp(leap, Instant.parse("2024-02-29T23:59:59.999Z").toEpochMilli(), 0);
    assertThat(leap).hasToString("2024-02-29T23:59:59.999Z");
  }

  private static String captured(Runnable logging) {
    PrintStream before = System.err;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setErr(new PrintStream(bytes, false, StandardCharsets.UTF_8));
    try {
      logging.run();
    } finally {
      System.setErr(before);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
