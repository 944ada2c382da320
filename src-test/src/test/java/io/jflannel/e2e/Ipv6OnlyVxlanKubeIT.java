package io.jflannel.e2e;

/**
 * The {@link DualStackScenarios} with vxlan, IPv6 only ({@code "EnableIPv4": false}), kube mode.
 */
class Ipv6OnlyVxlanKubeIT extends DualStackScenarios {
  @Override
  Backend backend() {
    return Backend.VXLAN;
  }

  @Override
  Stack stack() {
    return Stack.IPV6;
  }

  @Override
  boolean kube() {
    return true;
  }
}
