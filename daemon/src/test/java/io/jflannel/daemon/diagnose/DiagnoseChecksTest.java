package io.jflannel.daemon.diagnose;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.backend.Finding;
import io.jflannel.core.backend.Finding.Severity;
import io.jflannel.core.backend.PlannedChange;
import io.jflannel.core.backend.PlannedChange.Op;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.subnet.LeaseSnapshot;
import io.jflannel.netlink.Link;
import io.jflannel.subnet.SubnetEnv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks of flanneld diagnose that are pure logic, and its report. No root needed. */
class DiagnoseChecksTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration MARGIN = Duration.ofMinutes(60);
  private final ExternalInterface iface =
      new ExternalInterface(
          "eth0", 2, 1500, Ip4.parse("192.168.0.1"), null, Ip4.parse("192.168.0.1"), null);

  private static Lease lease(String subnet, String publicIp, Instant expires) {
    return new Lease(
        Ip4Net.parse(subnet),
        null,
        new LeaseAttrs(Ip4.parse(publicIp), null, "vxlan", null, null),
        expires,
        0);
  }

  private List<Finding> leaseFindings(Optional<Lease> own) {
    List<Finding> out = new ArrayList<>();
    NodeChecks.lease(
        new LeaseSnapshot(own.map(List::of).orElse(List.of()), own), iface, MARGIN, NOW, out);
    return out;
  }

  @Test
  void theOwnLeaseIsMissingHeldBySomeoneElseExpiringOrFine() {
    assertThat(leaseFindings(Optional.empty()))
        .singleElement()
        .satisfies(f -> assertThat(f.detail()).startsWith("the store holds no lease"));
    assertThat(
            leaseFindings(
                Optional.of(lease("10.244.1.0/24", "192.168.0.9", NOW.plus(Duration.ofHours(20))))))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(Severity.PROBLEM);
              assertThat(f.detail())
                  .isEqualTo("held by 192.168.0.9, not by this node (192.168.0.1)");
            });
    assertThat(
            leaseFindings(
                Optional.of(
                    lease("10.244.1.0/24", "192.168.0.1", NOW.plus(Duration.ofMinutes(40))))))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(Severity.PROBLEM);
              assertThat(f.detail()).startsWith("expires in 40 min, and flanneld renews it 1 h 0");
            });
    assertThat(leaseFindings(Optional.of(lease("10.244.1.0/24", "192.168.0.1", NOW))))
        .extracting(Finding::detail)
        .containsExactly("expired");
    assertThat(
            leaseFindings(
                Optional.of(
                    lease("10.244.1.0/24", "192.168.0.1", NOW.plus(Duration.ofMinutes(1439))))))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(Severity.OK);
              assertThat(f.detail())
                  .isEqualTo("held by 192.168.0.1 (this node), expires in 23 h 59 min");
            });
  }

  @Test
  void subnetEnvIsComparedLineByLineWithWhatFlanneldWouldWrite(@TempDir Path dir) throws Exception {
    NetworkConfig config = NetworkConfig.parse("{\"Network\":\"10.244.0.0/16\"}");
    SubnetEnv want =
        NodeChecks.wanted(config, lease("10.244.1.0/24", "192.168.0.1", null), 1450, true);
    Path file = dir.resolve("subnet.env");

    assertThat(NodeChecks.subnetEnv(NodeChecks.SubnetEnvFile.read(file), want).detail())
        .isEqualTo("missing");

    Files.writeString(
        file,
        "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\n"
            + "FLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n");
    Finding ok = NodeChecks.subnetEnv(NodeChecks.SubnetEnvFile.read(file), want);
    assertThat(ok.severity()).isEqualTo(Severity.OK);

    Files.writeString(
        file,
        "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.9.1/24\n"
            + "FLANNEL_MTU=1500\nFLANNEL_IPMASQ=true\n");
    Finding stale = NodeChecks.subnetEnv(NodeChecks.SubnetEnvFile.read(file), want);
    assertThat(stale.severity()).isEqualTo(Severity.PROBLEM);
    assertThat(stale.detail())
        .isEqualTo(
            "stale: FLANNEL_SUBNET=10.244.9.1/24 (the lease says FLANNEL_SUBNET=10.244.1.1/24);"
                + " FLANNEL_MTU=1500 (the lease says FLANNEL_MTU=1450)");
    assertThat(stale.fix()).startsWith("restart flanneld: it rewrites subnet.env at start");

    Files.writeString(file, "FLANNEL_MTU=abc\n");
    assertThat(NodeChecks.subnetEnv(NodeChecks.SubnetEnvFile.read(file), want).detail())
        .startsWith("unreadable: ");
  }

  @Test
  void sysctlsForwardingBrNetfilterAndRpFilter(@TempDir Path proc) throws Exception {
    write(proc, "net/ipv4/ip_forward", "0\n");
    write(proc, "net/ipv4/conf/all/rp_filter", "0\n");
    write(proc, "net/ipv4/conf/flannel.1/rp_filter", "1\n");
    write(proc, "net/ipv4/conf/eth0/rp_filter", "2\n");
    NetworkConfig config = NetworkConfig.parse("{\"Network\":\"10.244.0.0/16\"}");
    List<Finding> out = new ArrayList<>();
    new Sysctls(proc).check(config, List.of("flannel.1", "eth0"), out);
    assertThat(out)
        .extracting(Finding::severity, Finding::subject)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Severity.PROBLEM, "net.ipv4.ip_forward"),
            org.assertj.core.groups.Tuple.tuple(
                Severity.PROBLEM, "net.bridge.bridge-nf-call-iptables"),
            org.assertj.core.groups.Tuple.tuple(
                Severity.WARNING, "net.ipv4.conf.flannel.1.rp_filter"),
            org.assertj.core.groups.Tuple.tuple(Severity.OK, "net.ipv4.conf.eth0.rp_filter"));
    assertThat(out.get(0).detail()).isEqualTo("0: this node does not forward pod traffic");
    assertThat(out.get(0).fix()).startsWith("sysctl -w net.ipv4.ip_forward=1");
    assertThat(out.get(1).fix()).startsWith("modprobe br_netfilter");

    write(proc, "net/ipv4/ip_forward", "1\n");
    write(proc, "net/bridge/bridge-nf-call-iptables", "1\n");
    out.clear();
    new Sysctls(proc).check(config, List.of("eth0"), out);
    assertThat(out).extracting(Finding::severity).containsOnly(Severity.OK);
  }

  private static void write(Path root, String rel, String value) throws Exception {
    Path p = root.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, value);
  }

  @Test
  void cni0AndItsPortsMustNotExceedFlannelMtu() {
    Link cni0 = new Link(5, "cni0", "bridge", 1, 1450, null, 0, null);
    Link veth = new Link(6, "veth0", "veth", 1, 1450, null, 0, null);
    assertThat(LinkChecks.bridge(Optional.of(cni0), List.of(veth), 1450))
        .extracting(Finding::severity)
        .containsExactly(Severity.OK);
    Link big = new Link(5, "cni0", "bridge", 1, 1500, null, 0, null);
    assertThat(LinkChecks.bridge(Optional.of(big), List.of(veth), 1450))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(Severity.PROBLEM);
              assertThat(f.detail()).startsWith("above FLANNEL_MTU 1450: cni0 1500");
              assertThat(f.fix()).startsWith("ip link set cni0 mtu 1450");
            });
    assertThat(LinkChecks.bridge(Optional.empty(), List.of(), 1450))
        .extracting(Finding::severity)
        .containsExactly(Severity.OK);
  }

  @Test
  void theBackendsPlanBecomesOneProblemPerEntryNamedAsIproute2PrintsIt() {
    List<Finding> none = PeerFindings.of(List.of(), 2, "vxlan");
    assertThat(none).extracting(Finding::severity).containsExactly(Severity.OK);
    List<Finding> f =
        PeerFindings.of(
            List.of(
                new PlannedChange(
                    Op.ADD,
                    "route",
                    "10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink",
                    "10.244.2.0/24",
                    null),
                new PlannedChange(
                    Op.FIX,
                    "neighbour",
                    "10.244.3.0 lladdr 0e:00:00:00:00:03 dev flannel.1 PERMANENT",
                    "10.244.3.0/24",
                    "10.244.3.0 lladdr 0e:00:00:00:00:99 dev flannel.1 PERMANENT"),
                new PlannedChange(Op.REMOVE, "route", "10.244.9.0/24 via 10.244.9.0", null, null)),
            2,
            "vxlan");
    assertThat(f)
        .extracting(Finding::check, Finding::subject, Finding::detail)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "route",
                "peer 10.244.2.0/24",
                "missing: 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink"),
            org.assertj.core.groups.Tuple.tuple(
                "neighbour",
                "peer 10.244.3.0/24",
                "wrong: 10.244.3.0 lladdr 0e:00:00:00:00:99 dev flannel.1 PERMANENT; the lease"
                    + " wants 10.244.3.0 lladdr 0e:00:00:00:00:03 dev flannel.1 PERMANENT"),
            org.assertj.core.groups.Tuple.tuple(
                "route", "no peer", "not wanted by any lease: 10.244.9.0/24 via 10.244.9.0"));
  }

  @Test
  void theReportsExitCodeTableAndJson() {
    Report r = new Report();
    r.context("store", "etcd");
    r.add(Finding.ok("lease", "10.244.1.0/24", "held"));
    assertThat(r.exitCode()).isZero();
    assertThat(r.summary()).isEqualTo("no problems, 0 warnings, 1 check passed (exit 0)");
    r.add(Finding.warning("sysctl", "x", "strict", "loosen it"));
    assertThat(r.exitCode()).as("warnings do not fail").isZero();
    r.add(Finding.problem("route", "peer 10.244.2.0/24", "missing: a route", "restart flanneld"));
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.text())
        .contains("store:     etcd")
        .contains("STATUS   CHECK  SUBJECT")
        .contains("problem  route  peer 10.244.2.0/24 missing: a route")
        .contains("         fix: restart flanneld")
        .contains("1 problem, 1 warning, 1 check passed (exit 1)");
    assertThat(r.json())
        .startsWith("{\"exit\":1,\"summary\":\"1 problem, 1 warning, 1 check passed (exit 1)\"")
        .contains(
            "{\"severity\":\"PROBLEM\",\"check\":\"route\",\"subject\":\"peer 10.244.2.0/24\","
                + "\"detail\":\"missing: a route\",\"fix\":\"restart flanneld\"}");
    r.cannotCheck("cannot connect to the lease store: connection refused");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.summary())
        .isEqualTo(
            "could not check: cannot connect to the lease store: connection refused (exit 2)");
  }
}
