package io.jflannel.daemon.bench;

import io.jflannel.core.backend.Backend;
import io.jflannel.core.backend.BackendFactory;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.backend.Network;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.Netlink;
import java.util.ArrayList;
import java.util.List;

/**
 * The backend alone, without etcd: in a fresh JVM inside a host namespace, creates the backend as
 * the daemon does (factory, prepare, register), builds N peer leases from the same JSON etcd would
 * hold, and hands them to {@link Network#handle} in one batch, which is what the daemon's lease
 * dispatcher delivers when the whole listing is queued before its first take. Prints the time of
 * each step on one line ({@code backend-only: ...}).
 *
 * <p>It exists because the daemon cannot list 50,000 leases from etcd (the listing exceeds the gRPC
 * client's 4 MiB message limit): it shows what the programming path itself costs at that size.
 * Started by {@link Convergence} as {@code ip netns exec <host> java ... BackendOnly <backend> <n>
 * <nexthops>}, with the daemon's JVM flags; not a test.
 */
public final class BackendOnly {
  private BackendOnly() {}

  public static void main(String[] args) throws Exception {
    String backend = args[0];
    int n = Integer.parseInt(args[1]);
    boolean nexthops = Boolean.parseBoolean(args[2]);
    long t0 = System.nanoTime();
    NetworkConfig config = NetworkConfig.parse(DaemonBench.Context.config(backend, nexthops));
    ExternalInterface iface;
    try (Netlink nl = Netlink.open()) {
      Link eth0 = nl.links().get("eth0");
      Ip4 ip = Ip4.parse(Hosts.HOST_IP);
      iface = new ExternalInterface("eth0", eth0.index(), eth0.mtu(), ip, null, ip, null);
    }
    Backend b = BackendFactory.find(backend).orElseThrow().create(config, iface);
    LeaseAttrs attrs = b.prepare(null);
    Lease own = new Lease(Ip4Net.parse("10.255.254.0/24"), null, attrs, null, 0);
    long t1 = System.nanoTime();
    List<LeaseEvent> events = new ArrayList<>(n);
    for (int k = 1; k <= n; k++) {
      Peer p = new Peer(k);
      events.add(
          new LeaseEvent.Added(
              new Lease(
                  Ip4Net.parse(p.subnet()), null, LeaseAttrs.fromJson(p.json(backend)), null, 1)));
    }
    long t2 = System.nanoTime();
    try (Network net = b.register(own)) {
      long t3 = System.nanoTime();
      net.handle(events);
      long t4 = System.nanoTime();
      System.out.printf(
          "backend-only: setup %.0f ms, %d leases built in %.0f ms, register %.0f ms,"
              + " handle %.0f ms%n",
          (t1 - t0) / 1e6, n, (t2 - t1) / 1e6, (t3 - t2) / 1e6, (t4 - t3) / 1e6);
    }
  }
}
