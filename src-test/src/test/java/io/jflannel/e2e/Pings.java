package io.jflannel.e2e;

import io.jflannel.netlink.NetNs;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.testing.Sh;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pod-to-pod reachability: the all-pairs matrix, a long, fast ping whose losses are counted, and
 * the prompt failure of a connection to a pod nobody routes to any more.
 */
final class Pings {
  private static final Pattern STATS =
      Pattern.compile("(\\d+) packets transmitted, (\\d+) received");
  private static final Pattern SEQ = Pattern.compile("icmp_seq=(\\d+)");

  /** How soon a connect to an address nobody routes to must fail (it would wait 10 s otherwise). */
  static final Duration UNREACHABLE_WITHIN = Duration.ofSeconds(3);

  private Pings() {}

  /** A ping's summary line, parsed. */
  record Stats(int transmitted, int received) {
    int lost() {
      return transmitted - received;
    }
  }

  /**
   * Every pod pings every other pod ({@code ping -c 2 -W 2 -i 0.2}, all pairs at once); fails
   * listing each pair that got no reply, with ping's output.
   */
  static void assertMatrix(List<Host> hosts) {
    assertMatrix(hosts, Family.V4);
  }

  /** As {@link #assertMatrix(List)}, over {@code family} ({@code ping -4} or {@code ping -6}). */
  static void assertMatrix(List<Host> hosts, Family family) {
    matrix(hosts, family, List.of(), family + " pings");
  }

  /**
   * Every pod sends every other pod a ping of exactly {@code mtu} bytes with "don't fragment" set
   * ({@code ping -M do -s <mtu - headers>}): the largest packet the pod's MTU allows crosses the
   * overlay whole, without fragmentation and without an ICMP "packet too big" on the way.
   */
  static void assertFullMtu(List<Host> hosts, Family family, int mtu) {
    int size = mtu - family.headers();
    matrix(
        hosts,
        family,
        List.of("-M", "do", "-s", Integer.toString(size)),
        family + " pings of " + mtu + " bytes with DF set (-M do -s " + size + ")");
  }

  private static void matrix(List<Host> hosts, Family family, List<String> extra, String what) {
    record Pair(Host from, Host to, CompletableFuture<Sh.Out> out) {}
    List<Pair> pairs = new ArrayList<>();
    // one thread per pair: the common pool has a single thread on a 2-core machine
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, hosts.size() * hosts.size()));
    try {
      for (Host from : hosts) {
        for (Host to : hosts) {
          if (from != to) {
            List<String> cmd =
                new ArrayList<>(
                    List.of("ping", family.pingFlag(), "-n", "-c", "2", "-W", "2", "-i", "0.2"));
            cmd.addAll(extra);
            cmd.add(family.podIp(to));
            pairs.add(
                new Pair(
                    from,
                    to,
                    CompletableFuture.supplyAsync(
                        () -> from.podNs().exec(cmd.toArray(String[]::new)), pool)));
          }
        }
      }
      pairs.forEach(p -> p.out().join());
    } finally {
      pool.shutdown();
    }
    List<String> failures = new ArrayList<>();
    for (Pair p : pairs) {
      Sh.Out o = p.out().join();
      if (o.exit() != 0) {
        failures.add(
            "pod of "
                + p.from().name()
                + " ("
                + family.podIp(p.from())
                + ") -> pod of "
                + p.to().name()
                + " ("
                + family.podIp(p.to())
                + "): exit "
                + o.exit()
                + "\n"
                + o.stdout().strip()
                + o.stderr().strip());
      }
    }
    if (!failures.isEmpty()) {
      throw new AssertionError(
          failures.size()
              + " of "
              + pairs.size()
              + " pod pairs fail "
              + what
              + ":\n"
              + String.join("\n", failures));
    }
  }

  /**
   * Every pod of {@code hosts} opens a TCP connection to {@code ip}, all at once, and each fails
   * with "network unreachable" within {@link #UNREACHABLE_WITHIN} (the connect waits up to 10 s, so
   * a SYN silently sent into the overlay would take that long to fail): nobody routes to {@code ip}
   * any more, and whoever drops the packet says so with an ICMP net unreachable (the host's kernel
   * for vxlan and host-gw, the daemon for udp). TCP, not ping: upstream's udp backend, and ours,
   * never answers an ICMP packet with an ICMP error, and a UDP socket is not told of a "soft" error
   * such as net unreachable, while a TCP connect in SYN_SENT fails on it at once. Fails listing
   * each pod that did not fail that way.
   */
  static void assertNetUnreachable(List<Host> hosts, String ip) {
    record Try(Host from, CompletableFuture<String> outcome) {}
    List<Try> tries = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(hosts.size());
    try {
      for (Host from : hosts) {
        tries.add(
            new Try(from, CompletableFuture.supplyAsync(() -> connectFailure(from, ip), pool)));
      }
      tries.forEach(t -> t.outcome().join());
    } finally {
      pool.shutdown();
    }
    List<String> failures =
        tries.stream()
            .filter(t -> !t.outcome().join().startsWith("unreachable "))
            .map(t -> "pod of " + t.from().name() + " -> " + ip + ":80: " + t.outcome().join())
            .toList();
    if (!failures.isEmpty()) {
      throw new AssertionError(
          failures.size()
              + " of "
              + tries.size()
              + " pods were not told promptly that "
              + ip
              + " is unreachable:\n"
              + String.join("\n", failures));
    }
  }

  /**
   * Connects from {@code from}'s pod to {@code ip}:80 (10 s timeout): {@code "unreachable after N
   * ms"} if the connect failed with network unreachable within {@link #UNREACHABLE_WITHIN}, else
   * what happened.
   */
  private static String connectFailure(Host from, String ip) {
    SocketChannel ch;
    try {
      ch = NetNs.call(from.podNs().name(), () -> openTcp(from));
    } catch (NetlinkException e) {
      throw new IllegalStateException("cannot enter " + from.podNs(), e);
    }
    long t0 = System.nanoTime();
    try (ch) {
      ch.socket().connect(new InetSocketAddress(ip, 80), 10_000);
      return "connected (someone still routes to it)";
    } catch (IOException e) {
      long ms = (System.nanoTime() - t0) / 1_000_000;
      String what = e + " after " + ms + " ms";
      boolean unreachable =
          e.getMessage() != null && e.getMessage().toLowerCase(Locale.ROOT).contains("unreachable");
      return unreachable && ms <= UNREACHABLE_WITHIN.toMillis() ? "unreachable " + what : what;
    }
  }

  private static SocketChannel openTcp(Host from) {
    try {
      return SocketChannel.open(StandardProtocolFamily.INET);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a tcp socket in " + from.podNs(), e);
    }
  }

  /**
   * Starts {@code ping -i <interval> -c <count> <ip>} from {@code from}'s pod in the background.
   */
  static Background startLong(Host from, String ip, String interval, int count) {
    return Background.start(
        "ping " + from.name() + "->" + ip,
        List.of(
            "ip",
            "netns",
            "exec",
            from.podNs().name(),
            "ping",
            "-n",
            "-i",
            interval,
            "-c",
            Integer.toString(count),
            "-W",
            "2",
            ip));
  }

  /** Counts the echo replies printed so far. */
  static long replies(Background ping) {
    return ping.lines().stream().filter(l -> l.contains("bytes from")).count();
  }

  /** The {@code icmp_seq} of every echo reply printed, in ascending order, without duplicates. */
  static List<Integer> answered(List<String> output) {
    return output.stream()
        .filter(l -> l.contains("bytes from"))
        .map(SEQ::matcher)
        .filter(Matcher::find)
        .map(m -> Integer.parseInt(m.group(1)))
        .distinct()
        .sorted()
        .toList();
  }

  /** The summary of a finished ping; fails if it printed none. */
  static Stats stats(List<String> output) {
    for (String line : output) {
      Matcher m = STATS.matcher(line);
      if (m.find()) {
        return new Stats(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
      }
    }
    throw new AssertionError("ping printed no statistics:\n" + String.join("\n", output));
  }
}
