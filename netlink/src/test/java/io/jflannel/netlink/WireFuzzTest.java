package io.jflannel.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.jflannel.netlink.FuzzInputs.Layout;
import io.jflannel.netlink.wire.NlMessage;
import io.jflannel.netlink.wire.Rt;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Property: whatever bytes arrive, {@link NlMessage#split} and then every decoder on every message
 * ({@link LinkCodec}, {@link AddressCodec}, {@link RouteCodec}, {@link NeighbourCodec} both ways,
 * {@link NexthopCodec}, and {@link NetlinkSocket#ack}) either return or throw {@link
 * NetlinkParseException}: never another exception, an error, or a hang.
 *
 * <p>The inputs (see {@link FuzzInputs}): the captured kernel replies cut at every length, both as
 * they are and as a single message whose nlmsg_len says it was cut; then, from a fixed seed, a mix
 * of purely random buffers of 0..4096 bytes, captured replies cut at random lengths, captured
 * replies with random bytes and edge values in nlmsg_len, rta_len, nested lengths and types, and
 * random messages shaped like the ones the decoders read. Reproduce a failure with the seed and
 * case number it reports: {@code -Djflannel.fuzz.seed=<seed>}; {@code -Djflannel.fuzz.cases=<n>}
 * runs more or fewer random cases.
 */
class WireFuzzTest {
  private static final long SEED = Long.getLong("jflannel.fuzz.seed", 0x6a666c616e6e656cL);
  private static final int RANDOM_CASES = Integer.getInteger("jflannel.fuzz.cases", 100_000);

  private static final Map<String, NetlinkSocket.Decoder<?>> DECODERS = new LinkedHashMap<>();

  static {
    DECODERS.put("LinkCodec.decode", LinkCodec::decode);
    DECODERS.put("AddressCodec.decode", AddressCodec::decode);
    DECODERS.put("RouteCodec.decode", RouteCodec::decode);
    DECODERS.put("NeighbourCodec.decode", NeighbourCodec::decode);
    DECODERS.put("NeighbourCodec.decodeFdb", NeighbourCodec::decodeFdb);
    DECODERS.put("NexthopCodec.decode", NexthopCodec::decode);
    DECODERS.put("NetlinkSocket.ack", NetlinkSocket::ack);
  }

  private static List<byte[]> datagrams;
  private static List<Layout> layouts;
  private static List<byte[]> messages;

  /** How often each decoder returned and threw, to show the inputs reach past the splitter. */
  private final Map<String, int[]> outcomes = new LinkedHashMap<>();

  private int splitOk;

  @BeforeAll
  static void loadCorpus() throws Exception {
    Captured.assumeLittleEndian();
    datagrams = new ArrayList<>();
    for (String f : Captured.FILES) {
      datagrams.addAll(Captured.datagrams(f));
    }
    layouts = datagrams.stream().map(Layout::of).toList();
    messages = new ArrayList<>();
    for (byte[] d : datagrams) {
      for (NlMessage m : NlMessage.split(ByteBuffer.wrap(d))) {
        messages.add(m.copy());
      }
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void capturedRepliesCutAtEveryLengthFailOnlyWithParseExceptions() {
    int cases = 0;
    for (byte[] d : datagrams) {
      for (int len = 0; len <= d.length; len++) {
        check(FuzzInputs.truncated(d, len), "datagram cut at " + len, cases++);
      }
    }
    for (byte[] m : messages) {
      for (int len = Rt.NLMSG_HDRLEN; len <= m.length; len++) {
        check(FuzzInputs.truncatedMessage(m, len), "message cut to nlmsg_len " + len, cases++);
      }
    }
    assertThat(cases).isGreaterThan(30_000);
    assertReachedEveryDecoder();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void randomTruncatedAndCorruptedRepliesFailOnlyWithParseExceptions() {
    Random seeds = new Random(SEED);
    for (int i = 0; i < RANDOM_CASES; i++) {
      Random r = new Random(seeds.nextLong());
      int strategy = r.nextInt(20);
      byte[] input;
      String what;
      if (strategy < 3) {
        input = FuzzInputs.random(r);
        what = "random bytes";
      } else if (strategy < 6) {
        byte[] d = datagrams.get(r.nextInt(datagrams.size()));
        input = FuzzInputs.truncated(d, r.nextInt(d.length + 1));
        what = "captured datagram cut at random";
      } else if (strategy < 14) {
        input = FuzzInputs.corrupted(r, layouts.get(r.nextInt(layouts.size())));
        what = "corrupted captured datagram";
      } else {
        input = FuzzInputs.structured(r);
        what = "random structured messages";
      }
      check(input, what, i);
    }
    assertThat(splitOk).as("cases that split (seed %d)", SEED).isGreaterThan(RANDOM_CASES / 4);
    assertReachedEveryDecoder();
  }

  private void check(byte[] input, String what, int caseNo) {
    try {
      run(input);
    } catch (Throwable t) {
      throw new AssertionError(
          String.format(
              "case %d (%s) with seed %d threw %s; reproduce with -Djflannel.fuzz.seed=%d; input"
                  + " (%d bytes, first 2048 shown): %s",
              caseNo,
              what,
              SEED,
              t,
              SEED,
              input.length,
              HexFormat.of().formatHex(input, 0, Math.min(input.length, 2048))),
          t);
    }
  }

  private void run(byte[] input) throws Exception {
    List<NlMessage> ms;
    try {
      ms = NlMessage.split(ByteBuffer.wrap(input));
    } catch (NetlinkParseException expected) {
      return;
    }
    splitOk++;
    for (NlMessage m : ms) {
      if (m.copy().length != m.payloadLength() + Rt.NLMSG_HDRLEN) {
        throw new AssertionError("copy() of a " + m.payloadLength() + "-byte payload");
      }
      for (Map.Entry<String, NetlinkSocket.Decoder<?>> d : DECODERS.entrySet()) {
        int[] counts = outcomes.computeIfAbsent(d.getKey(), k -> new int[2]);
        try {
          d.getValue().decode(m);
          counts[0]++;
        } catch (NetlinkParseException expected) {
          counts[1]++;
        }
      }
    }
  }

  private void assertReachedEveryDecoder() {
    assertThat(outcomes).containsOnlyKeys(DECODERS.keySet());
    outcomes.forEach(
        (name, counts) -> {
          assertThat(counts[0]).as("%s returned (seed %d)", name, SEED).isGreaterThan(100);
          assertThat(counts[1]).as("%s threw (seed %d)", name, SEED).isGreaterThan(100);
        });
  }
}
