package io.jflannel.e2e;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@link DualStackScenarios} with host-gw, dual-stack, kube mode, on a real Kubernetes v1.20.2
 * API server ({@link RealKubeApiServer}): Nodes with an IPv4 and an IPv6 {@code spec.podCIDRs}
 * entry (the {@code IPv6DualStack} feature gate is on), net-conf.json with {@code IPv6Network}, the
 * daemons authenticated as the manifest's ServiceAccount. Skipped with the reason when there is no
 * kube-apiserver binary.
 */
@ExtendWith(RealKubeApiServerOnly.class)
class RealKubeDualStackIT extends DualStackScenarios {
  @Override
  Backend backend() {
    return Backend.HOST_GW;
  }

  @Override
  Stack stack() {
    return Stack.DUAL;
  }

  @Override
  boolean kube() {
    return true;
  }

  @Override
  boolean realApiServer() {
    return true;
  }
}
