package io.jflannel.e2e;

/** The {@link DualStackScenarios} with vxlan, dual-stack, etcd mode. */
class DualStackVxlanEtcdIT extends DualStackScenarios {
  @Override
  Backend backend() {
    return Backend.VXLAN;
  }

  @Override
  Stack stack() {
    return Stack.DUAL;
  }

  @Override
  boolean kube() {
    return false;
  }
}
