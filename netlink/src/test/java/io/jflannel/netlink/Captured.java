package io.jflannel.netlink;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jflannel.netlink.wire.NlMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The real kernel replies under {@code src/test/resources/io/jflannel/netlink/captured/} (see the
 * README there for how they were captured), for the decoding, ack and fuzz tests.
 *
 * <p>A file holds named datagrams: {@code # } comment lines, {@code = name} starts a datagram, hex
 * lines follow. The bytes are little-endian as an x86_64 kernel wrote them, so tests using them
 * call {@link #assumeLittleEndian()}.
 */
final class Captured {
  /** Every capture file, for tests that run over all of them. */
  static final List<String> FILES =
      List.of(
          "link-dump.hex",
          "link-get.hex",
          "addr-dump.hex",
          "route-dump.hex",
          "route-get.hex",
          "neigh-dump.hex",
          "fdb-dump.hex",
          "nexthop-dump.hex",
          "route-dump-v4mapped.hex",
          "neigh-dump-v4mapped.hex",
          "acks.hex");

  private Captured() {}

  /** Skips the calling test on a big-endian JVM: the captures are little-endian. */
  static void assumeLittleEndian() {
    assumeTrue(
        ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN,
        "captured netlink bytes are little-endian (x86_64); this JVM is big-endian");
  }

  /** The datagrams of {@code file} by name, in file order. */
  static Map<String, byte[]> load(String file) {
    String text;
    try (InputStream in = Captured.class.getResourceAsStream("captured/" + file)) {
      if (in == null) {
        throw new IllegalArgumentException("no capture " + file);
      }
      text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, byte[]> out = new LinkedHashMap<>();
    String name = null;
    StringBuilder hex = new StringBuilder();
    for (String line : (text + "\n= end").split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      if (line.startsWith("=")) {
        if (name != null) {
          out.put(name, HexFormat.of().parseHex(hex));
        }
        name = line.substring(1).strip();
        hex.setLength(0);
      } else {
        hex.append(line.strip());
      }
    }
    return out;
  }

  /** The datagrams of {@code file}, in file order. */
  static List<byte[]> datagrams(String file) {
    return List.copyOf(load(file).values());
  }

  /** One named datagram of {@code file}. */
  static byte[] datagram(String file, String name) {
    byte[] d = load(file).get(name);
    if (d == null) {
      throw new IllegalArgumentException("no datagram " + name + " in " + file);
    }
    return d;
  }

  /** Every message of every datagram of {@code file}, NLMSG_DONE included. */
  static List<NlMessage> messages(String file) throws NetlinkParseException {
    List<NlMessage> out = new ArrayList<>();
    for (byte[] d : datagrams(file)) {
      out.addAll(NlMessage.split(ByteBuffer.wrap(d)));
    }
    return out;
  }

  /** The messages of {@code file} of one {@code type}. */
  static List<NlMessage> messages(String file, int type) throws NetlinkParseException {
    return messages(file).stream().filter(m -> m.type() == type).toList();
  }

  /** The only message of a one-message datagram. */
  static NlMessage only(byte[] datagram) throws NetlinkParseException {
    List<NlMessage> ms = NlMessage.split(ByteBuffer.wrap(datagram));
    if (ms.size() != 1) {
      throw new IllegalStateException(ms.size() + " messages in the datagram");
    }
    return ms.get(0);
  }
}
