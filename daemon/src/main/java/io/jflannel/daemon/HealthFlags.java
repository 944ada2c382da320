package io.jflannel.daemon;

import io.jflannel.daemon.health.HealthSettings;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * jflannel's own health-check thresholds (upstream has no such flags): how long the lease store may
 * be unreachable before {@code /readyz} answers 503, and how many reconcile passes in a row may
 * fail in the backend before {@code /healthz} does. Also read from {@code FLANNELD_HEALTHZ_*}.
 *
 * <p>Filled in by picocli as a mixin of {@link FlannelOptions}; read-only afterwards.
 */
public final class HealthFlags {
  @Option(
      names = "--healthz-store-timeout",
      paramLabel = "<seconds>",
      defaultValue = "30",
      description =
          "jflannel: /readyz answers 503 once the lease store (etcd, API server) has been unreachable this long, in seconds (default: ${DEFAULT-VALUE})")
  private int storeTimeout;

  @Option(
      names = "--healthz-max-failed-reconciles",
      paramLabel = "<n>",
      defaultValue = "5",
      description =
          "jflannel: /healthz answers 503 once this many reconcile passes in a row failed in the backend (default: ${DEFAULT-VALUE})")
  private int maxFailedReconciles;

  /** {@code --healthz-store-timeout}. */
  public Duration storeTimeout() {
    return Duration.ofSeconds(storeTimeout);
  }

  /** {@code --healthz-max-failed-reconciles}. */
  public int maxFailedReconciles() {
    return maxFailedReconciles;
  }

  /** The health checks' thresholds, with the reconcile period {@code resyncPeriod}. */
  public HealthSettings settings(Duration resyncPeriod) {
    return new HealthSettings(storeTimeout(), maxFailedReconciles, resyncPeriod);
  }

  /**
   * Checks the values.
   *
   * @throws OptionsException naming the bad flag and the fix
   */
  void validate() throws OptionsException {
    if (storeTimeout < 0) {
      throw new OptionsException(
          "--healthz-store-timeout=" + storeTimeout + " must be 0 or more (seconds)");
    }
    if (maxFailedReconciles < 1) {
      throw new OptionsException(
          "--healthz-max-failed-reconciles=" + maxFailedReconciles + " must be at least 1");
    }
  }
}
