package io.jflannel.daemon.diagnose;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jflannel.core.backend.Finding;
import io.jflannel.core.backend.Finding.Severity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code flanneld diagnose} found: a few lines of context (store, backend, interface, lease),
 * the findings in the order they were made, and, if the checks could not be made, why. Rendered as
 * a table for people or as JSON for tools; the exit code is 0 (nothing wrong), 1 (problems found)
 * or 2 (could not check).
 *
 * <p>Not thread-safe: one diagnosis fills it on one thread.
 */
final class Report {
  static final int HEALTHY = 0;
  static final int PROBLEMS = 1;
  static final int CANNOT_CHECK = 2;

  private final Map<String, String> context = new LinkedHashMap<>();
  private final List<Finding> findings = new ArrayList<>();
  private String cannotCheck;

  void context(String key, String value) {
    context.put(key, value);
  }

  void add(Finding f) {
    findings.add(f);
  }

  void addAll(List<Finding> fs) {
    findings.addAll(fs);
  }

  /** The checks stopped: {@code why}, with the fix, one line. */
  void cannotCheck(String why) {
    cannotCheck = why;
  }

  List<Finding> findings() {
    return List.copyOf(findings);
  }

  long count(Severity s) {
    return findings.stream().filter(f -> f.severity() == s).count();
  }

  int exitCode() {
    if (cannotCheck != null) {
      return CANNOT_CHECK;
    }
    return count(Severity.PROBLEM) > 0 ? PROBLEMS : HEALTHY;
  }

  /** The table: context, one row per finding (its fix below each problem), a summary line. */
  String text() {
    StringBuilder sb = new StringBuilder();
    context.forEach((k, v) -> sb.append(String.format("%-10s %s%n", k + ":", v)));
    if (!findings.isEmpty()) {
      int check = width(Finding::check, "CHECK");
      int subject = width(Finding::subject, "SUBJECT");
      String row = "%-8s %-" + check + "s %-" + subject + "s %s%n";
      sb.append(String.format("%n" + row, "STATUS", "CHECK", "SUBJECT", "DETAIL"));
      for (Finding f : findings) {
        sb.append(String.format(row, status(f), f.check(), f.subject(), f.detail()));
        if (!f.fix().isEmpty()) {
          sb.append(" ".repeat(9)).append("fix: ").append(f.fix()).append(System.lineSeparator());
        }
      }
    }
    sb.append(System.lineSeparator()).append(summary()).append(System.lineSeparator());
    return sb.toString();
  }

  private int width(java.util.function.Function<Finding, String> column, String header) {
    int w = header.length();
    for (Finding f : findings) {
      w = Math.max(w, column.apply(f).length());
    }
    return Math.min(w, 40);
  }

  private static String status(Finding f) {
    return f.severity() == Severity.OK ? "ok" : f.severity().name().toLowerCase(Locale.ROOT);
  }

  /** {@code 2 problems, 1 warning, 14 checks passed (exit 1)}, or why nothing could be checked. */
  String summary() {
    if (cannotCheck != null) {
      return "could not check: " + cannotCheck + " (exit 2)";
    }
    long problems = count(Severity.PROBLEM);
    long warnings = count(Severity.WARNING);
    return (problems == 0 ? "no problems" : plural(problems, "problem"))
        + ", "
        + plural(warnings, "warning")
        + ", "
        + plural(count(Severity.OK), "check")
        + " passed (exit "
        + exitCode()
        + ")";
  }

  private static String plural(long n, String word) {
    return n + " " + word + (n == 1 ? "" : "s");
  }

  /**
   * {@code {"exit":1,"summary":"...","context":{...},"cannotCheck":null,"findings":[{"severity":
   * "PROBLEM","check":...,"subject":...,"detail":...,"fix":...}]}}, one line.
   */
  String json() {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode o = mapper.createObjectNode();
    o.put("exit", exitCode());
    o.put("summary", summary());
    ObjectNode ctx = o.putObject("context");
    context.forEach(ctx::put);
    o.put("cannotCheck", cannotCheck);
    ArrayNode list = o.putArray("findings");
    for (Finding f : findings) {
      ObjectNode n = list.addObject();
      n.put("severity", f.severity().name());
      n.put("check", f.check());
      n.put("subject", f.subject());
      n.put("detail", f.detail());
      n.put("fix", f.fix());
    }
    return o.toString();
  }
}
