package io.jflannel.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jflannel.netlink.testing.Sh;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of {@code flanneld diagnose --json} on a host: its exit status and the findings of its
 * report, parsed from the JSON line it printed.
 */
record Diagnosis(String host, int exit, String summary, List<Finding> findings, String raw) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One finding of the report. */
  record Finding(String severity, String check, String subject, String detail, String fix) {
    @Override
    public String toString() {
      return severity
          + " "
          + check
          + " "
          + subject
          + ": "
          + detail
          + (fix.isEmpty() ? "" : " | fix: " + fix);
    }
  }

  static Diagnosis parse(Host host, Sh.Out out) {
    String line =
        out.stdout().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
    if (line == null) {
      throw new AssertionError(
          "flanneld diagnose on "
              + host.name()
              + " exited "
              + out.exit()
              + " without a report:\n"
              + out.stdout()
              + out.stderr());
    }
    try {
      JsonNode report = JSON.readTree(line);
      List<Finding> findings = new ArrayList<>();
      for (JsonNode f : report.get("findings")) {
        findings.add(
            new Finding(
                f.get("severity").asText(),
                f.get("check").asText(),
                f.get("subject").asText(),
                f.get("detail").asText(),
                f.get("fix").asText()));
      }
      return new Diagnosis(
          host.name(),
          out.exit(),
          report.get("summary").asText(),
          findings,
          out.stdout() + out.stderr());
    } catch (IOException e) {
      throw new AssertionError("flanneld diagnose printed no JSON: " + line, e);
    }
  }

  /** The findings of severity PROBLEM. */
  List<Finding> problems() {
    return findings.stream().filter(f -> f.severity().equals("PROBLEM")).toList();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("diagnose on " + host + ": exit " + exit + ", " + summary);
    findings.forEach(f -> sb.append("\n  ").append(f));
    return sb.toString();
  }
}
