package io.jflannel.e2e;

import io.jflannel.netlink.testing.Sh;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Pod-to-pod reachability: the all-pairs matrix and a long, fast ping whose losses are counted. */
final class Pings {
  private static final Pattern STATS =
      Pattern.compile("(\\d+) packets transmitted, (\\d+) received");

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
    record Pair(Host from, Host to, CompletableFuture<Sh.Out> out) {}
    List<Pair> pairs = new ArrayList<>();
    // one thread per pair: the common pool has a single thread on a 2-core machine
    ExecutorService pool = Executors.newFixedThreadPool(hosts.size() * hosts.size());
    try {
      for (Host from : hosts) {
        for (Host to : hosts) {
          if (from != to) {
            pairs.add(
                new Pair(
                    from,
                    to,
                    CompletableFuture.supplyAsync(
                        () ->
                            from.podNs()
                                .exec("ping", "-n", "-c", "2", "-W", "2", "-i", "0.2", to.podIp()),
                        pool)));
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
                + p.from().podIp()
                + ") -> pod of "
                + p.to().name()
                + " ("
                + p.to().podIp()
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
              + " pod pairs cannot reach each other:\n"
              + String.join("\n", failures));
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
