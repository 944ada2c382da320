package io.jflannel.daemon.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The daemon benchmarks of {@code BENCHMARKS.md}: the packaged flanneld against a real etcd in
 * network namespaces, measured from outside the daemon. Modes:
 *
 * <ul>
 *   <li>{@code converge} ({@link Convergence}): time from process start until every peer of N
 *       leases already in etcd is programmed, beside {@code ip -batch} programming the same
 *       objects;
 *   <li>{@code events} ({@link EventLatency}): time from an etcd put's return to the new peer's
 *       route in the kernel;
 *   <li>{@code reconcile} ({@link ReconcileCost}): CPU time of one periodic reconcile pass with
 *       nothing to repair;
 *   <li>{@code start} ({@link StartBench}): issue 17's start-up and footprint measure per case, as
 *       CSV (run by {@code scripts/bench-start}).
 * </ul>
 *
 * <p>Run by {@code scripts/bench-daemon} as root, inside the switch namespace it made (so etcd on
 * the bridge is reachable); the harness creates and deletes its host namespaces itself. Not a test:
 * its name does not end in Test or IT, so the test runners never pick it up. Usage: {@code
 * DaemonBench --mode=converge|events|reconcile|start --prefix=NS --switch=NS --bridge=br0
 * --etcd=http://192.168.0.1:2379 --flanneld=PATH --work=DIR [--cp=CLASSPATH] [mode options]}, mode
 * options in each class ({@code --cp}: the class path for {@link BackendOnly}, default this JVM's).
 */
public final class DaemonBench {
  private DaemonBench() {}

  /** What every mode needs: where things are, and the etcd client. */
  record Context(
      Hosts hosts, String etcdUrl, String flanneld, Path work, EtcdSeeder etcd, String classpath) {
    /** The daemon's command line, as flannel's DaemonSet runs it (plus {@code extra}). */
    List<String> daemonArgs(String hostNs, List<String> extra) {
      List<String> a = new ArrayList<>();
      a.add("--iface=eth0");
      a.add("--etcd-endpoints=" + etcdUrl);
      a.add("--subnet-file=" + work.resolve(hostNs + ".env"));
      a.add("--ip-masq");
      a.addAll(extra);
      return a;
    }

    /** {@code {"Network":"10.0.0.0/8","SubnetLen":24,"Backend":{...}}}. */
    static String config(String backend, boolean nexthops) {
      return config(backend, nexthops, false);
    }

    /** As {@link #config(String, boolean)}; dual-stack adds {@code IPv6Network fd10::/48}. */
    static String config(String backend, boolean nexthops, boolean dualStack) {
      return "{\"Network\":\"10.0.0.0/8\",\"SubnetLen\":24,"
          + (dualStack ? "\"EnableIPv6\":true,\"IPv6Network\":\"fd10::/48\"," : "")
          + "\"Backend\":{\"Type\":\""
          + backend
          + "\""
          + (nexthops ? ",\"NexthopRoutes\":true" : "")
          + "}}";
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new HashMap<>();
    for (String a : args) {
      if (!a.startsWith("--") || !a.contains("=")) {
        throw new IllegalArgumentException("expected --name=value, got " + a);
      }
      opt.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
    }
    Path work = Path.of(need(opt, "work"));
    Files.createDirectories(work);
    try (EtcdSeeder etcd = new EtcdSeeder(need(opt, "etcd"))) {
      Context ctx =
          new Context(
              new Hosts(
                  need(opt, "prefix"), need(opt, "switch"), opt.getOrDefault("bridge", "br0")),
              need(opt, "etcd"),
              need(opt, "flanneld"),
              work,
              etcd,
              opt.getOrDefault("cp", System.getProperty("java.class.path")));
      switch (need(opt, "mode")) {
        case "converge" -> Convergence.run(ctx, opt);
        case "events" -> EventLatency.run(ctx, opt);
        case "reconcile" -> ReconcileCost.run(ctx, opt);
        case "start" -> StartBench.run(ctx, opt);
        default -> throw new IllegalArgumentException("unknown --mode " + opt.get("mode"));
      }
    }
    System.exit(0); // jetcd leaves non-daemon threads behind
  }

  static String need(Map<String, String> opt, String name) {
    String v = opt.get(name);
    if (v == null) {
      throw new IllegalArgumentException("missing --" + name + "=...");
    }
    return v;
  }

  /** Peers 1..n. */
  static List<Peer> peers(int n) {
    return peers(n, false);
  }

  /** Peers 1..n, dual-stack or not. */
  static List<Peer> peers(int n, boolean dualStack) {
    List<Peer> out = new ArrayList<>(n);
    for (int k = 1; k <= n; k++) {
      out.add(new Peer(k, dualStack));
    }
    return out;
  }
}
