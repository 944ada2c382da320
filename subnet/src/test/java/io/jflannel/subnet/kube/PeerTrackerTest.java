package io.jflannel.subnet.kube;

import static io.jflannel.subnet.kube.TestNodes.P;
import static io.jflannel.subnet.kube.TestNodes.peer;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.subnet.LeaseDelivery;
import io.jflannel.subnet.RecordingListener;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The handler's rules, driven directly as the node watch would drive it. */
class PeerTrackerTest {

  private final List<LeaseEvent> events = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private final AtomicInteger syncs = new AtomicInteger();
  private final Lease own =
      new Lease(
          Ip4Net.parse("10.244.1.0/24"),
          null,
          new LeaseAttrs(Ip4.parse("192.168.0.1"), null, "vxlan", null, null),
          null,
          0);
  private final PeerTracker tracker =
      new PeerTracker(
          "n1",
          own,
          new NodeProjector(KubeAnnotations.forPrefix(KubeAnnotations.DEFAULT_PREFIX), true, false),
          events::add,
          warnings::add,
          syncs::incrementAndGet,
          Clock.systemUTC());

  private static Node n2(String mac) {
    return peer("n2", "10.244.2.0/24", "192.168.0.2", mac).build();
  }

  private static Node skeleton(String name) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .withResourceVersion("9")
        .endMetadata()
        .build();
  }

  @Test
  void addUpdateDeleteBecomeAddedAndRemoved() {
    tracker.onAdd(n2("aa:bb:cc:dd:ee:02"));
    tracker.onUpdate(skeleton("n2"), n2("aa:bb:cc:dd:ee:22"));
    tracker.onDelete(n2("aa:bb:cc:dd:ee:22"), false);
    assertThat(events).hasSize(3);
    assertThat(events.get(0)).isInstanceOf(LeaseEvent.Added.class);
    assertThat(events.get(1).lease().attrs().backendData().get("VtepMAC").asText())
        .isEqualTo("aa:bb:cc:dd:ee:22");
    assertThat(events.get(2)).isEqualTo(new LeaseEvent.Removed(events.get(1).lease()));
    assertThat(tracker.leases()).isEmpty();
  }

  @Test
  void anUpdateThatChangesNoLeaseFieldSendsNothing() {
    tracker.onAdd(n2("aa:bb:cc:dd:ee:02"));
    Node heartbeat = n2("aa:bb:cc:dd:ee:02");
    heartbeat.getMetadata().getLabels().put("topology.kubernetes.io/zone", "b");
    tracker.onUpdate(skeleton("n2"), heartbeat);
    assertThat(events).hasSize(1);
  }

  @Test
  void aChangedPodCidrRemovesTheOldSubnetAndAddsTheNew() {
    tracker.onAdd(n2("aa:bb:cc:dd:ee:02"));
    tracker.onUpdate(
        skeleton("n2"), peer("n2", "10.244.9.0/24", "192.168.0.2", "aa:bb:cc:dd:ee:02").build());
    assertThat(events).hasSize(3);
    assertThat(events.get(1)).isEqualTo(new LeaseEvent.Removed(events.get(0).lease()));
    assertThat(events.get(2).lease().subnet()).isEqualTo(Ip4Net.parse("10.244.9.0/24"));
  }

  @Test
  void deleteNoticedOnReListUsesTheLastKnownLease() {
    tracker.onAdd(n2("aa:bb:cc:dd:ee:02"));
    tracker.onDelete(skeleton("n2"), true);
    assertThat(events)
        .containsExactly(
            new LeaseEvent.Added(events.get(0).lease()),
            new LeaseEvent.Removed(events.get(0).lease()));
  }

  @Test
  void ownNodeAndNodesClaimingItsSubnetAreNeverDelivered() {
    tracker.onAdd(peer("n1", "10.244.1.0/24", "192.168.0.1", "aa:bb:cc:dd:ee:01").build());
    tracker.onAdd(peer("rogue", "10.244.1.0/24", "192.168.0.66", "aa:bb:cc:dd:ee:66").build());
    assertThat(events).isEmpty();
    assertThat(warnings)
        .containsExactly("skipping node rogue: claims this node's subnet 10.244.1.0/24");
  }

  @Test
  void warnsOncePerNodeAndReasonNotOnEveryUpdate() {
    Node bad = peer("n3", "10.244.3.0/24", "bogus", "aa:bb:cc:dd:ee:03").build();
    tracker.onAdd(bad);
    for (int i = 0; i < 5; i++) {
      tracker.onUpdate(skeleton("n3"), bad);
    }
    assertThat(warnings)
        .hasSize(1)
        .first()
        .asString()
        .startsWith("skipping node n3: " + P + "public-ip");
    tracker.onUpdate(
        skeleton("n3"),
        peer("n3", "10.244.3.0/24", "192.168.0.3", "x")
            .annotation(P + "backend-data", "{")
            .build());
    assertThat(warnings).hasSize(2);
    assertThat(events).isEmpty();
    tracker.onUpdate(
        skeleton("n3"), peer("n3", "10.244.3.0/24", "192.168.0.3", "aa:bb:cc:dd:ee:03").build());
    assertThat(events).hasSize(1);
    assertThat(tracker.skippedCount()).isZero();
  }

  @Test
  void aPeerThatTurnsBadKeepsItsLastLease() {
    tracker.onAdd(n2("aa:bb:cc:dd:ee:02"));
    tracker.onUpdate(
        skeleton("n2"), peer("n2", "10.244.2.0/24", "oops", "aa:bb:cc:dd:ee:02").build());
    assertThat(events).hasSize(1);
    assertThat(warnings).hasSize(1);
    assertThat(tracker.leases()).containsExactly(events.get(0).lease());
    assertThat(tracker.peerCount()).isEqualTo(1);
    assertThat(tracker.skippedCount()).isEqualTo(1);
  }

  @Test
  void firstListCompletionReleasesDeliveryOnce() {
    assertThat(tracker.synced()).isFalse();
    tracker.onAdd(n2("aa:bb:cc:dd:ee:02"));
    tracker.onList("10", false);
    tracker.onList("20", false);
    assertThat(syncs).hasValue(1);
    assertThat(tracker.synced()).isTrue();
    assertThat(tracker.firstListItemAt()).isBeforeOrEqualTo(tracker.syncedAt());
  }

  /** A tracker on a dual-stack node, n1 with 10.244.1.0/24 and fd00:10:244:1::/64. */
  private PeerTracker dualStackTracker() {
    return dualStackTracker(events::add, syncs::incrementAndGet);
  }

  private PeerTracker dualStackTracker(Consumer<LeaseEvent> sink, Runnable onFirstSync) {
    Lease dualOwn =
        new Lease(
            Ip4Net.parse("10.244.1.0/24"),
            Ip6Net.parse("fd00:10:244:1::/64"),
            new LeaseAttrs(Ip4.parse("192.168.0.1"), Ip6.parse("fd00::1"), "vxlan", null, null),
            null,
            0);
    return new PeerTracker(
        "n1",
        dualOwn,
        new NodeProjector(KubeAnnotations.forPrefix(KubeAnnotations.DEFAULT_PREFIX), true, true),
        sink,
        warnings::add,
        onFirstSync,
        Clock.systemUTC());
  }

  private static TestNodes dualN2() {
    return peer("n2", "10.244.2.0/24", "192.168.0.2", "aa:bb:cc:dd:ee:02")
        .podCidrs("10.244.2.0/24", "fd00:10:244:2::/64")
        .annotation(P + "public-ipv6", "fd00::2")
        .annotation(P + "backend-v6-data", "{\"VNI\":1,\"VtepMAC\":\"aa:bb:cc:dd:ee:12\"}");
  }

  @Test
  void aDualStackPeerWithoutPublicIpv6IsKeptForIpv4WithOneWarning() {
    PeerTracker dual = dualStackTracker();
    Node noV6 = dualN2().without(P + "public-ipv6").build();
    dual.onAdd(noV6);
    for (int i = 0; i < 5; i++) {
      dual.onUpdate(skeleton("n2"), noV6); // heartbeats
    }
    dual.onList("10", false);
    assertThat(warnings)
        .containsExactly(
            "node n2: no flannel.alpha.coreos.com/public-ipv6 annotation: its IPv6 pod traffic is"
                + " not routed; IPv4 is");
    assertThat(events).hasSize(1);
    Lease kept = events.get(0).lease();
    assertThat(events.get(0)).isInstanceOf(LeaseEvent.Added.class);
    assertThat(kept.subnet()).isEqualTo(Ip4Net.parse("10.244.2.0/24"));
    assertThat(kept.ipv6Subnet()).isEqualTo(Ip6Net.parse("fd00:10:244:2::/64"));
    assertThat(kept.attrs().publicIp()).isEqualTo(Ip4.parse("192.168.0.2"));
    assertThat(kept.attrs().publicIpv6()).isNull();
    assertThat(dual.leases()).containsExactly(kept);
    assertThat(dual.peerCount()).isEqualTo(1);
    assertThat(dual.skippedCount()).isZero();

    // the annotation arrives: the same lease (same key) gains its IPv6 part, no Removed
    dual.onUpdate(skeleton("n2"), dualN2().build());
    assertThat(events).hasSize(2);
    assertThat(events.get(1)).isInstanceOf(LeaseEvent.Added.class);
    assertThat(events.get(1).lease().key()).isEqualTo(kept.key());
    assertThat(events.get(1).lease().attrs().publicIpv6()).isEqualTo(Ip6.parse("fd00::2"));
    assertThat(warnings).hasSize(1);

    // and goes again: warned again, once
    dual.onUpdate(skeleton("n2"), noV6);
    dual.onUpdate(skeleton("n2"), noV6);
    assertThat(warnings).hasSize(2);
    assertThat(events).hasSize(3);
    assertThat(events.get(2).lease()).isEqualTo(kept);
  }

  @Test
  void aPeerThatGetsItsIpv6PodCidrLaterIsRemovedUnderItsOldSubnetsAndAddedUnderTheNew() {
    PeerTracker dual = dualStackTracker();
    dual.onAdd(dualN2().podCidrs("10.244.2.0/24").build());
    assertThat(warnings)
        .containsExactly(
            "node n2: no IPv6 pod CIDR although the net config enables IPv6: its IPv6 pod traffic"
                + " is not routed; IPv4 is");
    Lease v4Only = events.get(0).lease();
    assertThat(v4Only.ipv6Subnet()).isNull();

    dual.onUpdate(skeleton("n2"), dualN2().build());
    assertThat(events).hasSize(3);
    assertThat(events.get(1)).isEqualTo(new LeaseEvent.Removed(v4Only));
    assertThat(events.get(2)).isInstanceOf(LeaseEvent.Added.class);
    assertThat(events.get(2).lease().ipv6Subnet()).isEqualTo(Ip6Net.parse("fd00:10:244:2::/64"));
    assertThat(dual.leases()).containsExactly(events.get(2).lease());
    dual.onDelete(dualN2().build(), false);
    assertThat(events.get(3)).isEqualTo(new LeaseEvent.Removed(events.get(2).lease()));
    assertThat(warnings).hasSize(1);
  }

  @Test
  void aPartialPeerThatTurnsBadAndBackIsNotWarnedAboutItsGapAgain() {
    PeerTracker dual = dualStackTracker();
    Node noV6 = dualN2().without(P + "public-ipv6").build();
    dual.onAdd(noV6);
    dual.onUpdate(
        skeleton("n2"),
        dualN2().without(P + "public-ipv6").annotation(P + "public-ip", "x").build());
    dual.onUpdate(skeleton("n2"), noV6);
    assertThat(warnings).hasSize(2);
    assertThat(warnings.get(1))
        .startsWith("skipping node n2: flannel.alpha.coreos.com/public-ip: ");
    assertThat(events).hasSize(1);
  }

  @Test
  void throughTheDeliveryAChangedPodCidrLeavesOnlyTheNewLease() throws Exception {
    RecordingListener listener = new RecordingListener();
    try (LeaseDelivery delivery = new LeaseDelivery(listener, "test-leases")) {
      PeerTracker dual = dualStackTracker(delivery::offer, delivery::release);
      dual.onAdd(dualN2().podCidrs("10.244.2.0/24").build());
      dual.onUpdate(skeleton("n2"), dualN2().build()); // Removed(v4 only), Added(both)
      dual.onUpdate(skeleton("n2"), dualN2().podCidrs("10.244.2.0/24").build()); // and back
      dual.onUpdate(skeleton("n2"), dualN2().build());
      dual.onList("10", false);
      List<LeaseEvent> batch = listener.next(Duration.ofSeconds(10));
      // per lease the latest state, a Removed always before the Added of the new subnets
      assertThat(batch).hasSize(2);
      assertThat(batch.get(0)).isInstanceOf(LeaseEvent.Removed.class);
      assertThat(batch.get(0).lease().ipv6Subnet()).isNull();
      assertThat(batch.get(1)).isInstanceOf(LeaseEvent.Added.class);
      assertThat(batch.get(1).lease().ipv6Subnet()).isEqualTo(Ip6Net.parse("fd00:10:244:2::/64"));
      assertThat(listener.peers.keySet()).containsExactly("10.244.2.0/24+fd00:10:244:2::/64");
    }
  }
}
