package io.jflannel.e2e;

import io.jflannel.netlink.NetNs;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.testing.TestNetns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * Hand-made packets for the udp backend's scenarios: an IPv4/UDP packet built byte by byte (the
 * payload flannel's udp encapsulation carries), and UDP sockets opened inside a test namespace from
 * this JVM.
 *
 * <p>A socket belongs to the network namespace of the thread that created it, for its whole life;
 * {@link NetNs#call} creates it on a short-lived thread inside the namespace, so no process has to
 * be started and no tool (python, socat) has to be installed. Whoever opens a channel closes it.
 */
final class Datagrams {
  private static final int IPV4_HEADER = 20;
  private static final int UDP_HEADER = 8;

  private Datagrams() {}

  /**
   * An IPv4 packet (no options, DF set, TTL 64, a correct header checksum) carrying a UDP datagram
   * {@code srcPort → dstPort} with {@code payload} and no UDP checksum (0, allowed over IPv4).
   */
  static byte[] ipv4Udp(String src, String dst, int srcPort, int dstPort, byte[] payload) {
    int total = IPV4_HEADER + UDP_HEADER + payload.length;
    ByteBuffer b = ByteBuffer.allocate(total);
    b.put((byte) 0x45).put((byte) 0).putShort((short) total);
    b.putShort((short) 0x1234).putShort((short) 0x4000); // id; flags DF, fragment offset 0
    b.put((byte) 64).put((byte) 17).putShort((short) 0); // TTL, protocol UDP, checksum below
    b.putInt(Ip4.parse(src)).putInt(Ip4.parse(dst));
    b.putShort((short) srcPort).putShort((short) dstPort);
    b.putShort((short) (UDP_HEADER + payload.length)).putShort((short) 0);
    b.put(payload);
    byte[] packet = b.array();
    int sum = checksum(packet, 0, IPV4_HEADER);
    packet[10] = (byte) (sum >>> 8);
    packet[11] = (byte) sum;
    return packet;
  }

  /** The Internet checksum (RFC 1071) of {@code len} bytes at {@code off}. */
  static int checksum(byte[] b, int off, int len) {
    long sum = 0;
    for (int i = 0; i + 1 < len; i += 2) {
      sum += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
    }
    if ((len & 1) != 0) {
      sum += (b[off + len - 1] & 0xff) << 8;
    }
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) (~sum & 0xffff);
  }

  /** Sends {@code data} as one UDP datagram from namespace {@code ns} to {@code ip:port}. */
  static void send(TestNetns ns, String ip, int port, byte[] data) {
    try (DatagramChannel ch = open(ns, null)) {
      int sent = ch.send(ByteBuffer.wrap(data), new InetSocketAddress(ip, port));
      if (sent != data.length) {
        throw new IllegalStateException(
            "sent " + sent + " of " + data.length + " bytes from " + ns);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot send a datagram from " + ns + " to " + ip, e);
    }
  }

  /**
   * A non-blocking IPv4 UDP socket in namespace {@code ns}, bound to {@code 0.0.0.0:<port>} (any
   * port if {@code port} is null).
   */
  static DatagramChannel open(TestNetns ns, Integer port) {
    try {
      return NetNs.call(
          ns.name(),
          () -> {
            try {
              return bound(port);
            } catch (IOException e) {
              throw new UncheckedIOException("cannot open a udp socket in " + ns, e);
            }
          });
    } catch (NetlinkException e) {
      throw new IllegalStateException("cannot enter " + ns, e);
    }
  }

  private static DatagramChannel bound(Integer port) throws IOException {
    DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
    try {
      ch.configureBlocking(false);
      ch.bind(new InetSocketAddress(port == null ? 0 : port));
      return ch;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }
}
