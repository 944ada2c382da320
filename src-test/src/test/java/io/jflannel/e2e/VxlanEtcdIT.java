package io.jflannel.e2e;

/** The etcd-mode scenarios with {@code "Backend":{"Type":"vxlan"}}. */
class VxlanEtcdIT extends EtcdModeScenarios {
  @Override
  Backend backend() {
    return Backend.VXLAN;
  }
}
