package io.jflannel.backend.wireguard;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.jflannel.backend.common.NetlinkKernel;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.netlink.Link;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * scripts/bench-wireguard's reconcile part: the wireguard backend in this JVM, inside the network
 * namespace it is started in (with a private {@code /run/wireguard}), on the userspace path
 * (wireguard-go started by the backend), with N peer leases of fresh keys. Prints the time of the
 * first reconcile (writes N peers), then of {@code passes} reconciles with nothing to repair (each
 * reads the device and compares), their CPU in this JVM and in wireguard-go, one event that moves a
 * peer, and one reconcile that repairs 10 peers removed by hand.
 *
 * <p>Usage: {@code WgReconcileBench <iface> <keyfile> <n> <passes>}.
 */
public final class WgReconcileBench {
  private WgReconcileBench() {}

  public static void main(String[] args) throws Exception {
    String ifname = args[0];
    Path keyFile = Path.of(args[1]);
    int n = Integer.parseInt(args[2]);
    int passes = Integer.parseInt(args[3]);
    NetlinkKernel kernel = NetlinkKernel.open();
    Link eth = kernel.findLink(ifname).orElseThrow();
    Ip4 ip = Ip4.parse("192.168.0.2");
    ExternalInterface iface =
        new ExternalInterface(ifname, eth.index(), eth.mtu(), ip, null, ip, null);
    NetworkConfig config =
        NetworkConfig.parse("{\"Network\":\"10.0.0.0/8\",\"Backend\":{\"Type\":\"wireguard\"}}");
    WgDevices devices =
        new WgDevices(
            kernel,
            GenlWgDevice::open,
            WireguardGo.find(System.getenv("PATH")),
            UapiWgDevice.SOCKET_DIR);
    WireguardBackend backend =
        new WireguardBackend(
            config, WgOptions.parse(config.backend()), iface, kernel, devices, keyFile);
    LeaseAttrs own = backend.prepare(null);
    WireguardNetwork net =
        (WireguardNetwork)
            backend.register(new Lease(Ip4Net.parse("10.0.0.0/24"), null, own, null, 0));
    List<Lease> peers = new ArrayList<>(n);
    for (int i = 1; i <= n; i++) {
      peers.add(lease(i, "192.168." + (1 + i / 250) + "." + (1 + i % 250)));
    }
    long go = wireguardGoPid();
    System.out.printf(Locale.ROOT, "wireguard-go pid %d, %d peers%n", go, n);

    long t0 = System.nanoTime();
    net.reconcile(peers);
    System.out.printf(
        Locale.ROOT,
        "first reconcile (writes %d peers): %.1f ms%n",
        n,
        (System.nanoTime() - t0) / 1e6);

    for (int i = 0; i < 5; i++) { // warm-up: let the JIT compile the pass
      net.reconcile(peers);
    }
    long writes = net.writes();
    double[] wall = new double[passes];
    long cpu0 = cpuNanos();
    long goCpu0 = procCpuMillis(go);
    for (int i = 0; i < passes; i++) {
      long s = System.nanoTime();
      net.reconcile(peers);
      wall[i] = (System.nanoTime() - s) / 1e6;
    }
    long cpu = cpuNanos() - cpu0;
    long goCpu = procCpuMillis(go) - goCpu0;
    Arrays.sort(wall);
    System.out.printf(
        Locale.ROOT,
        "reconcile with nothing to repair, %d passes: median %.1f ms, p90 %.1f ms; per pass CPU"
            + " %.1f ms in flanneld's JVM, %.1f ms in wireguard-go; writes %d%n",
        passes,
        wall[passes / 2],
        wall[(int) (passes * 0.9)],
        cpu / 1e6 / passes,
        goCpu / (double) passes,
        net.writes() - writes);

    WgDevice device = net.links().get(0).device();
    long rc0 = cpuNanos();
    long rs = System.nanoTime();
    for (int i = 0; i < passes; i++) {
      device.read();
    }
    System.out.printf(
        Locale.ROOT,
        "of which reading the device (UAPI get=1 and parsing, %d peers): %.1f ms, %.1f ms CPU in"
            + " the JVM%n",
        n,
        (System.nanoTime() - rs) / 1e6 / passes,
        (cpuNanos() - rc0) / 1e6 / passes);

    Lease moved = lease(1, "192.168.250.250");
    long e0 = System.nanoTime();
    net.handle(List.of(new LeaseEvent.Added(moved)));
    System.out.printf(
        Locale.ROOT,
        "one event (a peer's endpoint changes): %.2f ms%n",
        (System.nanoTime() - e0) / 1e6);
    peers.set(0, moved);

    WgDevice dev = net.links().get(0).device();
    List<WgKey> removed = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      removed.add(dev.read().peers().get(i * 7).publicKey());
    }
    dev.write(WgUpdate.peers(removed, List.of()));
    long r0 = System.nanoTime();
    long w0 = net.writes();
    net.reconcile(peers);
    System.out.printf(
        Locale.ROOT,
        "reconcile repairing 10 peers removed by hand: %.1f ms, %d" + " writes%n",
        (System.nanoTime() - r0) / 1e6,
        net.writes() - w0);
    net.close();
  }

  private static Lease lease(int i, String publicIp) {
    WgKey pub = X25519.publicOf(X25519.generatePrivate());
    return new Lease(
        Ip4Net.parse("10." + (i / 256) + "." + (i % 256) + ".0/24"),
        null,
        new LeaseAttrs(
            Ip4.parse(publicIp),
            null,
            "wireguard",
            JsonNodeFactory.instance.objectNode().put("PublicKey", pub.base64()),
            null),
        null,
        0);
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static long wireguardGoPid() {
    Optional<ProcessHandle> p =
        ProcessHandle.current()
            .children()
            .filter(c -> c.info().command().orElse("").endsWith("wireguard-go"))
            .findFirst();
    return p.map(ProcessHandle::pid).orElse(-1L);
  }

  /** utime + stime of {@code pid} in milliseconds (from /proc, clock ticks of 10 ms). */
  private static long procCpuMillis(long pid) throws Exception {
    if (pid < 0) {
      return 0;
    }
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
  }
}
