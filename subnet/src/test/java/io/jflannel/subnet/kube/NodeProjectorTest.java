package io.jflannel.subnet.kube;

import static io.jflannel.subnet.kube.TestNodes.P;
import static io.jflannel.subnet.kube.TestNodes.peer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSpecBuilder;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseKey;
import java.util.List;
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

  private final NodeProjector dual = new NodeProjector(names, true, true);

  /** A dual-stack vxlan peer as upstream annotates it. */
  private static TestNodes dualPeer() {
    return peer("n2", "10.244.2.0/24", "192.168.0.2", "aa:bb:cc:dd:ee:02")
        .podCidrs("10.244.2.0/24", "fd00:10:244:2::/64")
        .annotation(P + "public-ipv6", "fd00::2")
        .annotation(P + "backend-v6-data", "{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:12\"}");
  }

  @Test
  void projectsADualStackPeerWithBothFamilies() {
    NodeProjector.Result r = dual.project(dualPeer().build());
    assertThat(r.problem()).isNull();
    assertThat(r.gaps()).isEmpty();
    Lease lease = r.lease();
    assertThat(lease.subnet()).isEqualTo(Ip4Net.parse("10.244.2.0/24"));
    assertThat(lease.ipv6Subnet()).isEqualTo(Ip6Net.parse("fd00:10:244:2::/64"));
    assertThat(lease.attrs().publicIp()).isEqualTo(Ip4.parse("192.168.0.2"));
    assertThat(lease.attrs().publicIpv6()).isEqualTo(Ip6.parse("fd00::2"));
    assertThat(lease.attrs().backendV6Data().get("VtepMAC").asText())
        .isEqualTo("aa:bb:cc:dd:ee:12");
  }

  @Test
  void aDualStackPeerWithoutPublicIpv6KeepsItsIpv4PartAndBothSubnets() {
    NodeProjector.Result r = dual.project(dualPeer().without(P + "public-ipv6").build());
    assertThat(r.problem()).isNull();
    Lease lease = r.lease();
    assertThat(lease.key()).isEqualTo(dual.project(dualPeer().build()).lease().key());
    assertThat(lease.attrs().publicIp()).isEqualTo(Ip4.parse("192.168.0.2"));
    assertThat(lease.attrs().backendData().get("VtepMAC").asText()).isEqualTo("aa:bb:cc:dd:ee:02");
    assertThat(lease.attrs().publicIpv6()).isNull();
    assertThat(lease.attrs().backendV6Data()).as("left out with the address").isNull();
    assertThat(r.gaps())
        .containsExactly(
            new NodeProjector.Gap(
                "IPv6",
                "no flannel.alpha.coreos.com/public-ipv6 annotation: its IPv6 pod traffic is not"
                    + " routed; IPv4 is"));
  }

  @Test
  void aDualStackPeerWithoutAnIpv6PodCidrHasAnIpv4OnlyLease() {
    NodeProjector.Result r = dual.project(dualPeer().podCidrs("10.244.2.0/24").build());
    Lease lease = r.lease();
    assertThat(lease.key()).isEqualTo(new LeaseKey(Ip4Net.parse("10.244.2.0/24"), null));
    assertThat(lease.attrs().publicIpv6()).isNull();
    assertThat(lease.attrs().backendV6Data()).isNull();
    assertThat(r.gaps())
        .extracting(NodeProjector.Gap::line)
        .containsExactly(
            "no IPv6 pod CIDR although the net config enables IPv6: its IPv6 pod traffic is not"
                + " routed; IPv4 is");
  }

  @Test
  void aDualStackPeerWithoutAnIpv4AddressKeepsItsIpv6Part() {
    // upstream's host-gw writes public-ip 0.0.0.0 on a node without IPv4; vxlan writes none
    for (TestNodes n :
        List.of(
            dualPeer().annotation(P + "public-ip", "0.0.0.0"),
            dualPeer().without(P + "public-ip").without(P + "backend-data"))) {
      NodeProjector.Result r = dual.project(n.build());
      assertThat(r.lease().subnet()).isEqualTo(Ip4Net.parse("10.244.2.0/24"));
      assertThat(r.lease().attrs().publicIp()).isNull();
      assertThat(r.lease().attrs().backendData()).isNull();
      assertThat(r.lease().attrs().publicIpv6()).isEqualTo(Ip6.parse("fd00::2"));
      assertThat(r.gaps()).extracting(NodeProjector.Gap::family).containsExactly("IPv4");
      assertThat(r.gaps().get(0).line()).endsWith(": its IPv4 pod traffic is not routed; IPv6 is");
    }
  }

  @Test
  void aDualStackPeerWithNeitherFamilyIsSkipped() {
    NodeProjector.Result r =
        dual.project(dualPeer().without(P + "public-ip").without(P + "public-ipv6").build());
    assertThat(r.lease()).isNull();
    assertThat(r.gaps()).isEmpty();
    assertThat(r.problem()).isEqualTo("no flannel.alpha.coreos.com/public-ip annotation");
  }

  @Test
  void anUnreadableValueOfEitherFamilySkipsTheNodeAsBefore() {
    assertThat(dual.project(dualPeer().annotation(P + "public-ipv6", "fd00::zz").build()).problem())
        .startsWith("flannel.alpha.coreos.com/public-ipv6: ");
    assertThat(dual.project(dualPeer().annotation(P + "backend-v6-data", "{").build()).problem())
        .startsWith("flannel.alpha.coreos.com/backend-v6-data is not JSON: ");
    assertThat(
            dual.project(
                    dualPeer()
                        .without(P + "public-ipv6")
                        .annotation(P + "backend-v6-data", "{")
                        .build())
                .gaps())
        .as("the data of a missing family is not read")
        .hasSize(1);
  }

  @Test
  void projectsUpstreamsIpv6OnlyVxlanPeer() {
    NodeProjector v6 = new NodeProjector(names, false, true);
    Node upstream =
        TestNodes.node("n3")
            .podCidrs("fd00:10:244:3::/64")
            .annotation(P + "kube-subnet-manager", "true")
            .annotation(P + "backend-type", "vxlan")
            .annotation(P + "backend-v6-data", "{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:13\"}")
            .annotation(P + "public-ipv6", "fd00::3")
            .build();
    NodeProjector.Result r = v6.project(upstream);
    assertThat(r.gaps()).isEmpty();
    assertThat(r.lease().subnet()).isNull();
    assertThat(r.lease().ipv6Subnet()).isEqualTo(Ip6Net.parse("fd00:10:244:3::/64"));
    assertThat(r.lease().attrs().publicIp()).isNull();
    assertThat(r.lease().attrs().publicIpv6()).isEqualTo(Ip6.parse("fd00::3"));
    assertThat(v6.project(dualPeer().without(P + "public-ipv6").build()).problem())
        .isEqualTo("no flannel.alpha.coreos.com/public-ipv6 annotation");
    assertThat(v4.project(upstream).problem())
        .isEqualTo("no IPv4 pod CIDR although the net config enables IPv4");
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
