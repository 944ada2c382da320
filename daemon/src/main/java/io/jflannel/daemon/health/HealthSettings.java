package io.jflannel.daemon.health;

import java.time.Duration;

/**
 * The thresholds of the health checks.
 *
 * @param storeTimeout how long the lease store may be unreachable before {@code /readyz} fails
 *     ({@code --healthz-store-timeout})
 * @param maxFailedReconciles reconcile passes in a row that may fail in the backend before {@code
 *     /healthz} fails ({@code --healthz-max-failed-reconciles})
 * @param resyncPeriod the reconcile period ({@code --resync-period}): a pass is expected this often
 */
public record HealthSettings(
    Duration storeTimeout, int maxFailedReconciles, Duration resyncPeriod) {
  public HealthSettings {
    if (storeTimeout.isNegative() || maxFailedReconciles < 1 || resyncPeriod.isNegative()) {
      throw new IllegalArgumentException(
          "bad health settings: "
              + storeTimeout
              + ", "
              + maxFailedReconciles
              + ", "
              + resyncPeriod);
    }
  }
}
