package io.jflannel.subnet.kube;

import static io.jflannel.subnet.kube.TestNodes.P;
import static io.jflannel.subnet.kube.TestNodes.peer;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseEvent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
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
}
