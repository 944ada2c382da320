package io.jflannel.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jflannel.netlink.testing.TestNetns;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The etcd-mode scenarios with {@code "Backend":{"Type":"udp"}}, and two of the udp backend's own:
 * a crash and restart, which interrupts the traffic only while the daemon is down (its data plane
 * is the daemon), and a datagram from an address that holds no lease, which is dropped and counted
 * instead of being written into the pod network.
 */
class UdpEtcdIT extends EtcdModeScenarios {
  private static final Logger log = LoggerFactory.getLogger(UdpEtcdIT.class);

  /** Replies the long ping must get after the restarted daemon is ready: 2 s at 20 per second. */
  private static final int REPLIES_AFTER_RESTART = 40;

  /** Slack on top of the daemon's down time that the lost echo requests may span. */
  private static final Duration LOSS_SLACK = Duration.ofSeconds(2);

  /** The udp backend's port (option {@code Port}, upstream's default). */
  private static final int UDP_PORT = 8285;

  private static final String UNKNOWN_SOURCE = "reason=\"unknown_source\"";
  private static final String DROPPED = "flannel_udp_packets_dropped_total";

  @Override
  Backend backend() {
    return Backend.UDP;
  }

  /**
   * kill -9 and start again, while a pod of another host pings this host's pod 20 times a second.
   * The TUN device lives only as long as the process, so packets are lost while the daemon is down;
   * asserted: the same lease and subnet.env, the same routes and flannel0 address after the
   * restart, and the lost echo requests form one run no longer than the daemon's down time plus
   * {@link #LOSS_SLACK}, followed by uninterrupted replies.
   */
  @Test
  @Order(2)
  void crashAndRestartKeepsLeaseAndLosesPacketsOnlyWhileDown() {
    Cluster cluster = cluster();
    Host victim = cluster.host(1);
    Host peer = cluster.host(2);
    String subnetEnvBefore = victim.lease().text();
    Map<String, String> leasesBefore = cluster.etcd().getPrefix(EtcdServer.SUBNETS);
    KernelState k = victim.kernel();
    List<String> routesBefore = k.routes();
    List<String> addressesBefore = k.ipv4Addresses(KernelState.UDP_DEVICE);

    List<String> output;
    long downMillis;
    try (Background ping = Pings.startLong(peer, victim.podIp(), "0.05", 1200)) {
      await("first replies of " + peer.name() + " -> " + victim.name())
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> Pings.replies(ping) >= 5 || !ping.isAlive());

      long t0 = System.nanoTime();
      victim.daemon().kill();
      cluster.start(victim);
      downMillis = (System.nanoTime() - t0) / 1_000_000;
      long repliesAtReady = Pings.replies(ping);
      await(peer.name() + " -> " + victim.name() + " replying again")
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () ->
                  Pings.replies(ping) >= repliesAtReady + REPLIES_AFTER_RESTART || !ping.isAlive());
      assertThat(ping.isAlive()).as("the ping (60 s) still runs").isTrue();
      ping.interrupt();
      ping.awaitExit(Duration.ofSeconds(10));
      output = ping.lines();
    }

    List<Integer> answered = Pings.answered(output);
    int last = answered.get(answered.size() - 1);
    List<Integer> lost =
        IntStream.rangeClosed(1, last).filter(seq -> !answered.contains(seq)).boxed().toList();
    log.info(
        "udp: daemon down {} ms (kill to ready), {} echo request(s) lost: {}",
        downMillis,
        lost.size(),
        lost.isEmpty() ? "none" : lost.get(0) + ".." + lost.get(lost.size() - 1));

    SoftAssertions s = new SoftAssertions();
    s.assertThat(victim.lease().text())
        .as("subnet.env after the restart (same lease)")
        .isEqualTo(subnetEnvBefore);
    s.assertThat(cluster.etcd().getPrefix(EtcdServer.SUBNETS))
        .as("leases in etcd after the restart")
        .isEqualTo(leasesBefore);
    s.assertThat(k.routes())
        .as("routes after the restart (flannel0's route is back)")
        .containsExactlyInAnyOrderElementsOf(routesBefore);
    s.assertThat(k.ipv4Addresses(KernelState.UDP_DEVICE))
        .as("flannel0's address after the restart")
        .isEqualTo(addressesBefore);
    boolean oneRun = lost.isEmpty() || lost.get(lost.size() - 1) - lost.get(0) + 1 == lost.size();
    s.assertThat(oneRun)
        .as(
            "lost echo requests %s form one run (icmp_seq), replies never stop after it:\n%s",
            lost, String.join("\n", output))
        .isTrue();
    s.assertThat(lost.size() * 50L)
        .as("time covered by the lost echo requests (ms), daemon down %d ms", downMillis)
        .isLessThanOrEqualTo(downMillis + LOSS_SLACK.toMillis());
    s.assertAll();
  }

  /**
   * A stranger on the underlay (an address that holds no lease) sends the udp port of h1 a datagram
   * carrying an IPv4/UDP packet for h1's pod, posing as h2's pod. h1 drops it and counts it under
   * {@code flannel_udp_packets_dropped_total{reason="unknown_source"}}; the pod never gets it. The
   * same packet sent from h2's address (a lease holder) is delivered, which shows the packet itself
   * is good and that the datagrams are handled in order: once it has arrived, the stranger's cannot
   * still be on its way.
   */
  @Test
  @Order(7)
  void dropsAndCountsDatagramFromAddressHoldingNoLease() throws IOException {
    Cluster cluster = cluster();
    Host target = cluster.host(1);
    Host impersonated = cluster.host(2);
    TestNetns stranger = cluster.addOutsider(1);
    String tag = UUID.randomUUID().toString();
    byte[] spoofedText = ("spoofed " + tag).getBytes(StandardCharsets.US_ASCII);
    byte[] genuineText = ("genuine " + tag).getBytes(StandardCharsets.US_ASCII);

    try (DatagramChannel pod = Datagrams.open(target.podNs(), null)) {
      int port = ((InetSocketAddress) pod.getLocalAddress()).getPort();
      double droppedBefore = target.metric(DROPPED, UNKNOWN_SOURCE);
      byte[] spoofed =
          Datagrams.ipv4Udp(impersonated.podIp(), target.podIp(), 4242, port, spoofedText);
      Datagrams.send(stranger, target.publicIp(), UDP_PORT, spoofed);
      await(target.name() + " counts the stranger's datagram as dropped")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .untilAsserted(
              () ->
                  assertThat(target.metric(DROPPED, UNKNOWN_SOURCE))
                      .as("%s %s{%s}", target.name(), DROPPED, UNKNOWN_SOURCE)
                      .isGreaterThanOrEqualTo(droppedBefore + 1));

      byte[] genuine =
          Datagrams.ipv4Udp(impersonated.podIp(), target.podIp(), 4242, port, genuineText);
      Datagrams.send(impersonated.ns(), target.publicIp(), UDP_PORT, genuine);
      List<String> received = new ArrayList<>();
      ByteBuffer buf = ByteBuffer.allocate(2048);
      await("the pod of " + target.name() + " receives the lease holder's packet")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                for (buf.clear(); pod.receive(buf) != null; buf.clear()) {
                  buf.flip();
                  received.add(StandardCharsets.US_ASCII.decode(buf).toString());
                }
                return received.contains("genuine " + tag);
              });
      assertThat(received)
          .as("what the pod of %s received on udp port %d", target.name(), port)
          .containsExactly("genuine " + tag);
    }
  }
}
