package io.jflannel.e2e;

import static org.awaitility.Awaitility.await;

import io.jflannel.netlink.testing.Sh;
import io.jflannel.netlink.testing.TestNetns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated flannel cluster on this machine: a switch namespace ({@link Lan}) with the control
 * plane ({@link ControlPlane}: a real etcd, or the mock Kubernetes API server in kube mode), and N
 * {@link Host}s each running the packaged {@code flanneld} with one pod behind its {@code cni0}.
 * Everything lives in namespaces named {@code jfl-<role>-<sfx>} with one random suffix per cluster;
 * the root namespace is never touched.
 *
 * <p>{@link #close} tears everything down even after failures, processes first (daemons, then the
 * control plane), then namespaces, then the temporary tree, after copying every log to {@code
 * -De2e.logs} (the module's {@code target/e2e-logs}). A JVM shutdown hook closes a cluster a test
 * run abandons (failsafe timeout, Ctrl-C).
 *
 * <p>Not thread-safe: one test thread drives a cluster.
 */
final class Cluster implements AutoCloseable {
  static final int RESYNC_SECONDS = 2;
  static final int HEALTHZ_PORT = 8081;
  static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  static final Duration CONVERGE_TIMEOUT = Duration.ofSeconds(30);
  private static final Logger log = LoggerFactory.getLogger(Cluster.class);

  /**
   * Starts the control plane of a cluster, in the switch namespace, keeping its files in {@code
   * dir}.
   */
  @FunctionalInterface
  interface ControlPlaneFactory {
    ControlPlane start(Lan lan, Path dir);
  }

  private final String name;
  private final String suffix = TestNetns.suffix();
  private final Backend backend;
  private final Stack stack;
  private List<String> extraFlags = List.of();
  private Path flanneld;
  private final WorkDir workDir;
  private final List<Host> hosts = new ArrayList<>();
  private final List<Daemon> daemons = new ArrayList<>();
  private final List<TestNetns> namespaces = new ArrayList<>();
  private final List<Runnable> closeSteps = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::close, "jfl-e2e-cluster-close");
  private Lan lan;
  private ControlPlane controlPlane;
  private int nextIndex = 1;
  private boolean closed;

  private Cluster(String name, Backend backend, Stack stack) {
    this.name = name;
    this.backend = backend;
    this.stack = stack;
    this.workDir = new WorkDir(name + "-" + suffix);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * A cluster of {@code hostCount} hosts in etcd mode whose network config selects {@code backend};
   * returns once every daemon is ready, every pod is plugged and every host holds every peer.
   */
  static Cluster withEtcd(String name, Backend backend, int hostCount) {
    return withEtcd(name, backend, hostCount, backend.netConf(), List.of());
  }

  /**
   * As {@link #withEtcd(String, Backend, int)}, with {@code netConf} as the network config and
   * {@code extraFlags} added to every daemon's flags ({@link #daemonFlags}).
   */
  static Cluster withEtcd(
      String name, Backend backend, int hostCount, String netConf, List<String> extraFlags) {
    return start(
        name,
        backend,
        Stack.IPV4,
        hostCount,
        (lan, dir) -> EtcdServer.start(lan.ns(), dir),
        netConf,
        extraFlags);
  }

  /**
   * A cluster of {@code hostCount} hosts in etcd mode running {@code stack} ({@link
   * Stack#netConf}), on a LAN that carries IPv6 when the stack needs it; returns once every daemon
   * is ready, every pod is plugged and every host holds every peer in every family.
   */
  static Cluster withEtcd(String name, Backend backend, Stack stack, int hostCount) {
    return start(
        name,
        backend,
        stack,
        hostCount,
        (lan, dir) -> EtcdServer.start(lan.ns(), dir),
        stack.netConf(backend),
        List.of());
  }

  /**
   * A cluster of {@code hostCount} hosts in kube mode (the mock API server, the DaemonSet's flags,
   * one registered Node per host) whose net-conf.json selects {@code backend}; returns once every
   * daemon is ready, every pod is plugged and every host holds every peer.
   */
  static Cluster withKube(String name, Backend backend, int hostCount) {
    return withKube(name, backend, hostCount, backend.netConf(), List.of());
  }

  /**
   * As {@link #withKube(String, Backend, int)}, with {@code netConf} as net-conf.json and {@code
   * extraFlags} added to every daemon's flags ({@link #daemonFlags}).
   */
  static Cluster withKube(
      String name, Backend backend, int hostCount, String netConf, List<String> extraFlags) {
    return start(name, backend, Stack.IPV4, hostCount, KubeApiServer::start, netConf, extraFlags);
  }

  /**
   * A cluster of {@code hostCount} hosts in kube mode running {@code stack}: each Node registered
   * with a pod CIDR of each family the stack has ({@link KubeApiServer#podCidrs}); returns once
   * every daemon is ready, every pod is plugged and every host holds every peer in every family.
   */
  static Cluster withKube(String name, Backend backend, Stack stack, int hostCount) {
    return start(
        name,
        backend,
        stack,
        hostCount,
        (lan, dir) -> KubeApiServer.start(lan, dir, stack),
        stack.netConf(backend),
        List.of());
  }

  /**
   * A cluster of {@code hostCount} hosts in kube mode on a real Kubernetes API server ({@link
   * RealKubeApiServer}: etcd and kube-apiserver, RBAC from the manifest, the ServiceAccount's
   * token) running {@code stack}; returns once every daemon is ready, every pod is plugged and
   * every host holds every peer in every family.
   */
  static Cluster withRealKube(String name, Backend backend, Stack stack, int hostCount) {
    return start(
        name,
        backend,
        stack,
        hostCount,
        (lan, dir) -> RealKubeApiServer.start(lan, dir, stack),
        stack.netConf(backend),
        List.of());
  }

  private static Cluster start(
      String name,
      Backend backend,
      Stack stack,
      int hostCount,
      ControlPlaneFactory factory,
      String netConf,
      List<String> extraFlags) {
    Cluster c = new Cluster(name, backend, stack);
    c.extraFlags = List.copyOf(extraFlags);
    try {
      long t0 = System.nanoTime();
      c.startControlPlane(factory);
      log.info(
          "{}: switch and {} up in {} ms",
          c,
          c.controlPlane.getClass().getSimpleName(),
          (System.nanoTime() - t0) / 1_000_000);
      c.controlPlane.writeNetworkConfig(netConf);
      List<Host> hosts = new ArrayList<>();
      for (int i = 0; i < hostCount; i++) {
        hosts.add(c.addHost());
      }
      c.startAll(hosts);
      c.awaitConverged();
      log.info(
          "cluster {} ({} hosts, {}, {}) up in {} ms",
          c,
          hostCount,
          backend.type(),
          stack,
          (System.nanoTime() - t0) / 1_000_000);
      return c;
    } catch (RuntimeException | Error e) {
      c.close();
      throw e;
    }
  }

  /**
   * A cluster with an etcd and {@code hostCount} hosts but no network config and no daemon running:
   * for scenarios that start the daemon themselves and expect it to fail.
   */
  static Cluster bareEtcd(String name, int hostCount) {
    return bareEtcd(name, hostCount, Stack.IPV4);
  }

  /** As {@link #bareEtcd(String, int)}, on a LAN carrying what {@code stack} needs. */
  static Cluster bareEtcd(String name, int hostCount, Stack stack) {
    Cluster c = new Cluster(name, null, stack);
    try {
      c.startControlPlane((lan, dir) -> EtcdServer.start(lan.ns(), dir));
      for (int i = 0; i < hostCount; i++) {
        c.addHost();
      }
      return c;
    } catch (RuntimeException | Error e) {
      c.close();
      throw e;
    }
  }

  private void startControlPlane(ControlPlaneFactory factory) {
    lan = Lan.create(suffix, stack.v6());
    controlPlane = factory.start(lan, workDir.root());
  }

  /** The packaged daemon's launcher, from {@code -Dflanneld}; checked on first use. */
  private Path flanneld() {
    if (flanneld != null) {
      return flanneld;
    }
    String p = System.getProperty("flanneld");
    if (p == null) {
      throw new IllegalStateException(
          "-Dflanneld=<path to the packaged daemon's bin/flanneld> is not set (src-test's pom sets it for failsafe)");
    }
    Path path = Path.of(p).toAbsolutePath().normalize();
    if (!Files.isExecutable(path)) {
      throw new IllegalStateException(
          "no packaged daemon at " + path + ": build it with mvn -pl daemon package");
    }
    flanneld = path;
    return path;
  }

  /** The random suffix of every namespace of this cluster. */
  String suffix() {
    return suffix;
  }

  Backend backend() {
    return backend;
  }

  Stack stack() {
    return stack;
  }

  List<Host> hosts() {
    return List.copyOf(hosts);
  }

  Host host(int index) {
    return hosts.stream().filter(h -> h.index() == index).findFirst().orElseThrow();
  }

  ControlPlane controlPlane() {
    return controlPlane;
  }

  /** The etcd of an etcd-mode cluster. */
  EtcdServer etcd() {
    if (controlPlane instanceof EtcdServer etcd) {
      return etcd;
    }
    throw new IllegalStateException(this + " has no etcd");
  }

  /** The real API server of a kube-mode cluster made by {@link #withRealKube}. */
  RealKubeApiServer realKube() {
    if (controlPlane instanceof RealKubeApiServer kube) {
      return kube;
    }
    throw new IllegalStateException(this + " has no real Kubernetes API server");
  }

  /** The (mock or real) API server of a kube-mode cluster. */
  KubeApiServer kube() {
    if (controlPlane instanceof KubeApiServer kube) {
      return kube;
    }
    throw new IllegalStateException(this + " has no Kubernetes API server");
  }

  /**
   * A new host cabled to the switch, with its pod namespace, made known to the control plane
   * ({@link ControlPlane#hostAdded}); no daemon yet.
   */
  Host addHost() {
    int i = nextIndex++;
    TestNetns ns = track(TestNetns.createNamed("jfl-h" + i + "-" + suffix));
    TestNetns pod = track(TestNetns.createNamed("jfl-p" + i + "-" + suffix));
    Sh.run("ip", "netns", "exec", ns.name(), "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
    if (lan.ipv6()) {
      Sh.run(
          "ip", "netns", "exec", ns.name(), "sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1");
    }
    lan.plug(ns, "h" + i, Lan.hostAddress(i), lan.ipv6() ? Lan.hostAddress6(i) : null);
    Path dir = workDir.dir("h" + i);
    Host host = new Host(i, ns, pod, dir);
    hosts.add(host);
    controlPlane.hostAdded(host);
    return host;
  }

  /**
   * A namespace {@code jfl-x<i>-<sfx>} cabled to the switch with {@code 192.168.100.(200+i)}/24 and
   * nothing else: no daemon, no lease, no pod. A stranger on the underlay (scenarios that send
   * traffic flannel must refuse). Deleted with the cluster.
   */
  TestNetns addOutsider(int i) {
    TestNetns ns = track(TestNetns.createNamed("jfl-x" + i + "-" + suffix));
    lan.plug(ns, "x" + i, "192.168.100." + (200 + i), null);
    return ns;
  }

  private TestNetns track(TestNetns ns) {
    namespaces.add(ns);
    return ns;
  }

  /**
   * The flags every host's daemon runs with: {@code --iface eth0}, the control plane's, {@code
   * --subnet-file}, {@code --resync-period 2}, health on 127.0.0.1:8081 of the host, {@code -v 1},
   * then the cluster's extra flags.
   */
  List<String> daemonFlags(Host host) {
    List<String> flags = new ArrayList<>(List.of("--iface", "eth0"));
    flags.addAll(controlPlane.daemonFlags(host));
    flags.addAll(
        List.of(
            "--subnet-file", host.subnetFile().toString(),
            "--resync-period", Integer.toString(RESYNC_SECONDS),
            "--healthz-ip", "127.0.0.1",
            "--healthz-port", Integer.toString(HEALTHZ_PORT),
            "-v", "1"));
    flags.addAll(extraFlags);
    return flags;
  }

  /** Starts flanneld on {@code host} with exactly {@code flags} and returns at once. */
  Daemon launch(Host host, List<String> flags) {
    return launch(host, flags, Map.of());
  }

  /** As {@link #launch(Host, List)}, with {@code extraEnv} added to the daemon's environment. */
  Daemon launch(Host host, List<String> flags, Map<String, String> extraEnv) {
    Map<String, String> env = new HashMap<>(controlPlane.daemonEnv(host));
    env.putAll(extraEnv);
    List<String> wrapper = List.of();
    if (backend == Backend.WIREGUARD) {
      env.put("WIREGUARD_KEY_FILE", Wireguard.keyFile(host).toString());
      wrapper = Wireguard.wrapper(host);
    }
    Daemon d = Daemon.start(wrapper, flanneld(), host.ns(), host.name(), flags, env, host.log());
    daemons.add(d);
    host.daemon(d);
    return d;
  }

  /**
   * Runs {@code cmd} as {@code host}'s daemon ({@link Daemon#command}; e.g. the image, run by
   * podman) and returns at once; ended with the cluster as every daemon is.
   */
  Daemon launchCommand(Host host, List<String> cmd) {
    Daemon d = Daemon.command(cmd, host.name(), host.log());
    daemons.add(d);
    host.daemon(d);
    return d;
  }

  /**
   * Runs {@code step} first when the cluster closes, before its daemons are killed (e.g. {@code
   * podman rm -f} of a container, which killing the podman client would leave running).
   */
  void onClose(Runnable step) {
    closeSteps.add(step);
  }

  /**
   * {@code flanneld diagnose --json} in {@code host}'s namespace with the flags its daemon runs
   * with and {@code extraFlags} (which win); the report is the output's one JSON line.
   */
  Diagnosis diagnose(Host host, List<String> extraFlags) {
    return Diagnosis.parse(host, runDiagnose(host, extraFlags));
  }

  /**
   * {@code flanneld diagnose --json} on {@code host} as {@link #diagnose} runs it, its outcome
   * unparsed ({@code --json=false} among {@code extraFlags} prints the table instead).
   */
  Sh.Out runDiagnose(Host host, List<String> extraFlags) {
    List<String> cmd =
        new ArrayList<>(
            List.of("ip", "netns", "exec", host.ns().name(), flanneld().toString(), "diagnose"));
    cmd.add("--json");
    cmd.addAll(daemonFlags(host));
    cmd.addAll(extraFlags);
    List<String> env = new ArrayList<>(List.of("env"));
    controlPlane.daemonEnv(host).forEach((k, v) -> env.add(k + "=" + v));
    env.addAll(cmd);
    return Sh.exec(env.toArray(String[]::new));
  }

  /** Starts the daemon of {@code host} (again), waits until it is ready, plugs its pod if new. */
  Daemon start(Host host) {
    startAll(List.of(host));
    return host.daemon();
  }

  /** Starts the daemons of {@code group} together, then waits for each as {@link #start} does. */
  void startAll(List<Host> group) {
    group.forEach(h -> launch(h, daemonFlags(h)));
    for (Host h : group) {
      awaitReady(h);
      h.plugPod(h.lease());
    }
  }

  /**
   * Waits until {@code host}'s daemon has written subnet.env and answers 200 on /readyz; fails at
   * once, with the log tail, if the daemon exits meanwhile.
   */
  void awaitReady(Host host) {
    Daemon d = host.daemon();
    long t0 = System.nanoTime();
    try {
      await(d + " ready")
          .atMost(START_TIMEOUT)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                if (!d.isAlive()) {
                  throw new AssertionError(
                      d
                          + " exited "
                          + d.awaitExit(Duration.ofSeconds(1))
                          + " before becoming ready\n"
                          + d.logTail(40));
                }
                return host.subnetEnv().isPresent() && host.readyz() == 200;
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          d
              + " not ready within "
              + START_TIMEOUT.toSeconds()
              + " s (subnet.env "
              + (host.subnetEnv().isPresent() ? "written" : "missing")
              + ", /readyz "
              + host.readyz()
              + ")\n"
              + d.logTail(40),
          e);
    }
    log.info(
        "{} ready in {} ms, lease {}",
        d,
        (System.nanoTime() - t0) / 1_000_000,
        host.lease().lease());
  }

  /**
   * Kills the daemon of {@code host} if it runs and deletes the host's and its pod's namespaces.
   */
  void removeHost(Host host) {
    if (host.running()) {
      host.daemon().kill();
    }
    Wireguard.killWireguardGo(host);
    hosts.remove(host);
    host.podNs().close();
    host.ns().close();
    namespaces.remove(host.podNs());
    namespaces.remove(host.ns());
  }

  /** The leases {@code host} must have programmed: every lease but its own. */
  List<PeerLease> peersOf(Host host) {
    SubnetEnv own = host.lease();
    return controlPlane.leases().stream().filter(l -> !l.isOf(own)).toList();
  }

  /**
   * Asserts that {@code host} holds exactly one route (and, for vxlan, one neighbour and one FDB
   * entry) of upstream's shape per peer lease and family, and nothing else flannel-owned.
   */
  void assertPeersProgrammed(Host host) {
    ProgrammedPeers.assertExactly(backend, stack, host, peersOf(host));
  }

  /**
   * Waits until every host with a running daemon holds exactly its peers ({@link
   * #assertPeersProgrammed}).
   */
  void awaitConverged() {
    awaitConverged(CONVERGE_TIMEOUT);
  }

  void awaitConverged(Duration timeout) {
    long t0 = System.nanoTime();
    for (Host h : hosts) {
      if (!h.running()) {
        continue;
      }
      try {
        await(h.name() + " programs every peer")
            .atMost(timeout)
            .pollInterval(Duration.ofMillis(100))
            .untilAsserted(
                () -> {
                  if (!h.running()) { // not an AssertionError: stops the wait at once
                    throw new IllegalStateException(
                        h.daemon() + " exited while converging\n" + h.daemon().logTail(30));
                  }
                  assertPeersProgrammed(h);
                });
      } catch (ConditionTimeoutException e) {
        throw new AssertionError(e.getMessage() + "\n" + h.daemon().logTail(30), e);
      }
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    if (ms > 1000) {
      log.info("{} converged after {} ms", this, ms);
    }
  }

  /**
   * Every pod pings every other pod, in each family of the cluster's stack (the pods that have an
   * address of that family).
   */
  void assertPodsReachEachOther() {
    for (Family f : stack.families()) {
      assertPodsReachEachOther(f);
    }
  }

  /** Every pod with an address of {@code family} pings every other such pod over it. */
  void assertPodsReachEachOther(Family family) {
    List<Host> plugged = hosts.stream().filter(h -> family.podIp(h) != null).toList();
    if (backend == Backend.WIREGUARD) {
      // After a wireguard-go restart (new device, no sessions) its peers still hold the old
      // session and send with keys it no longer has, which it drops, until a new handshake: the
      // first round of pings can fail (wireguard-go's verbose log shows it). A lost initiation is
      // retried after 5 s (REKEY_TIMEOUT). So: every pair must get through within 20 s.
      long t0 = System.nanoTime();
      await("every pod reaches every other pod over WireGuard")
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(() -> Pings.assertMatrix(plugged, family));
      log.info("{}: ping matrix passed after {} ms", this, (System.nanoTime() - t0) / 1_000_000);
      return;
    }
    Pings.assertMatrix(plugged, family);
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    for (Runnable step : closeSteps) {
      quietly("run a close step", step);
    }
    for (Daemon d : daemons) {
      quietly(
          "stop " + d,
          () -> {
            if (d.isAlive()) {
              d.kill();
            }
          });
    }
    for (Host h : hosts) {
      quietly("stop the wireguard-go of " + h, () -> Wireguard.killWireguardGo(h));
    }
    if (controlPlane != null) {
      quietly("stop the control plane", controlPlane::close);
    }
    for (TestNetns ns : namespaces) {
      quietly("delete " + ns, ns::close);
    }
    if (lan != null) {
      quietly("delete the switch", lan::close);
    }
    quietly("delete " + workDir.root(), workDir::close);
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // closing from the hook itself
    }
  }

  /** Runs one teardown step; a failing step is logged and the next one still runs. */
  private static void quietly(String step, Runnable r) {
    try {
      r.run();
    } catch (RuntimeException | AssertionError e) {
      log.warn("teardown: cannot {}: {}", step, e.toString());
    }
  }

  @Override
  public String toString() {
    return name + "/" + suffix;
  }
}
