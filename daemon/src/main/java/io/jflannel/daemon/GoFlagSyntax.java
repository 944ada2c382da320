package io.jflannel.daemon;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Rewrites a command line written for Go's {@code flag} package, as upstream flanneld parses it,
 * into the form picocli parses: every known flag becomes {@code --name} or {@code --name=value}.
 *
 * <p>Go accepts {@code -name} and {@code --name} alike, a value attached ({@code -iface=eth0}) or
 * as the next argument ({@code -iface eth0}, taken whatever it looks like, even {@code -x}), and a
 * boolean only as {@code -name} (true) or {@code -name=<bool>} where {@code <bool>} is any of
 * {@code 1 0 t f T F true false TRUE FALSE True False}. A bare boolean becomes {@code --name=true},
 * so picocli never takes the next argument as its value: Go does not either. {@code -ip-masq false}
 * is refused with the fix ({@code -ip-masq=false}): Go reads that {@code false} as a stray argument
 * and turns the flag on, the opposite of what was meant. An argument after {@code --}, any other
 * non-flag argument and an unknown flag are passed through unchanged for picocli to reject with its
 * usage error. Upstream silently stops parsing at the first non-flag argument and ignores the rest;
 * we report it.
 *
 * <p>A flag may appear more than once; that is the parser's business, not this rewrite's: {@link
 * FlannelOptions} lets the last value win and repeatable flags collect every value, as Go does.
 *
 * <p>Pure; thread-safe.
 */
final class GoFlagSyntax {
  private GoFlagSyntax() {}

  /** Picocli's form of Go-style {@code args}, using {@code spec} to know the flags and types. */
  static String[] normalize(String[] args, CommandSpec spec) {
    Map<String, OptionSpec> byName = new HashMap<>();
    for (OptionSpec o : spec.options()) {
      for (String n : o.names()) {
        byName.put(n.replaceFirst("^-+", ""), o);
      }
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--")) {
        for (int j = i; j < args.length; j++) {
          out.add(args[j]);
        }
        break;
      }
      String body = a.startsWith("--") ? a.substring(2) : a.startsWith("-") ? a.substring(1) : null;
      if (body == null || body.isEmpty() || body.startsWith("-") || body.startsWith("=")) {
        out.add(a);
        continue;
      }
      int eq = body.indexOf('=');
      String name = eq < 0 ? body : body.substring(0, eq);
      String value = eq < 0 ? null : body.substring(eq + 1);
      OptionSpec opt = byName.get(name);
      if (opt == null) {
        out.add(a);
        continue;
      }
      i = rewrite(opt, a, value, args, i, out);
    }
    return out.toArray(String[]::new);
  }

  /**
   * Adds picocli's form of the known flag {@code args[i]} (spelled {@code arg}, its attached value
   * or null) to {@code out}; returns the index of the last argument used (i + 1 if the value was
   * the next argument).
   */
  private static int rewrite(
      OptionSpec opt, String arg, String value, String[] args, int i, List<String> out) {
    String canonical = opt.longestName();
    if (isBoolean(opt)) {
      if (value == null && i + 1 < args.length && goBool(args[i + 1]) != null) {
        throw new CommandLine.ParameterException(
            opt.command().commandLine(),
            String.format(
                "'%s %s': a boolean flag takes its value after '=': write %s=%s (Go's flag"
                    + " package would read '%s' as a stray argument and turn the flag on)",
                arg, args[i + 1], arg, args[i + 1], args[i + 1]));
      }
      if (value == null) {
        // --help and --version take no value at all
        out.add(opt.arity().max() == 0 ? canonical : canonical + "=true");
      } else {
        Boolean b = goBool(value);
        out.add(canonical + "=" + (b == null ? value : b.toString()));
      }
      return i;
    }
    if (value != null) {
      out.add(canonical + "=" + value);
    } else if (i + 1 < args.length) {
      out.add(canonical + "=" + args[++i]);
    } else {
      out.add(canonical);
    }
    return i;
  }

  static boolean isBoolean(OptionSpec o) {
    return o.type() == boolean.class || o.type() == Boolean.class;
  }

  /** Go's {@code strconv.ParseBool}: the boolean {@code s} spells, or null if it spells none. */
  static Boolean goBool(String s) {
    switch (s) {
      case "1", "t", "T", "true", "TRUE", "True":
        return Boolean.TRUE;
      case "0", "f", "F", "false", "FALSE", "False":
        return Boolean.FALSE;
      default:
        return null;
    }
  }
}
