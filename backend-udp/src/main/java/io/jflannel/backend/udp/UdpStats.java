package io.jflannel.backend.udp;

import java.util.LinkedHashMap;
import java.util.Map;

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

  /** The counters by component name, in declaration order, for metrics. */
  public Map<String, Long> asMap() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("sentPackets", sentPackets);
    m.put("sentBytes", sentBytes);
    m.put("receivedPackets", receivedPackets);
    m.put("receivedBytes", receivedBytes);
    m.put("droppedUnknownSource", droppedUnknownSource);
    m.put("droppedOversize", droppedOversize);
    m.put("droppedMalformed", droppedMalformed);
    m.put("droppedNoRoute", droppedNoRoute);
    m.put("unreachableSent", unreachableSent);
    m.put("droppedTtl", droppedTtl);
    m.put("sendErrors", sendErrors);
    m.put("tunWriteErrors", tunWriteErrors);
    return m;
  }
}
