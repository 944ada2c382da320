package io.jflannel.backend.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.backend.common.DeviceRepairs;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.netlink.NetNs;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.testing.RootOnly;
import io.jflannel.netlink.testing.Sh;
import io.jflannel.netlink.testing.TestNetns;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three simulated nodes on one switched underlay (a bridge in its own namespace), each running the
 * udp backend in this process with hand-fed peer leases, plus an outsider on the same underlay that
 * holds no lease.
 */
@ExtendWith(RootOnly.class)
class UdpNetworkIT {
  private static final int PORT = 8285;
  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private TestNetns sw;
  private SimulatedHost a;
  private SimulatedHost b;
  private SimulatedHost c;
  private TestNetns outsider;
  private NetworkConfig config;

  @BeforeEach
  void underlay() throws Exception {
    String sfx = TestNetns.suffix();
    sw = TestNetns.createNamed("jfl-udpsw-" + sfx);
    cleanup.add(sw);
    sw.ip("link", "add", "br0", "type", "bridge");
    sw.ip("link", "set", "br0", "up");
    a = host("jfl-udpa-" + sfx, "192.168.77.1", "10.244.1.0/24");
    b = host("jfl-udpb-" + sfx, "192.168.77.2", "10.244.2.0/24");
    c = host("jfl-udpc-" + sfx, "192.168.77.3", "10.244.3.0/24");
    outsider = attach("jfl-udpx-" + sfx, "192.168.77.9");
    config = SimulatedHost.config(PORT);
  }

  private SimulatedHost host(String name, String ip, String subnet) throws Exception {
    TestNetns ns = attach(name, ip);
    SimulatedHost h = new SimulatedHost(ns, "eth0", ip, subnet);
    cleanup.add(0, h); // networks close before their namespaces go
    return h;
  }

  /** A namespace whose eth0 ({@code ip}/24) is plugged into the switch. */
  private TestNetns attach(String name, String ip) {
    TestNetns ns = TestNetns.createNamed(name);
    cleanup.add(ns);
    String port = "p" + name.substring(name.lastIndexOf('-') - 1).replace("-", "");
    ns.ip("link", "add", "eth0", "type", "veth", "peer", "name", port, "netns", sw.name());
    ns.ip("addr", "add", ip + "/24", "dev", "eth0");
    ns.ip("link", "set", "eth0", "up");
    sw.ip("link", "set", port, "master", "br0", "up");
    return ns;
  }

  @AfterEach
  void tearDown() {
    for (AutoCloseable c : cleanup) {
      try {
        c.close();
      } catch (Exception e) {
        // keep going: every namespace must go
      }
    }
  }

  private List<Lease> all() {
    return List.of(a.lease, b.lease, c.lease);
  }

  @Test
  void preparesFlannel0AsUpstreamWithAddressMtuAndWholeNetworkRoute() throws Exception {
    UdpNetwork n = a.start(config, all(), 1);

    assertThat(n.deviceName()).isEqualTo("flannel0");
    assertThat(n.mtu()).isEqualTo(1472);
    String link = a.ns.ip("-d", "link", "show", "flannel0");
    assertThat(link).contains("mtu 1472").contains("tun type tun pi off").contains("UP");
    assertThat(a.ns.ip("-4", "addr", "show", "dev", "flannel0")).contains("inet 10.244.1.0/32");
    assertThat(a.ns.ip("route", "show", "dev", "flannel0").strip())
        .isEqualTo("10.244.0.0/16"); // scope global, as upstream: no "scope link"
    assertThat(a.ns.exec("ss", "-uln").stdout()).contains("192.168.77.1:8285");
    assertThat(n.peerCount()).isEqualTo(2);
    // IPv4 only: no link-local address, so the kernel sends no IPv6 of its own into the TUN
    assertThat(a.ns.exec("cat", "/proc/sys/net/ipv6/conf/flannel0/disable_ipv6").stdout().strip())
        .isEqualTo("1");
    assertThat(a.ns.ip("-6", "addr", "show", "dev", "flannel0")).isBlank();
  }

  @Test
  void pingCrossesTheOverlayBetweenFlannel0AddressesBothWays() throws Exception {
    a.start(config, all(), 1);
    b.start(config, all(), 1);
    c.start(config, all(), 1);

    assertPings(a, "10.244.1.0", "10.244.2.0");
    assertPings(c, "10.244.3.0", "10.244.1.0");
    assertPings(b, "10.244.2.0", "10.244.3.0");

    UdpStats sa = a.network.stats();
    assertThat(sa.sentPackets()).isGreaterThanOrEqualTo(3);
    assertThat(sa.receivedPackets()).isGreaterThanOrEqualTo(3);
    assertThat(sa.droppedUnknownSource()).isZero();
    assertThat(sa.droppedMalformed()).as("nothing but IPv4 comes out of flannel0").isZero();
  }

  @Test
  void carriesLargePacketsUpToTheTunMtuAndTcp() throws Exception {
    a.start(config, all(), 1);
    b.start(config, all(), 1);
    // 1472 - 20 (IP) - 8 (ICMP) = 1444 bytes of ping payload, DF set: exactly the TUN MTU
    Sh.Out ping =
        a.ns.exec(
            "ping",
            "-c",
            "2",
            "-i",
            "0.2",
            "-W",
            "2",
            "-M",
            "do",
            "-s",
            "1444",
            "-I",
            "10.244.1.0",
            "10.244.2.0");
    assertThat(ping.exit()).as(ping.stdout() + ping.stderr()).isZero();
    assertThat(a.network.stats().droppedOversize()).isZero();
  }

  @Test
  void datagramFromAnAddressWithoutALeaseIsDroppedAndCounted() throws Exception {
    b.start(config, all(), 1);
    byte[] echo = Ipv4.echoRequest(0x0af40100, 0x0af40200, 64); // 10.244.1.0 -> 10.244.2.0

    send(outsider, echo, "192.168.77.2");
    waitFor(() -> b.network.stats().droppedUnknownSource() == 1, "the outsider's datagram counted");
    assertThat(b.network.stats().receivedPackets()).isZero();

    send(a.ns, echo, "192.168.77.2"); // same bytes from a lease holder's address get in
    waitFor(() -> b.network.stats().receivedPackets() == 1, "the peer's datagram written");
    assertThat(b.network.stats().droppedUnknownSource()).isEqualTo(1);
  }

  @Test
  void aDatagramLargerThanAPacketBufferIsDroppedAndCounted() throws Exception {
    b.start(config, all(), 1);
    byte[] big = Ipv4.packet(0x0af40100, 0x0af40200, 64, 17, 0, new byte[4000]);

    send(a.ns, big, "192.168.77.2");

    waitFor(() -> b.network.stats().droppedOversize() == 1, "the oversize datagram counted");
    assertThat(b.network.stats().receivedPackets()).isZero();
  }

  @Test
  void aPeerWhoseLeaseIsRemovedCanNoLongerInject() throws Exception {
    b.start(config, all(), 1);
    byte[] echo = Ipv4.echoRequest(0x0af40100, 0x0af40200, 64);
    b.network.handle(List.of(new LeaseEvent.Removed(a.lease)));
    assertThat(b.network.peerCount()).isEqualTo(1);

    send(a.ns, echo, "192.168.77.2");

    waitFor(() -> b.network.stats().droppedUnknownSource() == 1, "the ex-peer's datagram counted");
  }

  @Test
  void reconcileRestoresADeletedRouteAndAddressAndThenWritesNothing() throws Exception {
    a.start(config, all(), 1);
    b.start(config, all(), 1);
    long before = a.network.writes();
    a.ns.ip("route", "del", "10.244.0.0/16", "dev", "flannel0");
    a.ns.ip("addr", "del", "10.244.1.0/32", "dev", "flannel0");
    a.ns.ip("link", "set", "flannel0", "down");

    a.network.reconcile(all());

    assertThat(a.ns.ip("route", "show", "dev", "flannel0")).contains("10.244.0.0/16");
    assertThat(a.ns.ip("-4", "addr", "show", "dev", "flannel0")).contains("10.244.1.0/32");
    assertThat(a.network.writes()).isGreaterThan(before);
    assertPings(a, "10.244.1.0", "10.244.2.0");
    long repaired = a.network.writes();
    a.network.reconcile(all());
    assertThat(a.network.writes()).isEqualTo(repaired);
  }

  @Test
  void peersOfAnotherBackendTypeAreSkippedAndEmptyOrUdpAccepted() throws Exception {
    a.start(config, List.of(), 1);
    a.network.reconcile(
        List.of(
            SimulatedHost.lease("10.244.2.0/24", "192.168.77.2", "udp"),
            SimulatedHost.lease("10.244.3.0/24", "192.168.77.3", ""),
            SimulatedHost.lease("10.244.4.0/24", "192.168.77.4", "vxlan"),
            a.lease));
    assertThat(a.network.peerCount()).isEqualTo(2);
  }

  @Test
  void noRouteGetsAnIcmpNetUnreachableBackThroughTheTunButNotAboutIcmp() throws Exception {
    a.start(config, all(), 1);

    Sh.Out ping = a.ns.exec("ping", "-c", "1", "-W", "1", "-I", "10.244.1.0", "10.244.9.1");

    assertThat(ping.exit()).isNotZero();
    assertThat(a.network.stats().droppedNoRoute()).isEqualTo(1);
    assertThat(a.network.stats().unreachableSent()).isZero();

    long before = icmpInDestUnreachs(a.ns);
    a.ns.exec("bash", "-c", "echo x > /dev/udp/10.244.9.1/9");

    waitFor(() -> a.network.stats().unreachableSent() == 1, "an ICMP net unreachable written");
    waitFor(() -> icmpInDestUnreachs(a.ns) == before + 1, "the kernel took the ICMP in");
  }

  /** The namespace's {@code Icmp: InDestUnreachs} counter from {@code /proc/net/snmp}. */
  private static long icmpInDestUnreachs(TestNetns ns) {
    String[] lines = ns.exec("cat", "/proc/net/snmp").stdout().split("\n");
    for (int i = 0; i + 1 < lines.length; i++) {
      if (lines[i].startsWith("Icmp:") && lines[i + 1].startsWith("Icmp:")) {
        List<String> names = List.of(lines[i].split("\\s+"));
        return Long.parseLong(lines[i + 1].split("\\s+")[names.indexOf("InDestUnreachs")]);
      }
    }
    throw new AssertionError("no Icmp line in /proc/net/snmp");
  }

  @Test
  void closeStopsTheLoopsAndRemovesTheDevice() throws Exception {
    a.start(config, all(), 2);
    assertThat(a.ns.ip("-d", "link", "show", "flannel0")).contains("multi_queue");

    a.network.close();

    waitFor(a::stopped, "run() returned");
    assertThat(a.ns.exec("ip", "link", "show", "flannel0").exit()).isNotZero();
  }

  @Test
  void aDeviceDeletedByHandIsRecreatedAndTrafficFlowsAgain() throws Exception {
    a.start(config, all(), 1);
    b.start(config, all(), 1);
    assertPings(a, "10.244.1.0", "10.244.2.0");
    long sentBefore = a.network.stats().sentPackets();

    a.ns.ip("link", "del", "flannel0");

    waitFor(() -> a.network.recreations() == 1, "flannel0 re-created");
    assertThat(a.stopped()).as("run() goes on").isFalse();
    assertThat(a.ns.ip("-d", "link", "show", "flannel0"))
        .contains("mtu 1472")
        .contains("tun type tun pi off")
        .contains("UP");
    assertThat(a.ns.ip("-4", "addr", "show", "dev", "flannel0")).contains("inet 10.244.1.0/32");
    assertThat(a.ns.ip("route", "show", "dev", "flannel0").strip()).isEqualTo("10.244.0.0/16");
    assertPings(a, "10.244.1.0", "10.244.2.0");
    assertPings(b, "10.244.2.0", "10.244.1.0");
    assertThat(a.network.stats().sentPackets())
        .as("the counters go on")
        .isGreaterThanOrEqualTo(sentBefore + 3);
    assertThat(a.network.writes()).as("address, route, MTU and up written again").isPositive();
    assertThat(a.network.repairs().total(DeviceRepairs.Reason.DELETED)).isEqualTo(1);
  }

  @Test
  void aDeviceSetDownByHandIsSetUpWithItsRouteAtOnce() throws Exception {
    a.start(config, all(), 1);
    b.start(config, all(), 1);
    assertPings(a, "10.244.1.0", "10.244.2.0");

    a.ns.ip("link", "set", "flannel0", "down"); // the kernel drops its route too

    waitFor(
        () -> a.network.repairs().total(DeviceRepairs.Reason.DOWN) == 1,
        "flannel0 set up again by the device watch");
    assertThat(a.ns.ip("link", "show", "flannel0")).contains("UP");
    assertThat(a.ns.ip("route", "show", "dev", "flannel0").strip()).isEqualTo("10.244.0.0/16");
    assertPings(a, "10.244.1.0", "10.244.2.0");
    assertPings(b, "10.244.2.0", "10.244.1.0");
    assertThat(a.network.recreations()).as("the same device").isZero();
  }

  private static void assertPings(SimulatedHost from, String src, String dst) {
    Sh.Out ping = from.ns.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "-I", src, dst);
    assertThat(ping.exit()).as(ping.stdout() + ping.stderr()).isZero();
    assertThat(ping.stdout()).contains("3 received");
  }

  /** Sends {@code payload} to {@code dst}:8285 from a UDP socket opened inside {@code ns}. */
  private static void send(TestNetns ns, byte[] payload, String dst) throws NetlinkException {
    NetNs.call(
        ns.name(),
        () -> {
          try (DatagramChannel ch = DatagramChannel.open()) {
            ch.send(ByteBuffer.wrap(payload), new InetSocketAddress(dst, PORT));
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
          return null;
        });
  }

  private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.onSpinWait();
      Thread.sleep(10);
    }
  }
}
