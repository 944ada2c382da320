package io.jflannel.e2e;

/** The {@link DualStackScenarios} with host-gw, dual-stack, kube mode. */
class DualStackHostGwKubeIT extends DualStackScenarios {
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
}
