package io.jflannel.daemon;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Supplies a flag absent from the command line from the environment variable {@code
 * FLANNELD_<FLAG>} (upper case, {@code -} as {@code _}: {@code --iface-regex} reads {@code
 * FLANNELD_IFACE_REGEX}, {@code -v} reads {@code FLANNELD_V}), as upstream's {@code
 * flagutil.SetFlagsFromEnv} does.
 *
 * <p>An unset or empty variable leaves the flag's default. A repeatable flag gets the whole value
 * as its one element (no splitting on commas). Booleans take Go's spellings ({@code 1}, {@code t},
 * {@code false}, ...). {@code --help} and {@code --version} are never read from the environment.
 * Upstream logs a badly typed variable and carries on with the default; we refuse it with a usage
 * error naming the variable, so a typo cannot silently change behaviour.
 *
 * <p>Picocli consults this only for options not matched on the command line, which gives "command
 * line wins" per flag, exactly as upstream: a repeatable flag present on the command line ignores
 * its variable entirely (the two are not merged), and one absent from it gets the variable as its
 * single value. The environment map is read, never changed; thread-safe if the map is.
 */
final class EnvDefaults implements IDefaultValueProvider {
  static final String PREFIX = "FLANNELD_";

  private final Map<String, String> env;
  private final CommandSpec spec;

  EnvDefaults(Map<String, String> env, CommandSpec spec) {
    this.env = env;
    this.spec = spec;
  }

  /** {@code FLANNELD_IFACE_REGEX} for {@code --iface-regex}. */
  static String variable(OptionSpec o) {
    return PREFIX
        + o.longestName().replaceFirst("^-+", "").toUpperCase(Locale.ROOT).replace('-', '_');
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec o) || o.usageHelp() || o.versionHelp()) {
      return null;
    }
    String key = variable(o);
    String v = env.get(key);
    if (v == null || v.isEmpty()) {
      return null;
    }
    if (GoFlagSyntax.isBoolean(o)) {
      Boolean b = GoFlagSyntax.goBool(v);
      if (b == null) {
        throw bad(key, v, "is not a boolean: use true or false");
      }
      return b.toString();
    }
    if (o.type() == int.class || o.type() == Integer.class) {
      try {
        Integer.parseInt(v.strip());
      } catch (NumberFormatException e) {
        throw bad(key, v, "is not a whole number");
      }
      return v.strip();
    }
    return v;
  }

  private CommandLine.ParameterException bad(String key, String value, String why) {
    return new CommandLine.ParameterException(
        spec.commandLine(), "environment variable " + key + "='" + value + "' " + why);
  }
}
