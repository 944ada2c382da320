package io.jflannel.daemon.diagnose;

import io.jflannel.daemon.FlannelOptions;
import io.jflannel.daemon.OptionsException;
import io.jflannel.daemon.log.LineLogging;
import io.jflannel.daemon.run.ManagerFactory;
import io.jflannel.daemon.run.Managers;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.event.Level;
import picocli.CommandLine;

/**
 * {@code flanneld diagnose [--json] [flanneld's flags]}: parses the daemon's flags and {@code
 * FLANNELD_*} environment (so the diagnosis sees the node as the daemon does), runs {@link
 * Diagnose} and prints the {@link Report}: a table, or one line of JSON with {@code --json}.
 * Returns 0 when nothing is wrong, 1 when problems were found, 2 when the checks could not be made
 * (also for bad flags). Logs only errors (with {@code -v}, as the daemon does), so the report is
 * what is printed.
 */
public final class DiagnoseCommand {
  static final String USAGE =
      """
      Usage: flanneld diagnose [--json] [FLANNELD FLAG]...
      Checks pod networking on this node and prints what is wrong and how to fix it; changes
      nothing. Give it the flags (or FLANNELD_* variables) flanneld runs with.
        --json   one line of JSON instead of the table
      Exit status: 0 healthy, 1 problems found, 2 could not check.
      """;

  private DiagnoseCommand() {}

  /** Runs {@code flanneld diagnose} with {@code args} (after the word {@code diagnose}). */
  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    quiet(verbosity(args));
    return run(args, env, out, err, Managers::forOptions, Path.of("/proc/sys"), Clock.systemUTC());
  }

  /** {@code -v}'s value among {@code args} (0 when absent or not a number), before parsing. */
  static int verbosity(String[] args) {
    int v = 0;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String value = null;
      if (a.matches("--?v=\\d+")) {
        value = a.substring(a.indexOf('=') + 1);
      } else if (a.matches("--?v") && i + 1 < args.length && args[i + 1].matches("\\d+")) {
        value = args[i + 1];
      }
      if (value != null) {
        v = Integer.parseInt(value);
      }
    }
    return v;
  }

  static int run(
      String[] args,
      Map<String, String> env,
      PrintStream out,
      PrintStream err,
      Function<FlannelOptions, ManagerFactory> managers,
      Path procSys,
      Clock clock) {
    List<String> rest = new ArrayList<>();
    boolean json = false;
    for (String a : args) {
      if (a.matches("--?json(=true)?")) {
        json = true;
      } else if (a.matches("--?json=false")) {
        json = false;
      } else if (a.matches("--?help|-h")) {
        out.print(USAGE);
        return Report.HEALTHY;
      } else {
        rest.add(a);
      }
    }
    FlannelOptions options;
    try {
      options = FlannelOptions.parse(env, rest.toArray(String[]::new));
      options.validate();
    } catch (CommandLine.ParameterException | OptionsException e) {
      err.println("flanneld diagnose: " + e.getMessage());
      err.print(USAGE);
      return Report.CANNOT_CHECK;
    }
    Report report = new Report();
    try {
      new Diagnose(options, managers.apply(options), procSys, report, clock).run();
    } catch (Diagnose.CannotCheck e) {
      report.cannotCheck(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      report.cannotCheck("interrupted");
    }
    out.print(json ? report.json() + System.lineSeparator() : report.text());
    out.flush();
    return report.exitCode();
  }

  /** Only errors are logged unless {@code -v} asks for more: the report is the output. */
  private static void quiet(int verbosity) {
    LineLogging.levels(
        verbosity >= 6 ? Level.TRACE : verbosity >= 1 ? Level.DEBUG : Level.ERROR,
        verbosity >= 1 ? Level.WARN : Level.ERROR);
  }
}
