package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.netlink.testing.NamespacedTest;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class TunIT extends NamespacedTest {
  @Test
  void opensTunWithoutPacketInfoAndCarriesRawIpPacketsBothWays() throws Exception {
    try (Tun tun = Tun.openInNamespace(ns.name(), "flannel0")) {
      assertThat(tun.name()).isEqualTo("flannel0");
      assertThat(ns.ip("-d", "link", "show", "flannel0")).contains("tun type tun pi off");
      Link link = nl.links().get("flannel0");
      nl.addresses().add(Address.of(link.index(), IpPrefix.parse("10.9.0.1/24")));
      nl.links().setUp(link.index());

      // an ICMP echo request from 10.9.0.2 to our 10.9.0.1, injected as if it came from a peer
      ByteBuffer out = ByteBuffer.allocateDirect(2048);
      out.put(echoRequest()).flip();
      tun.write(out);

      // the kernel answers into the TUN: the first IPv4 ICMP echo reply to 10.9.0.2
      ByteBuffer in = ByteBuffer.allocateDirect(2048);
      for (int i = 0; i < 20; i++) {
        in.clear();
        int n = tun.read(in);
        if (n >= 28 && (in.get(0) >> 4) == 4 && in.get(9) == 1 && in.get(20) == 0) {
          assertThat(ipAt(in, 12)).isEqualTo("10.9.0.1");
          assertThat(ipAt(in, 16)).isEqualTo("10.9.0.2");
          assertThat(in.getShort(24)).isEqualTo((short) 0x4242); // our echo id
          return;
        }
      }
      throw new AssertionError("no echo reply read from the TUN");
    }
  }

  private static String ipAt(ByteBuffer b, int off) {
    return (b.get(off) & 0xff)
        + "."
        + (b.get(off + 1) & 0xff)
        + "."
        + (b.get(off + 2) & 0xff)
        + "."
        + (b.get(off + 3) & 0xff);
  }

  private static byte[] echoRequest() {
    byte[] p = new byte[28];
    ByteBuffer b = ByteBuffer.wrap(p);
    b.put(0, (byte) 0x45).putShort(2, (short) 28).put(8, (byte) 64).put(9, (byte) 1);
    b.put(12, new byte[] {10, 9, 0, 2}).put(16, new byte[] {10, 9, 0, 1});
    b.putShort(10, checksum(p, 0, 20));
    b.put(20, (byte) 8).putShort(24, (short) 0x4242).putShort(26, (short) 1);
    b.putShort(22, checksum(p, 20, 8));
    return p;
  }

  private static short checksum(byte[] p, int off, int len) {
    int sum = 0;
    for (int i = off; i < off + len; i += 2) {
      sum += ((p[i] & 0xff) << 8) | (p[i + 1] & 0xff);
    }
    while ((sum >> 16) != 0) {
      sum = (sum & 0xffff) + (sum >> 16);
    }
    return (short) ~sum;
  }
}
