package io.jflannel.netlink.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit condition for tests that program the kernel: they run only as root with iproute2 present,
 * and are skipped otherwise with the reason.
 */
public final class RootOnly implements ExecutionCondition {
  /** Whether this process runs with uid 0, read from {@code /proc/self/status}. */
  public static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[1].equals("0");
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (!isRoot()) {
      return ConditionEvaluationResult.disabled(
          "skipped: needs root to create network namespaces (run the tests as root: sudo"
              + " scripts/test)");
    }
    if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))) {
      return ConditionEvaluationResult.disabled(
          "skipped: iproute2 is missing (apt-get install iproute2, or run scripts/test)");
    }
    return ConditionEvaluationResult.enabled("running as root");
  }
}
