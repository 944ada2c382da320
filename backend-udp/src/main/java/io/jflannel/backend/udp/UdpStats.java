package io.jflannel.backend.udp;

import io.jflannel.core.metrics.MetricSink;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Packet counters of a udp network since it was registered, for metrics and tests.
 *
 * <p>"Sent" is TUN to UDP (pod traffic leaving this node), "received" UDP to TUN. A dropped packet
 * is counted once, under the first reason that applies, in the order of the fields below.
 *
 * @param sentPackets datagrams handed to the kernel for peers
 * @param sentBytes their payload bytes (inner IP packets)
 * @param receivedPackets packets from peers written into the TUN
 * @param receivedBytes their bytes
 * @param droppedUnknownSource datagrams whose source address is not the public IP of any current
 *     peer lease (spoofed, or from a node whose lease is gone): never injected into the TUN
 * @param droppedOversize datagrams larger than a packet buffer (a peer with a larger MTU), and TUN
 *     packets that did not fit
 * @param droppedMalformed packets that are not IPv4 or have a broken header
 * @param droppedNoRoute TUN packets to an address in no peer's subnet
 * @param unreachableSent ICMP "net unreachable" replies written back into the TUN for those
 * @param droppedTtl packets whose TTL ran out
 * @param sendErrors datagrams the kernel refused to send (e.g. EPERM from a firewall)
 * @param tunWriteErrors packets the TUN refused (e.g. EIO while the link is down)
 */
public record UdpStats(
    long sentPackets,
    long sentBytes,
    long receivedPackets,
    long receivedBytes,
    long droppedUnknownSource,
    long droppedOversize,
    long droppedMalformed,
    long droppedNoRoute,
    long unreachableSent,
    long droppedTtl,
    long sendErrors,
    long tunWriteErrors) {

  /**
   * Declares the counters on {@code sink}, read from {@code current} at scrape time: {@code
   * flannel_udp_packets_total{direction}}, {@code flannel_udp_bytes_total{direction}}, {@code
   * flannel_udp_packets_dropped_total{reason}}, {@code flannel_udp_errors_total{op}} and {@code
   * flannel_udp_unreachable_sent_total}.
   */
  static void declare(MetricSink sink, Supplier<UdpStats> current) {
    sink.counter(
        "flannel_udp_packets_total",
        "udp backend: packets sent to and received from peers",
        "direction",
        two(
            "sent",
            () -> current.get().sentPackets(),
            "received",
            () -> current.get().receivedPackets()));
    sink.counter(
        "flannel_udp_bytes_total",
        "udp backend: bytes of the inner packets sent to and received from peers",
        "direction",
        two(
            "sent",
            () -> current.get().sentBytes(),
            "received",
            () -> current.get().receivedBytes()));
    Map<String, LongSupplier> dropped = new LinkedHashMap<>();
    dropped.put("unknown_source", () -> current.get().droppedUnknownSource());
    dropped.put("oversize", () -> current.get().droppedOversize());
    dropped.put("malformed", () -> current.get().droppedMalformed());
    dropped.put("no_route", () -> current.get().droppedNoRoute());
    dropped.put("ttl", () -> current.get().droppedTtl());
    sink.counter(
        "flannel_udp_packets_dropped_total",
        "udp backend: packets dropped, by the first reason that applied",
        "reason",
        dropped);
    sink.counter(
        "flannel_udp_errors_total",
        "udp backend: datagrams the kernel refused to send, packets the TUN refused",
        "op",
        two(
            "send",
            () -> current.get().sendErrors(),
            "tun_write",
            () -> current.get().tunWriteErrors()));
    sink.counter(
        "flannel_udp_unreachable_sent_total",
        "udp backend: ICMP net unreachable replies for pod addresses no lease covers",
        () -> current.get().unreachableSent());
  }

  private static Map<String, LongSupplier> two(
      String a, LongSupplier va, String b, LongSupplier vb) {
    Map<String, LongSupplier> m = new LinkedHashMap<>();
    m.put(a, va);
    m.put(b, vb);
    return m;
  }
}
