package io.jflannel.e2e;

import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JUnit condition for the real-API-server suite: it runs only when a kube-apiserver binary is found
 * ({@link RealKubeApiServer#binary}), and is skipped otherwise with the reason, which is also
 * logged so it shows in the build's output.
 */
final class RealKubeApiServerOnly implements ExecutionCondition {
  private static final Logger log = LoggerFactory.getLogger(RealKubeApiServerOnly.class);

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    Optional<String> why = RealKubeApiServer.whyUnavailable();
    if (why.isPresent()) {
      if (context.getTestMethod().isEmpty()) {
        log.warn("{} skipped: {}", context.getDisplayName(), why.get());
      }
      return ConditionEvaluationResult.disabled("skipped: " + why.get());
    }
    return ConditionEvaluationResult.enabled(
        "kube-apiserver at " + RealKubeApiServer.binary().orElseThrow());
  }
}
