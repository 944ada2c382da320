package io.jflannel.backend.vxlan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jflannel.backend.common.testing.FakeKernel;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.backend.Finding;
import io.jflannel.core.backend.Finding.Severity;
import io.jflannel.core.backend.Inspection;
import io.jflannel.core.backend.PlannedChange;
import io.jflannel.core.backend.PlannedChange.Op;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Ips;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.MacAddress;
import io.jflannel.netlink.Neighbour;
import io.jflannel.netlink.Route;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code flanneld diagnose} learns from the vxlan backend on the in-memory kernel: the device
 * checked against what the backend makes, and the per-peer plan, which is exactly what the
 * reconcile then writes; nothing is written while inspecting.
 */
class VxlanInspectionTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONFIG =
      "{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"vxlan\"}}";
  private FakeKernel kernel;
  private ExternalInterface iface;
  private NetworkConfig config;

  @BeforeEach
  void host() throws Exception {
    kernel = new FakeKernel();
    Link eth0 = kernel.addLink("eth0", 1500);
    kernel.connect(eth0.index(), IpPrefix.parse("192.168.50.0/24"));
    Ip4 ip = Ip4.parse("192.168.50.2");
    iface = new ExternalInterface("eth0", eth0.index(), 1500, ip, null, ip, null);
    config = NetworkConfig.parse(CONFIG);
  }

  private VxlanBackend backend() throws Exception {
    return new VxlanBackend(config, VxlanOptions.parse(config.backend()), iface, kernel);
  }

  private static Lease lease(String subnet, String publicIp, String mac) throws Exception {
    return new Lease(
        Ip4Net.parse(subnet),
        null,
        new LeaseAttrs(
            Ip4.parse(publicIp),
            null,
            "vxlan",
            JSON.readTree("{\"VNI\":1,\"VtepMAC\":\"" + mac + "\"}"),
            null),
        null,
        0);
  }

  /** A running node: the device made and two peers programmed, as the daemon leaves it. */
  private Lease running(List<Lease> peers) throws Exception {
    VxlanBackend b = backend();
    LeaseAttrs attrs = b.prepare(null);
    Lease own = new Lease(Ip4Net.parse("10.244.1.0/24"), null, attrs, null, 0);
    VxlanNetwork n = (VxlanNetwork) b.register(own);
    n.reconcile(peers);
    kernel.clearWrites();
    return own;
  }

  @Test
  void aHealthyNodeHasAnOkDeviceAndAnEmptyPlanAndNothingIsWritten() throws Exception {
    List<Lease> peers =
        List.of(
            lease("10.244.2.0/24", "192.168.50.3", "0e:00:00:00:00:02"),
            lease("10.244.3.0/24", "192.168.50.4", "0e:00:00:00:00:03"));
    Lease own = running(peers);
    try (Inspection in = backend().inspect(own)) {
      assertThat(in.devices())
          .extracting(Finding::severity, Finding::subject)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(Severity.OK, "flannel.1"));
      assertThat(in.devices().get(0).detail()).contains("up, mtu 1450").contains("10.244.1.0/32");
      assertThat(in.deviceNames()).containsExactly("flannel.1");
      assertThat(in.mtu()).isEqualTo(1450);
      assertThat(in.plan(peers)).isEmpty();
    }
    assertThat(kernel.writes()).isEmpty();
    assertThat(kernel.deviceOps()).isEmpty();
  }

  @Test
  void thePlanNamesMissingWrongAndExtraEntriesAsIproute2PrintsThem() throws Exception {
    Lease a = lease("10.244.2.0/24", "192.168.50.3", "0e:00:00:00:00:02");
    Lease b = lease("10.244.3.0/24", "192.168.50.4", "0e:00:00:00:00:03");
    Lease own = running(List.of(a, b));
    int vx = kernel.findLink("flannel.1").orElseThrow().index();
    kernel.remove(Route.via(IpPrefix.parse("10.244.2.0/24"), Ips.parse("10.244.2.0"), vx).onlink());
    kernel.remove(
        Neighbour.permanent(vx, Ips.parse("10.244.3.0"), MacAddress.parse("0e:00:00:00:00:03")));
    kernel.plant(
        Neighbour.permanent(vx, Ips.parse("10.244.3.0"), MacAddress.parse("0e:00:00:00:00:99")));
    kernel.plant(Route.via(IpPrefix.parse("10.244.9.0/24"), Ips.parse("10.244.9.0"), vx).onlink());
    kernel.clearWrites();

    List<PlannedChange> plan;
    try (Inspection in = backend().inspect(own)) {
      plan = in.plan(List.of(a, b));
    }
    assertThat(plan)
        .containsExactlyInAnyOrder(
            new PlannedChange(
                Op.FIX,
                "neighbour",
                "10.244.3.0 lladdr 0e:00:00:00:00:03 dev flannel.1 PERMANENT",
                "10.244.3.0/24",
                "10.244.3.0 lladdr 0e:00:00:00:00:99 dev flannel.1 PERMANENT"),
            new PlannedChange(
                Op.ADD,
                "route",
                "10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink",
                "10.244.2.0/24",
                null),
            new PlannedChange(
                Op.REMOVE,
                "route",
                "10.244.9.0/24 via 10.244.9.0 dev flannel.1 onlink",
                null,
                null));
    assertThat(kernel.writes()).as("inspecting writes nothing").isEmpty();

    // the reconcile writes exactly what the plan said: one of each
    VxlanBackend restarted = backend();
    restarted.prepare(own.attrs());
    VxlanNetwork running = (VxlanNetwork) restarted.register(own);
    running.reconcile(List.of(a, b));
    assertThat(kernel.writes())
        .extracting(c -> c.delete() + " " + c.kind())
        .containsExactlyInAnyOrder("true route", "false neighbour", "false route");
  }

  @Test
  void aMissingDownOrForeignDeviceIsAProblemWithItsFix() throws Exception {
    Lease own = lease("10.244.1.0/24", "192.168.50.2", "0e:00:00:00:00:01");
    try (Inspection in = backend().inspect(own)) {
      assertThat(in.devices())
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.severity()).isEqualTo(Severity.PROBLEM);
                assertThat(f.detail()).startsWith("missing");
                assertThat(f.fix()).contains("restart flanneld");
              });
      assertThat(in.mtu()).as("what the device would get").isEqualTo(1450);
      assertThat(in.plan(List.of(lease("10.244.2.0/24", "192.168.50.3", "0e:00:00:00:00:02"))))
          .as("no device: nothing to plan per peer")
          .isEmpty();
    }

    Lease running = running(List.of());
    int vx = kernel.findLink("flannel.1").orElseThrow().index();
    kernel.setDown(vx);
    try (Inspection in = backend().inspect(running)) {
      assertThat(in.devices().get(0).severity()).isEqualTo(Severity.PROBLEM);
      assertThat(in.devices().get(0).detail()).isEqualTo("down");
    }
    Lease otherMac = lease("10.244.1.0/24", "192.168.50.2", "0e:00:00:00:00:77");
    try (Inspection in = backend().inspect(otherMac)) {
      assertThat(in.devices().get(0).detail())
          .contains("but the lease advertises 0e:00:00:00:00:77: peers send to that one");
    }
  }
}
