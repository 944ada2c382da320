package io.jflannel.e2e;

import static org.awaitility.Awaitility.await;

import io.jflannel.netlink.testing.Sh;
import io.jflannel.netlink.testing.TestNetns;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every rtnetlink notification of one host namespace during a window: {@code ip -o monitor
 * label link address route neigh} plus {@code bridge monitor fdb}. The kernel sends a notification
 * for every write that changes something (and for some that do not, such as re-adding an address),
 * so an empty recording means nobody wrote.
 *
 * <p>The window is delimited by marks the harness makes itself: a throwaway veth {@code jfl-markN}
 * with one FDB entry, created and deleted. Waiting until both monitors have printed the opening
 * mark proves they are subscribed; waiting for the closing mark proves every earlier event has been
 * read. Mark events are dropped from the recording.
 *
 * <p>Ownership: {@link #stop} or {@link #close} ends both monitor processes.
 */
final class KernelMonitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KernelMonitor.class);
  private final TestNetns ns;
  private final Background ip;
  private final Background bridge;
  private int marks;

  private KernelMonitor(TestNetns ns, Background ip, Background bridge) {
    this.ns = ns;
    this.ip = ip;
    this.bridge = bridge;
  }

  /** Starts recording {@code ns}; returns once both monitors are provably listening. */
  static KernelMonitor start(TestNetns ns) {
    Background ip =
        Background.start(
            "ip monitor " + ns,
            List.of(
                "ip", "-o", "-n", ns.name(), "monitor", "label", "link", "address", "route",
                "neigh"));
    Background bridge =
        Background.start(
            "bridge monitor " + ns, List.of("bridge", "-n", ns.name(), "monitor", "fdb"));
    KernelMonitor m = new KernelMonitor(ns, ip, bridge);
    try {
      m.mark();
      return m;
    } catch (RuntimeException | Error e) {
      m.close();
      throw e;
    }
  }

  /**
   * Closes the window: returns every event seen since {@link #start}, each {@code ip monitor} line
   * with its {@code [LINK]/[ADDR]/[ROUTE]/[NEIGH]} label and each {@code bridge monitor} line
   * labelled {@code [FDB]}.
   */
  List<String> stop() {
    int end = mark();
    List<String> events = new ArrayList<>();
    events.addAll(between(ip.lines(), markName(0), markName(end), "jfl-mark", ""));
    events.addAll(between(bridge.lines(), markMac(0), markMac(end), MARK_MAC, "[FDB]"));
    close();
    return events;
  }

  private static List<String> between(
      List<String> lines, String open, String close, String anyMark, String label) {
    List<String> out = new ArrayList<>();
    boolean inside = false;
    for (String line : lines) {
      if (line.contains(close) && inside) {
        break;
      }
      if (line.contains(open)) {
        inside = true;
      } else if (inside && !line.contains(anyMark)) {
        out.add(label + line.strip());
      }
    }
    return out;
  }

  /** The MACs of the marks' FDB entries start so; no flannel VTEP MAC in the suite does. */
  private static final String MARK_MAC = "02:00:00:00:00:";

  private static String markName(int n) {
    return "jfl-mark" + n;
  }

  /**
   * Mark {@code n}'s FDB MAC: {@code bridge monitor} may print the device as {@code if<index>} once
   * it is gone, so the bridge side is recognised by the MAC, not the name.
   */
  private static String markMac(int n) {
    return String.format(MARK_MAC + "%02x", n + 1);
  }

  /** Makes a mark both monitors must print, and waits until they have; returns its number. */
  private int mark() {
    int n = marks++;
    String name = markName(n);
    String mac = markMac(n);
    ns.ip("link", "add", name, "type", "veth", "peer", "name", name + "p");
    Sh.run("bridge", "-n", ns.name(), "fdb", "add", mac, "dev", name, "self", "permanent");
    ns.ip("link", "del", name);
    long t0 = System.nanoTime();
    try {
      await("monitors of " + ns + " print " + name)
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(20))
          .until(
              () ->
                  ip.lines().stream().anyMatch(l -> l.contains(name))
                      && bridge.lines().stream().anyMatch(l -> l.contains(mac)));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "the monitors of "
              + ns
              + " did not print the mark "
              + name
              + "\n"
              + tail(ip)
              + "\n"
              + tail(bridge),
          e);
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    if (ms > 1000) {
      log.info("monitors of {} took {} ms to print {}", ns, ms, name);
    }
    return n;
  }

  private static String tail(Background b) {
    List<String> lines = b.lines();
    return "--- "
        + b
        + (b.isAlive() ? " (running)" : " (exited)")
        + ", "
        + lines.size()
        + " lines, last ones:\n"
        + String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
  }

  @Override
  public void close() {
    ip.close();
    bridge.close();
  }
}
