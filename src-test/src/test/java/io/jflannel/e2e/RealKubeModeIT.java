package io.jflannel.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kube mode, vxlan, on a real Kubernetes v1.20.2 API server ({@link RealKubeApiServer}): the
 * daemons authenticate with a TokenRequest token of the manifest's ServiceAccount and are
 * authorized by exactly the manifest's ClusterRole, as in a cluster. Every scenario of the mock
 * suite ({@link KubeModeIT}, inherited) runs here too, then what only a real server can show: the
 * daemon started before its Node has a podCIDR, a node changing public IP and VTEP MAC, the API
 * server restarted, a 410 Gone after an etcd compaction, the calls the daemons made (from the audit
 * log) against the ClusterRole, and a ClusterRole missing a verb. One API server for the class.
 * Skipped with the reason when there is no kube-apiserver binary ({@link
 * RealKubeApiServer#whyUnavailable}) or without root.
 */
@ExtendWith(RealKubeApiServerOnly.class)
class RealKubeModeIT extends KubeModeIT {
  private static final Logger log = LoggerFactory.getLogger(RealKubeModeIT.class);
  private static final String P = KubeApiServer.ANNOTATION_PREFIX;

  /** What the daemons must have called: the ClusterRole's rules, each one used. */
  static final Set<String> EXPECTED_CALLS =
      Set.of("get pods", "get nodes", "list nodes", "watch nodes", "patch nodes/status");

  /** The most node LISTs one daemon may make across an API server restart. */
  static final int MAX_LISTS_PER_RESTART = 2;

  @Override
  Cluster newCluster() {
    Optional<String> why = RealKubeApiServer.whyUnavailable();
    assumeTrue(why.isEmpty(), () -> why.orElseThrow());
    return Cluster.withRealKube("real-kube-" + BACKEND.type(), BACKEND, Stack.IPV4, 3);
  }

  private RealKubeApiServer real() {
    return cluster.realKube();
  }

  @Test
  @Order(10)
  void daemonStartedBeforeItsNodeHasAPodCidrSucceedsOnceItGetsOne() throws Exception {
    Host h = cluster.addHost();
    String name = KubeApiServer.nodeName(h);
    try {
      kube.deleteNode(name);
      Node bare = KubeApiServer.registeredNode(name, KubeApiServer.podCidr(h), h.publicIp());
      bare.getSpec().setPodCIDR(null);
      bare.getSpec().setPodCIDRs(null);
      kube.createNode(bare);
      Daemon d = cluster.launch(h, cluster.daemonFlags(h));
      Thread.sleep(4_000);
      assertThat(d.isAlive()).as("%s waits for a podCIDR\n%s", d, d.logTail(20)).isTrue();
      assertThat(h.subnetEnv()).as("%s subnet.env before the node has a podCIDR", name).isEmpty();

      // what the controller manager does: from "" to a CIDR is the one change the API allows
      String cidr = KubeApiServer.podCidr(h);
      kube.ok(
          "PATCH",
          "/api/v1/nodes/" + name,
          "application/strategic-merge-patch+json",
          "{\"spec\":{\"podCIDR\":\"" + cidr + "\",\"podCIDRs\":[\"" + cidr + "\"]}}");
      cluster.awaitReady(h);
      h.plugPod(h.lease());
      assertThat(h.lease().lease()).as("%s lease: its podCIDR", name).isEqualTo(cidr);
      cluster.awaitConverged();
      cluster.assertPodsReachEachOther();
    } finally {
      if (h.running()) {
        h.daemon().terminate();
      }
      kube.deleteNode(name);
      cluster.removeHost(h);
    }
    cluster.awaitConverged(); // the node left: every peer removed its routes
  }

  /**
   * h3 comes back with another public IP ({@code --public-ip}, an address added to its eth0) and a
   * new VTEP MAC (its flannel.1 deleted and its backend-data annotation removed while it was down,
   * so it makes a new device): every peer reprograms its route, ARP and FDB entries; then h3 goes
   * back to its own address.
   */
  @Test
  @Order(11)
  void peersReprogramWhenANodeChangesPublicIpAndVtepMac() {
    Host h = cluster.host(3);
    String name = KubeApiServer.nodeName(h);
    PeerLease before = KubeApiServer.leaseOf(kube.node(name));
    String newIp = "192.168.100.63";
    assertThat(h.daemon().terminate()).as("exit status after SIGTERM").isZero();
    h.ns().ip("addr", "add", newIp + "/24", "dev", "eth0");
    try {
      h.ns().ip("link", "del", KernelState.VXLAN_DEVICE);
      kube.removeAnnotation(name, P + "backend-data");
      List<String> flags = new ArrayList<>(cluster.daemonFlags(h));
      flags.addAll(List.of("--public-ip", newIp));
      cluster.launch(h, flags);
      cluster.awaitReady(h);
      PeerLease after = KubeApiServer.leaseOf(kube.node(name));
      assertThat(after.publicIp()).as("%s public-ip annotation", name).isEqualTo(newIp);
      assertThat(after.vtepMac())
          .as("%s VTEP MAC (was %s)", name, before.vtepMac())
          .isNotEqualTo(before.vtepMac())
          .isEqualTo(h.kernel().linkMac(KernelState.VXLAN_DEVICE));
      long t0 = System.nanoTime();
      cluster.awaitConverged(); // exactly the new entries, none of the old ones
      log.info(
          "real kube: peers reprogrammed {}'s new public IP and MAC in {} ms",
          name,
          (System.nanoTime() - t0) / 1_000_000);
      SoftAssertions s = new SoftAssertions();
      for (Host peer : cluster.hosts()) {
        if (peer == h) {
          continue;
        }
        s.assertThat(peer.kernel().fdb(KernelState.VXLAN_DEVICE))
            .as("%s FDB entry of %s", peer.name(), name)
            .anyMatch(f -> f.startsWith(after.vtepMac()) && f.contains(" dst " + newIp + " "))
            .noneMatch(f -> f.startsWith(before.vtepMac()));
      }
      s.assertAll();
      cluster.assertPodsReachEachOther();
    } finally {
      if (h.running()) {
        h.daemon().terminate();
      }
      cluster.start(h);
      h.ns().ip("addr", "del", newIp + "/24", "dev", "eth0");
    }
    assertThat(KubeApiServer.leaseOf(kube.node(name)).publicIp())
        .as("%s public-ip back", name)
        .isEqualTo(h.publicIp());
    cluster.awaitConverged();
    cluster.assertPodsReachEachOther();
  }

  /**
   * The API server is stopped and started again with the same arguments and the same etcd: while it
   * is down, when it is back and until every daemon watches again (its watch in the audit log) and
   * one resync has passed, every host keeps every peer and no daemon writes to the kernel (a
   * rtnetlink monitor per host); a node created afterwards reaches every daemon; each daemon made
   * no more than {@value #MAX_LISTS_PER_RESTART} node LISTs (the audit log: v1.20's watch cache
   * starts at etcd's current revision, so a watch from before the restart gets 410 Gone and one
   * re-list is expected).
   */
  @Test
  @Order(12)
  void apiServerRestartKeepsEveryPeerAndWatchesResumeWithoutAListStorm() throws Exception {
    RealKubeApiServer real = real();
    List<PeerLease> leases = kube.leases();
    Map<String, Long> listsBefore = nodeListsBySource();
    List<KernelMonitor> monitors = new ArrayList<>();
    Map<Host, List<String>> events = new LinkedHashMap<>();
    Instant back;
    try {
      for (Host h : cluster.hosts()) {
        monitors.add(KernelMonitor.start(h.ns()));
      }
      real.stopApiServer();
      long down = System.nanoTime();
      for (int i = 0; i < 6; i++) {
        assertEveryPeerKept(leases, "while the API server is down");
        Thread.sleep(500);
      }
      real.startApiServer();
      back = real.starts().get(real.starts().size() - 1).launched();
      log.info(
          "real kube: API server down for {} ms (ready {} ms after its start)",
          (System.nanoTime() - down) / 1_000_000,
          real.startedInMs());
      assertEveryPeerKept(leases, "right after the API server is back");
      long t0 = System.nanoTime();
      await("every daemon watches nodes again (a watch of its own in the audit log)")
          .atMost(Duration.ofSeconds(40))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> watchersSince(back).containsAll(publicIps()));
      log.info(
          "real kube: every daemon watching again {} ms after the API server was ready",
          (System.nanoTime() - t0) / 1_000_000);
      Thread.sleep(Cluster.RESYNC_SECONDS * 1_000L + 500); // and one resync on top
      assertEveryPeerKept(leases, "after the watches resumed");
    } finally {
      long t1 = System.nanoTime();
      for (int i = 0; i < monitors.size(); i++) {
        events.put(cluster.hosts().get(i), monitors.get(i).stop());
      }
      log.info("real kube: kernel monitors stopped in {} ms", (System.nanoTime() - t1) / 1_000_000);
    }
    SoftAssertions w = new SoftAssertions();
    events.forEach(
        (h, ev) -> {
          List<FlannelEvents.Verdict> writes =
              FlannelEvents.classify(ev).stream().filter(FlannelEvents.Verdict::counts).toList();
          w.assertThat(writes)
              .as("kernel writes on %s across the API server restart (no peer removed)", h.name())
              .isEmpty();
        });
    w.assertAll();

    Node probe =
        fakeNode("restart-probe", "10.244.200.0/24", "192.168.100.98", "02:00:00:00:c8:01");
    long t0 = System.nanoTime();
    kube.createNode(probe);
    try {
      cluster.awaitConverged();
      log.info(
          "real kube: a node created after the restart programmed everywhere in {} ms",
          (System.nanoTime() - t0) / 1_000_000);
    } finally {
      kube.deleteNode("restart-probe");
    }
    cluster.awaitConverged();
    Thread.sleep(3_000); // a storm would show by now: each failed list is retried within 1 s
    Map<String, Long> listsAfter = nodeListsBySource();
    Map<String, Long> lists = new TreeMap<>();
    for (Host h : cluster.hosts()) {
      lists.put(
          h.name(),
          listsAfter.getOrDefault(h.publicIp(), 0L) - listsBefore.getOrDefault(h.publicIp(), 0L));
    }
    log.info("real kube: node LISTs per daemon across the API server restart: {}", lists);
    SoftAssertions s = new SoftAssertions();
    for (Host h : cluster.hosts()) {
      s.assertThat(h.running()).as("%s daemon still running", h.name()).isTrue();
      s.assertThat(lists.get(h.name()))
          .as("%s node LISTs across the restart (%s)", h.name(), lists)
          .isLessThanOrEqualTo(MAX_LISTS_PER_RESTART);
      // a daemon's first list is served from the watch cache, as client-go lists first; its
      // re-lists after the restart are consistent reads (no resourceVersion), never older state
      List<RealKubeApiServer.AuditEvent> hostLists =
          real.audit().stream()
              .filter(e -> e.call().equals("list nodes") && e.code() == 200)
              .filter(e -> e.sourceIp().equals(h.publicIp()))
              .toList();
      s.assertThat(hostLists)
          .as("%s node LISTs", h.name())
          .first()
          .extracting(RealKubeApiServer.AuditEvent::uri)
          .asString()
          .contains("resourceVersion=0");
      s.assertThat(hostLists.stream().filter(e -> e.received().isAfter(back)))
          .as("%s re-lists after the restart", h.name())
          .allMatch(e -> !e.uri().contains("resourceVersion"), "a consistent read");
    }
    s.assertAll();
    cluster.assertPodsReachEachOther();
  }

  /**
   * A 410 Gone forced by an etcd compaction: while the API server is down, a Node is deleted in
   * etcd directly (only a re-list can show it), 100 unrelated keys are written and etcd's history
   * is compacted; the restarted server cannot serve the daemons' watches from their old
   * resourceVersion, so each daemon lists again, drops the vanished node, and gets a node created
   * afterwards.
   */
  @Test
  @Order(13)
  void watchGoneAfterEtcdCompactionRelistsAndLosesNothing() throws Exception {
    RealKubeApiServer real = real();
    kube.createNode(
        fakeNode("gone-while-down", "10.244.201.0/24", "192.168.100.97", "02:00:00:00:c9:01"));
    cluster.awaitConverged();
    Map<Host, Integer> expiredBefore = new java.util.HashMap<>();
    for (Host h : cluster.hosts()) {
      expiredBefore.put(h, count(h.daemon().output(), "node watch expired"));
    }
    real.stopApiServer();
    try {
      var del = real.etcdctl("del", "/registry/minions/gone-while-down");
      assertThat(del.stdout().strip()).as("etcdctl del: %s", del.stderr()).isEqualTo("1");
      long revBefore = real.etcdRevision();
      var noise =
          real.ns()
              .exec(
                  "sh",
                  "-c",
                  "for i in $(seq 1 100); do ETCDCTL_API=3 etcdctl --endpoints "
                      + RealKubeApiServer.ETCD
                      + " put /jfl-noise/k$i v$i >/dev/null || exit 1; done");
      assertThat(noise.exit()).as("noise writes: %s", noise.stderr()).isZero();
      long rev = real.compactEtcd();
      assertThat(rev)
          .as("etcd revision after 100 unrelated writes")
          .isGreaterThanOrEqualTo(revBefore + 100);
      log.info("real kube: etcd compacted at revision {} (was {})", rev, revBefore);
    } finally {
      real.startApiServer();
    }
    kube.createNode(
        fakeNode(
            "made-after-compaction", "10.244.202.0/24", "192.168.100.96", "02:00:00:00:ca:01"));
    try {
      cluster.awaitConverged(); // the deleted node gone, the new one programmed, on every host
      SoftAssertions s = new SoftAssertions();
      for (Host h : cluster.hosts()) {
        s.assertThat(h.kernel().overlayRoutes(Backend.NETWORK))
            .as("%s routes", h.name())
            .noneMatch(r -> r.startsWith("10.244.201.0/24"))
            .anyMatch(r -> r.startsWith("10.244.202.0/24"));
        s.assertThat(count(h.daemon().output(), "node watch expired"))
            .as("%s logged its watch expiring (410) after the compaction", h.name())
            .isGreaterThan(expiredBefore.get(h));
      }
      s.assertAll();
    } finally {
      kube.deleteNode("made-after-compaction");
    }
    cluster.awaitConverged();
    cluster.assertPodsReachEachOther();
  }

  /**
   * The calls the daemons made as the ServiceAccount, from the audit log, against the manifest's
   * ClusterRole: exactly {@link #EXPECTED_CALLS} were used (every scenario above has run: the pod
   * lookup of the even hosts, the node get, list, watch and status patch), every one is granted,
   * none was refused, and a granted call nobody made is reported.
   */
  @Test
  @Order(90)
  void daemonsUseExactlyTheCallsTheClusterRoleGrants() {
    RealKubeApiServer real = real();
    List<RealKubeApiServer.AuditEvent> events = real.audit();
    Set<String> used = new TreeSet<>();
    List<String> refused = new ArrayList<>();
    List<String> refusedWhileStarting = new ArrayList<>();
    for (RealKubeApiServer.AuditEvent e : events) {
      if (e.code() == 401 || e.code() == 403) {
        String what = e.code() + " " + e.call() + " " + e.uri() + " from " + e.sourceIp();
        if (real.starts().stream().anyMatch(st -> st.covers(e.received()))) {
          refusedWhileStarting.add(what);
        } else {
          refused.add(what);
        }
      } else {
        used.add(e.call());
      }
    }
    Set<String> granted = real.grantedCalls();
    Set<String> unused = new TreeSet<>(granted);
    unused.removeAll(used);
    Set<String> ungranted = new TreeSet<>(used);
    ungranted.removeAll(granted);
    Map<String, Long> byCall =
        events.stream()
            .collect(
                Collectors.groupingBy(
                    RealKubeApiServer.AuditEvent::call, TreeMap::new, Collectors.counting()));
    log.info(
        "real kube: ServiceAccount calls from the audit log ({} requests): {}; granted {};"
            + " granted but unused: {}",
        events.size(),
        byCall,
        granted,
        unused.isEmpty() ? "none" : unused);
    if (!refusedWhileStarting.isEmpty()) {
      // a restarted v1.20 server answers before its RBAC informers are filled; daemons retry
      log.info(
          "real kube: refused while a restarted API server's RBAC authorizer was not ready yet: {}",
          refusedWhileStarting);
    }
    SoftAssertions s = new SoftAssertions();
    s.assertThat(refused)
        .as("requests refused to the ServiceAccount (other than while the server started)")
        .isEmpty();
    s.assertThat(ungranted).as("calls used that the ClusterRole does not grant").isEmpty();
    s.assertThat(unused).as("calls the ClusterRole grants that no daemon used").isEmpty();
    s.assertThat(used).as("calls the daemons used").isEqualTo(new TreeSet<>(EXPECTED_CALLS));
    s.assertThat(granted)
        .as("calls the manifest's ClusterRole grants")
        .isEqualTo(new TreeSet<>(EXPECTED_CALLS));
    s.assertAll();
  }

  /**
   * With {@code patch} on {@code nodes/status} taken out of the ClusterRole, a new node's daemon
   * fails: it exits non-zero with one line naming the refused call, and the audit log shows the
   * 403. The manifest's ClusterRole is put back afterwards.
   */
  @Test
  @Order(95)
  void aClusterRoleMissingTheStatusPatchMakesTheDaemonFail() throws Exception {
    RealKubeApiServer real = real();
    List<PolicyRule> all = real.clusterRole().getRules();
    List<PolicyRule> rules =
        all.stream().filter(r -> !r.getResources().contains("nodes/status")).toList();
    assertThat(rules).as("rules left").hasSize(all.size() - 1);
    Host h = cluster.addHost();
    String name = KubeApiServer.nodeName(h);
    int refusedBefore = refusedStatusPatches(h);
    real.setClusterRoleRules(rules);
    try {
      Thread.sleep(1_000); // the RBAC authorizer reads roles from an informer
      Daemon d = cluster.launch(h, cluster.daemonFlags(h));
      int exit = d.awaitExit(Duration.ofSeconds(60));
      String out = d.output();
      SoftAssertions s = new SoftAssertions();
      s.assertThat(exit).as("exit status; output:\n%s", out).isNotZero();
      s.assertThat(out).as("output names the refused call").contains("nodes/status");
      s.assertThat(refusedStatusPatches(h))
          .as("403s for patch nodes/status from %s in the audit log", name)
          .isGreaterThan(refusedBefore);
      s.assertAll();
    } finally {
      real.restoreClusterRole();
      cluster.removeHost(h);
      kube.deleteNode(name);
    }
  }

  private int refusedStatusPatches(Host h) {
    return (int)
        real().audit().stream()
            .filter(
                e ->
                    e.code() == 403
                        && e.call().equals("patch nodes/status")
                        && e.sourceIp().equals(h.publicIp()))
            .count();
  }

  private void assertEveryPeerKept(List<PeerLease> leases, String when) {
    SoftAssertions s = new SoftAssertions();
    for (Host h : cluster.hosts()) {
      SubnetEnv own = h.lease();
      List<PeerLease> peers = leases.stream().filter(l -> !l.isOf(own)).toList();
      s.assertThatCode(() -> ProgrammedPeers.assertExactly(BACKEND, h, peers))
          .as("%s keeps every peer %s", h.name(), when)
          .doesNotThrowAnyException();
      s.assertThat(h.running()).as("%s daemon running %s", h.name(), when).isTrue();
    }
    s.assertAll();
  }

  /** The source addresses of the node watches the API server accepted since {@code t}. */
  private Set<String> watchersSince(Instant t) {
    Set<String> ips = new TreeSet<>();
    for (RealKubeApiServer.AuditEvent e : real().audit()) {
      if (e.call().equals("watch nodes") && e.code() == 200 && !e.received().isBefore(t)) {
        ips.add(e.sourceIp());
      }
    }
    return ips;
  }

  private List<String> publicIps() {
    return cluster.hosts().stream().map(Host::publicIp).toList();
  }

  /** Successful node LISTs of the ServiceAccount so far, by source address (one per daemon). */
  private Map<String, Long> nodeListsBySource() {
    Map<String, Long> lists = new TreeMap<>();
    for (RealKubeApiServer.AuditEvent e : real().audit()) {
      if (e.call().equals("list nodes") && e.code() == 200) {
        lists.merge(e.sourceIp(), 1L, Long::sum);
      }
    }
    return lists;
  }

  /** A node as a running upstream vxlan daemon would have annotated it. */
  private static Node fakeNode(String name, String podCidr, String publicIp, String mac) {
    Node node = KubeApiServer.registeredNode(name, podCidr, publicIp);
    node.getMetadata()
        .getAnnotations()
        .putAll(
            Map.of(
                P + "kube-subnet-manager",
                "true",
                P + "backend-type",
                "vxlan",
                P + "backend-data",
                "{\"VNI\":1,\"VtepMAC\":\"" + mac + "\"}",
                P + "public-ip",
                publicIp));
    return node;
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
