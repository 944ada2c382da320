package io.jflannel.e2e;

/** The etcd-mode scenarios with {@code "Backend":{"Type":"host-gw"}}. */
class HostGwEtcdIT extends EtcdModeScenarios {
  @Override
  Backend backend() {
    return Backend.HOST_GW;
  }
}
