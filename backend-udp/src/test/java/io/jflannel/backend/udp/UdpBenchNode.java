package io.jflannel.backend.udp;

import io.jflannel.core.lease.Lease;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One simulated node for {@code scripts/bench-udp}: runs the udp backend for an existing network
 * namespace (made by the script) in this JVM, with hand-fed peer leases, until stdin closes.
 *
 * <pre>
 * UdpBenchNode NAMESPACE IFACE UNDERLAY_IP SUBNET QUEUES PEER_SUBNET=PEER_IP...
 * </pre>
 *
 * <p>Prints {@code ready} once packets flow. Each line {@code stats} on stdin prints one line of
 * counters: datagrams and bytes each way, drops, the CPU time and the heap bytes allocated by the
 * packet threads ({@code udp-*}), the process CPU time and the GC count. Not a test: a harness.
 */
public final class UdpBenchNode {
  private UdpBenchNode() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 6) {
      System.err.println(
          "usage: UdpBenchNode NAMESPACE IFACE UNDERLAY_IP SUBNET QUEUES PEER_SUBNET=PEER_IP...");
      System.exit(2);
    }
    SimulatedHost host = new SimulatedHost(args[0], args[1], args[2], args[3]);
    int queues = Integer.parseInt(args[4]);
    List<Lease> peers = new ArrayList<>();
    for (int i = 5; i < args.length; i++) {
      String[] kv = args[i].split("=", 2);
      peers.add(SimulatedHost.lease(kv[0], kv[1], ""));
    }
    try (host) {
      UdpNetwork network = host.start(SimulatedHost.config(8285), peers, queues);
      System.out.println("ready " + network.deviceName() + " queues " + queues);
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        if (line.strip().equals("stats")) {
          System.out.println(stats(network.stats()));
          System.out.flush();
        }
      }
    }
  }

  private static String stats(UdpStats s) throws IOException {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long alloc = 0;
    long cpu = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("udp-")) {
        alloc += threads.getThreadAllocatedBytes(t.getId());
        cpu += threads.getThreadCpuTime(t.getId());
      }
    }
    long gcs =
        ManagementFactory.getGarbageCollectorMXBeans().stream()
            .mapToLong(g -> Math.max(0, g.getCollectionCount()))
            .sum();
    // utime + stime of the whole process, in clock ticks (USER_HZ = 100 on Linux)
    String[] stat = Files.readString(Path.of("/proc/self/stat")).split("\\) ", 2)[1].split(" ");
    long ticks = Long.parseLong(stat[11]) + Long.parseLong(stat[12]);
    return String.format(
        "sent %d %d received %d %d unknown %d oversize %d malformed %d noroute %d ttl %d"
            + " senderr %d tunerr %d loop_cpu_ns %d loop_alloc_bytes %d process_ticks %d gcs %d",
        s.sentPackets(),
        s.sentBytes(),
        s.receivedPackets(),
        s.receivedBytes(),
        s.droppedUnknownSource(),
        s.droppedOversize(),
        s.droppedMalformed(),
        s.droppedNoRoute(),
        s.droppedTtl(),
        s.sendErrors(),
        s.tunWriteErrors(),
        cpu,
        alloc,
        ticks,
        gcs);
  }
}
