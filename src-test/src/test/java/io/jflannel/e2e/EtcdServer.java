package io.jflannel.e2e;

import static org.awaitility.Awaitility.await;

import io.jflannel.netlink.testing.Sh;
import io.jflannel.netlink.testing.TestNetns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real single-member etcd (v3 API) inside the switch namespace, listening for clients on {@value
 * #ENDPOINT}, and {@code etcdctl} run beside it to read and write keys the way an operator would.
 *
 * <p>The peer URL is on the switch namespace's own loopback, so no port of the machine is taken.
 * Data lives in a directory of the cluster's temporary tree. {@link #close} stops the process by
 * its PID (SIGTERM, then SIGKILL) and waits for it.
 */
final class EtcdServer implements ControlPlane {
  static final String ENDPOINT = "http://" + Lan.GATEWAY + ":2379";
  static final String PREFIX = "/coreos.com/network";
  static final String SUBNETS = PREFIX + "/subnets/";
  private static final Pattern LEASE_ID = Pattern.compile("\"lease\":(\\d+)");
  private static final Pattern GRANTED_TTL = Pattern.compile("granted with TTL\\((\\d+)s\\)");

  private final TestNetns ns;
  private volatile Process process;
  private final Path log;
  private final Path data;

  private EtcdServer(TestNetns ns, Process process, Path log, Path data) {
    this.ns = ns;
    this.process = process;
    this.log = log;
    this.data = data;
  }

  /** Starts etcd in {@code ns} with its log under {@code dir}; returns once it is healthy. */
  static EtcdServer start(TestNetns ns, Path dir) {
    Path log = dir.resolve("etcd.log");
    Path data = dataDir(dir);
    Process p;
    try {
      p = launch(ns, log, data);
    } catch (IOException e) {
      WorkDir.deleteTree(data);
      throw new UncheckedIOException("cannot start etcd (is etcd-server installed?)", e);
    }
    EtcdServer etcd = new EtcdServer(ns, p, log, data);
    try {
      etcd.awaitHealthy();
      return etcd;
    } catch (RuntimeException | Error e) {
      etcd.close();
      throw e;
    }
  }

  /**
   * Stops etcd (SIGTERM, by its PID) and keeps its data, as an outage would: clients get connection
   * refused until {@link #restart}.
   */
  void stop() {
    Processes.stop(process, Duration.ofSeconds(10));
  }

  /** Starts etcd again on the same data after {@link #stop}; returns once it is healthy. */
  void restart() {
    try {
      process = launch(ns, log, data);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start etcd again", e);
    }
    awaitHealthy();
  }

  private static Process launch(TestNetns ns, Path log, Path data) throws IOException {
    List<String> cmd =
        List.of(
            "ip",
            "netns",
            "exec",
            ns.name(),
            "etcd",
            "--name",
            "jfl-e2e",
            "--data-dir",
            data.toString(),
            "--listen-client-urls",
            ENDPOINT,
            "--advertise-client-urls",
            ENDPOINT,
            "--listen-peer-urls",
            "http://127.0.0.1:2380",
            "--initial-advertise-peer-urls",
            "http://127.0.0.1:2380",
            "--initial-cluster",
            "jfl-e2e=http://127.0.0.1:2380",
            "--initial-cluster-state",
            "new");
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(Redirect.appendTo(log.toFile()))
            .start();
    p.getOutputStream().close();
    return p;
  }

  private void awaitHealthy() {
    Process p = process;
    await("etcd healthy at " + ENDPOINT)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              if (!p.isAlive()) {
                throw new IllegalStateException("etcd exited " + p.exitValue() + ":\n" + logTail());
              }
              return etcdctl("endpoint", "health").exit() == 0;
            });
  }

  /**
   * etcd fsyncs every write: on a busy disk a lease write can take seconds, so its data goes to
   * tmpfs ({@code /dev/shm}) when there is one, else under {@code dir}. Deleted by {@link #close}.
   */
  private static Path dataDir(Path dir) {
    Path shm = Path.of("/dev/shm");
    try {
      if (Files.isDirectory(shm) && Files.isWritable(shm)) {
        return Files.createTempDirectory(shm, "jfl-e2e-etcd-");
      }
      return Files.createDirectories(dir.resolve("etcd-data"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code etcdctl <args>} (v3 API) against this etcd, from inside the switch namespace. */
  Sh.Out etcdctl(String... args) {
    List<String> cmd =
        new ArrayList<>(List.of("env", "ETCDCTL_API=3", "etcdctl", "--endpoints", ENDPOINT));
    cmd.addAll(List.of(args));
    return ns.exec(cmd.toArray(String[]::new));
  }

  private String etcdctlOk(String... args) {
    Sh.Out o = etcdctl(args);
    if (o.exit() != 0) {
      throw new IllegalStateException(
          "etcdctl " + String.join(" ", args) + " exited " + o.exit() + ": " + o.stderr().strip());
    }
    return o.stdout();
  }

  void put(String key, String value) {
    etcdctlOk("put", key, value);
  }

  void delete(String key) {
    etcdctlOk("del", key);
  }

  /** Every key under {@code prefix} with its value, in key order. */
  Map<String, String> getPrefix(String prefix) {
    List<String> lines = etcdctlOk("get", "--prefix", prefix).lines().toList();
    Map<String, String> kv = new LinkedHashMap<>();
    for (int i = 0; i + 1 < lines.size(); i += 2) {
      kv.put(lines.get(i), lines.get(i + 1));
    }
    return kv;
  }

  /** The granted TTL in seconds of the etcd lease {@code key} is attached to; 0 if none. */
  long grantedTtl(String key) {
    Matcher id = LEASE_ID.matcher(etcdctlOk("get", key, "-w", "json"));
    if (!id.find() || id.group(1).equals("0")) {
      return 0;
    }
    String out = etcdctlOk("lease", "timetolive", Long.toHexString(Long.parseLong(id.group(1))));
    Matcher ttl = GRANTED_TTL.matcher(out);
    if (!ttl.find()) {
      throw new IllegalStateException("unexpected etcdctl lease timetolive output: " + out);
    }
    return Long.parseLong(ttl.group(1));
  }

  /** {@code /coreos.com/network/subnets/10.244.3.0-24} → {@code 10.244.3.0/24}. */
  static String subnetOfKey(String key) {
    return subnetsOfKey(key)[0];
  }

  /**
   * The IPv4 and IPv6 subnets a lease key names, each null if it names none: upstream's {@code
   * 10.244.3.0-24}, dual-stack {@code 10.244.3.0-24&fd10:0:0:3::-64}, IPv6 only {@code
   * 0.0.0.0-0&fd10:0:0:3::-64} (the empty IPv4 subnet upstream writes).
   */
  static String[] subnetsOfKey(String key) {
    String name = key.substring(SUBNETS.length());
    int amp = name.indexOf('&');
    String v4 = (amp < 0 ? name : name.substring(0, amp)).replace('-', '/');
    String v6 = amp < 0 ? null : name.substring(amp + 1).replace('-', '/');
    return new String[] {v4.equals("0.0.0.0/0") ? null : v4, v6};
  }

  /** {@code 10.244.3.0/24} → {@code /coreos.com/network/subnets/10.244.3.0-24}. */
  static String keyOfSubnet(String subnet) {
    return SUBNETS + subnet.replace('/', '-');
  }

  /**
   * The key of a lease with IPv4 subnet {@code subnet} and IPv6 subnet {@code subnet6} (either may
   * be null), as upstream's MakeSubnetKey names it; see {@link #subnetsOfKey}.
   */
  static String keyOf(String subnet, String subnet6) {
    String v4 = (subnet == null ? "0.0.0.0/0" : subnet).replace('/', '-');
    return SUBNETS + (subnet6 == null ? v4 : v4 + "&" + subnet6.replace('/', '-'));
  }

  /** The key of the lease of the node whose subnet.env is {@code env}. */
  static String keyOf(SubnetEnv env) {
    return keyOf(env.lease(), env.lease6());
  }

  @Override
  public List<String> daemonFlags(Host host) {
    return List.of("--etcd-endpoints", ENDPOINT);
  }

  @Override
  public void writeNetworkConfig(String netConf) {
    put(PREFIX + "/config", netConf);
  }

  @Override
  public List<PeerLease> leases() {
    List<PeerLease> leases = new ArrayList<>();
    getPrefix(SUBNETS)
        .forEach(
            (key, value) -> {
              String[] subnets = subnetsOfKey(key);
              PeerLease lease = PeerLease.parse(subnets[0], subnets[1], value);
              if (lease != null) {
                leases.add(lease);
              }
            });
    return leases;
  }

  @Override
  public Path log() {
    return log;
  }

  String logTail() {
    return Processes.tail(log, 20);
  }

  @Override
  public void close() {
    Processes.stop(process, Duration.ofSeconds(10));
    WorkDir.deleteTree(data);
  }
}
