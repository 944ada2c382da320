package io.jflannel.subnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import org.junit.jupiter.api.Test;

class SubnetEnvTest {

  private static final LeaseAttrs ATTRS =
      new LeaseAttrs(Ip4.parse("192.168.64.3"), null, "vxlan", null, null);

  @Test
  void takesTheEnabledFamiliesFromTheConfig() throws Exception {
    NetworkConfig dual =
        NetworkConfig.parse(
            "{\"Network\": \"10.244.0.0/16\", \"EnableIPv6\": true, \"IPv6Network\":"
                + " \"2001:cafe:42::/56\", \"Backend\": {\"Type\": \"vxlan\"}}");
    NetworkConfig v4 =
        NetworkConfig.parse("{\"Network\": \"10.244.0.0/16\", \"Backend\": {\"Type\": \"vxlan\"}}");
    Lease lease =
        new Lease(
            Ip4Net.parse("10.244.1.0/24"), Ip6Net.parse("2001:cafe:42:1::/64"), ATTRS, null, 0);

    assertThat(SubnetEnv.of(dual, lease, 1450, true)).isEqualTo(SubnetFileTest.DUAL_STACK);
    assertThat(SubnetEnv.of(v4, lease, 1450, true)).isEqualTo(SubnetFileTest.V4_ONLY);
  }

  @Test
  void anIpv6OnlyConfigGivesAFileWithoutIpv4Lines() throws Exception {
    NetworkConfig v6 =
        NetworkConfig.parse(
            "{\"EnableIPv4\": false, \"EnableIPv6\": true, \"IPv6Network\": \"fc00::/48\","
                + " \"Backend\": {\"Type\": \"vxlan\"}}");
    Lease lease =
        new Lease(
            null,
            Ip6Net.parse("fc00:0:0:3::/64"),
            new LeaseAttrs(null, Ip6.parse("fd00::3"), "vxlan", null, null),
            null,
            0);

    SubnetEnv env = SubnetEnv.of(v6, lease, 1500, false);

    assertThat(env).isEqualTo(SubnetFileTest.V6_ONLY);
    assertThat(SubnetFile.format(env))
        .isEqualTo(
            "FLANNEL_IPV6_NETWORK=fc00::/48\n"
                + "FLANNEL_IPV6_SUBNET=fc00:0:0:3::1/64\n"
                + "FLANNEL_MTU=1500\n"
                + "FLANNEL_IPMASQ=false\n");
    Lease dual = new Lease(Ip4Net.parse("10.244.3.0/24"), lease.ipv6Subnet(), ATTRS, null, 0);
    assertThat(SubnetEnv.of(v6, dual, 1500, false))
        .as("the IPv4 subnet of a lease is not written when the config disables IPv4")
        .isEqualTo(env);
  }

  @Test
  void refusesALeaseWithoutASubnetOfAnEnabledFamily() throws Exception {
    NetworkConfig dual =
        NetworkConfig.parse(
            "{\"Network\": \"10.244.0.0/16\", \"EnableIPv6\": true, \"IPv6Network\":"
                + " \"2001:cafe:42::/56\", \"Backend\": {\"Type\": \"vxlan\"}}");
    Lease v4Lease = new Lease(Ip4Net.parse("10.244.1.0/24"), null, ATTRS, null, 0);

    assertThatThrownBy(() -> SubnetEnv.of(dual, v4Lease, 1450, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("IPv6 is enabled but lease 10.244.1.0/24 has no IPv6 subnet");
  }

  @Test
  void needsWholeFamiliesAndAPositiveMtu() {
    Ip4Net net = Ip4Net.parse("10.244.0.0/16");
    Ip4Net sub = Ip4Net.parse("10.244.1.0/24");
    assertThatThrownBy(() -> new SubnetEnv(net, null, null, null, 1450, true))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SubnetEnv(null, null, null, null, 1450, true))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SubnetEnv(net, sub, null, null, 0, true))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new SubnetEnv(net, Ip4Net.parse("10.244.1.1/32"), null, null, 1450, true))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
