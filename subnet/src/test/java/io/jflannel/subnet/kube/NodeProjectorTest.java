package io.jflannel.subnet.kube;

import static io.jflannel.subnet.kube.TestNodes.P;
import static io.jflannel.subnet.kube.TestNodes.peer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.NodeSpecBuilder;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.lease.Lease;
import org.junit.jupiter.api.Test;

class NodeProjectorTest {

  private final KubeAnnotations names = KubeAnnotations.forPrefix(KubeAnnotations.DEFAULT_PREFIX);
  private final NodeProjector v4 = new NodeProjector(names, true, false);

  @Test
  void projectsAVxlanPeerIntoItsLease() throws Exception {
    NodeProjector.Result r =
        v4.project(peer("n2", "10.244.2.0/24", "192.168.0.2", "aa:bb:cc:dd:ee:02").build());
    assertThat(r.problem()).isNull();
    Lease lease = r.lease();
    assertThat(lease.subnet()).isEqualTo(Ip4Net.parse("10.244.2.0/24"));
    assertThat(lease.ipv6Subnet()).isNull();
    assertThat(lease.attrs().publicIp()).isEqualTo(Ip4.parse("192.168.0.2"));
    assertThat(lease.attrs().backendType()).isEqualTo("vxlan");
    assertThat(lease.attrs().backendData())
        .isEqualTo(new ObjectMapper().readTree("{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:02\"}"));
    assertThat(lease.expiration()).isNull();
  }

  @Test
  void hostGwNullBackendDataIsAJsonNull() {
    NodeProjector.Result r =
        v4.project(
            TestNodes.node("n2")
                .podCidrs("10.244.2.0/24")
                .vxlan("192.168.0.2", "x")
                .annotation(P + "backend-type", "host-gw")
                .annotation(P + "backend-data", "null")
                .build());
    assertThat(r.lease().attrs().backendData().isNull()).isTrue();
  }

  @Test
  void dualStackPeerNeedsBothFamilies() {
    NodeProjector dual = new NodeProjector(names, true, true);
    TestNodes n =
        peer("n2", "10.244.2.0/24", "192.168.0.2", "aa:bb:cc:dd:ee:02")
            .podCidrs("10.244.2.0/24", "fd00:10:244:2::/64")
            .annotation(P + "public-ipv6", "fd00::2")
            .annotation(P + "backend-v6-data", "{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:12\"}");
    Lease lease = dual.project(n.build()).lease();
    assertThat(lease.ipv6Subnet()).isEqualTo(Ip6Net.parse("fd00:10:244:2::/64"));
    assertThat(lease.attrs().publicIpv6()).isEqualTo(Ip6.parse("fd00::2"));
    assertThat(dual.project(n.without(P + "public-ipv6").build()).problem())
        .isEqualTo("no flannel.alpha.coreos.com/public-ipv6 annotation");
    assertThat(dual.project(n.podCidrs("10.244.2.0/24").build()).problem())
        .isEqualTo("no IPv6 pod CIDR although the net config enables IPv6");
  }

  @Test
  void saysWhyANodeHasNoLease() {
    TestNodes good = peer("n2", "10.244.2.0/24", "192.168.0.2", "aa:bb:cc:dd:ee:02");
    assertThat(v4.project(TestNodes.node("n2").podCidrs("10.244.2.0/24").build()).problem())
        .isEqualTo(
            "no flannel.alpha.coreos.com/kube-subnet-manager=\"true\" annotation"
                + " (flannel has not started there yet)");
    assertThat(v4.project(good.podCidrs().build()).problem()).isEqualTo("no spec.podCIDR assigned");
    assertThat(
            v4.project(good.podCidrs("10.244.2.0/24").annotation(P + "public-ip", "bogus").build())
                .problem())
        .isEqualTo(
            "flannel.alpha.coreos.com/public-ip: \"bogus\" is not an IPv4 address like 10.244.0.1");
    assertThat(v4.project(good.annotation(P + "public-ip", "0.0.0.0").build()).problem())
        .contains("0.0.0.0");
    assertThat(
            v4.project(
                    good.annotation(P + "public-ip", "192.168.0.2")
                        .annotation(P + "backend-data", "{garbage")
                        .build())
                .problem())
        .startsWith("flannel.alpha.coreos.com/backend-data is not JSON: ");
    assertThat(v4.project(good.annotation(P + "backend-data", "{} {}").build()).problem())
        .startsWith("flannel.alpha.coreos.com/backend-data is not JSON: ");
    assertThat(
            v4.project(
                    good.annotation(P + "backend-data", "{}")
                        .podCidrs("10.244.2.0/24", "10.244.3.0/24")
                        .build())
                .problem())
        .isEqualTo("spec.podCIDRs [10.244.2.0/24, 10.244.3.0/24] has two IPv4 CIDRs");
    assertThat(v4.project(good.podCidrs("fd00::/64").build()).problem())
        .isEqualTo("no IPv4 pod CIDR although the net config enables IPv4");
  }

  @Test
  void podCidrsFollowUpstream() {
    assertThat(NodeProjector.podCidrs(new NodeSpecBuilder().withPodCIDR("10.244.1.7/24").build()))
        .isEqualTo(new NodeProjector.PodCidrs(Ip4Net.parse("10.244.1.0/24"), null));
    assertThat(
            NodeProjector.podCidrs(
                new NodeSpecBuilder()
                    .withPodCIDR("10.244.1.0/24")
                    .withPodCIDRs("fd00::/64", "10.244.1.0/24")
                    .build()))
        .isEqualTo(
            new NodeProjector.PodCidrs(Ip4Net.parse("10.244.1.0/24"), Ip6Net.parse("fd00::/64")));
    assertThat(NodeProjector.podCidrs(new NodeSpecBuilder().build())).isNull();
    assertThatThrownBy(
            () ->
                NodeProjector.podCidrs(
                    new NodeSpecBuilder()
                        .withPodCIDRs("10.0.0.0/24", "fd00::/64", "10.1.0.0/24")
                        .build()))
        .hasMessageContaining("should be IPv4/IPv6 only or dualstack");
    assertThatThrownBy(
            () -> NodeProjector.podCidrs(new NodeSpecBuilder().withPodCIDR("10.0.0/24").build()))
        .hasMessageContaining("is not an IPv4 CIDR");
  }
}
