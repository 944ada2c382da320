package io.jflannel.daemon;

import io.jflannel.daemon.diagnose.DiagnoseCommand;
import io.jflannel.daemon.log.LineLogging;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import picocli.CommandLine;

/**
 * The {@code flanneld} entry point: parses the flags, prints help or the version, or runs the
 * {@link Daemon} and exits with its code; {@code flanneld diagnose ...} runs {@link
 * DiagnoseCommand} instead (exit 0, 1 or 2: healthy, problems found, could not check). The only
 * place in jflannel that calls {@code System.exit}.
 *
 * <p>Exit codes, as upstream: 0 after help, version or a clean stop; 2 for a bad command line
 * (unknown flag, missing or badly typed value: Go's {@code flag} package exits 2); 1 for a bad flag
 * value ({@link OptionsException}) or a start-up failure, printed as one line {@code flanneld:
 * <message>} on standard error (the stack trace follows at DEBUG, with {@code -v=1}).
 *
 * <p>Logging goes to standard error ({@link LogConfigurator}); {@code -v} of 1 or more lowers the
 * level of {@code io.jflannel} to DEBUG, 6 or more to TRACE (where iptables payloads are logged, as
 * upstream's {@code V(6)}).
 */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  /** Exit status for a command line that cannot be parsed, as Go's {@code flag} package. */
  static final int EXIT_USAGE = 2;

  /** Exit status for a start-up failure. */
  static final int EXIT_FAILURE = 1;

  private Main() {}

  /** What runs once the flags are good: {@code options -> new Daemon(options).run()}. */
  @FunctionalInterface
  interface Launcher {
    int run(FlannelOptions options) throws Exception;
  }

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("diagnose")) {
      String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
      System.exit(DiagnoseCommand.run(rest, System.getenv(), System.out, System.err));
    }
    System.exit(run(args, System.getenv(), System.out, System.err, o -> new Daemon(o).run()));
  }

  /** Runs flanneld with {@code args} and {@code env}, and returns the exit status. */
  static int run(
      String[] args, Map<String, String> env, PrintStream out, PrintStream err, Launcher launcher) {
    FlannelOptions options;
    CommandLine cl;
    try {
      options = new FlannelOptions();
      cl = FlannelOptions.commandLine(options, env);
      cl.parseArgs(GoFlagSyntax.normalize(args, cl.getCommandSpec()));
    } catch (CommandLine.ParameterException e) {
      err.println("flanneld: " + e.getMessage());
      err.println("Run 'flanneld --help' for the flags.");
      return EXIT_USAGE;
    }
    if (options.helpRequested()) {
      cl.usage(new PrintWriter(out, true, StandardCharsets.UTF_8));
      return 0;
    }
    if (options.versionRequested()) {
      out.println(version());
      return 0;
    }
    try {
      options.validate();
    } catch (OptionsException e) {
      err.println("flanneld: " + e.getMessage());
      return EXIT_FAILURE;
    }
    configureLogging(options.verbosity());
    log.info("flanneld {} starting", version());
    log.info("flags: {}", options);
    for (String ignored : options.ignoredKlogFlags()) {
      log.warn("ignoring {}: jflannel has no per-file verbosity or backtraces", ignored);
    }
    try {
      return launcher.run(options);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("flanneld: interrupted");
      return EXIT_FAILURE;
    } catch (Exception e) {
      err.println("flanneld: " + oneLine(e));
      log.debug("start-up failure", e);
      return EXIT_FAILURE;
    } catch (LinkageError e) {
      // jnr-ffi could not load jffi's native stub: usually an unwritable extraction directory
      err.println("flanneld: " + nativeFailure(e));
      log.debug("start-up failure", e);
      return EXIT_FAILURE;
    }
  }

  /** One line for a native library that would not load, with the fix. */
  static String nativeFailure(LinkageError e) {
    String dir = System.getProperty("jffi.extract.dir", System.getProperty("java.io.tmpdir"));
    return "cannot load the native netlink stub ("
        + oneLine(e)
        + "); jffi extracts it to "
        + dir
        + ", which must be writable and not mounted noexec: set JAVA_OPTS=-Djffi.extract.dir=<such"
        + " a directory>";
  }

  /** The exception's message on one line; its class name if it has none. */
  static String oneLine(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      m = e.getClass().getSimpleName();
      if (e.getCause() != null && e.getCause() != e) {
        m += ": " + oneLine(e.getCause());
      }
    }
    return m.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  /**
   * Our version: the jar manifest's {@code Implementation-Version}, else the {@code pom.properties}
   * Maven puts into the jar, else {@code dev} (running from a build directory).
   */
  public static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    if (v != null && !v.isBlank()) {
      return v;
    }
    try (InputStream in =
        Main.class.getResourceAsStream(
            "/META-INF/maven/io.jflannel/jflannel-daemon/pom.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String pv = p.getProperty("version");
        if (pv != null && !pv.isBlank()) {
          return pv;
        }
      }
    } catch (IOException e) {
      log.debug("cannot read pom.properties", e);
    }
    return "dev";
  }

  /** Lowers the level of our loggers for {@code -v}: DEBUG, and from {@code -v=6} TRACE. */
  static void configureLogging(int verbosity) {
    if (verbosity > 0) {
      LineLogging.levels(verbosity >= 6 ? Level.TRACE : Level.DEBUG, Level.WARN);
    }
  }
}
