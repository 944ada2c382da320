package io.jflannel.daemon;

import io.jflannel.backend.common.NetlinkKernel;
import io.jflannel.core.backend.Backend;
import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.BackendFactory;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.backend.Network;
import io.jflannel.core.config.ConfigException;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.subnet.NodeRecord;
import io.jflannel.core.subnet.SubnetException;
import io.jflannel.core.subnet.SubnetManager;
import io.jflannel.daemon.health.DaemonHealth;
import io.jflannel.daemon.iface.InterfaceCriteria;
import io.jflannel.daemon.iface.InterfaceSelectionException;
import io.jflannel.daemon.iface.InterfaceSelector;
import io.jflannel.daemon.metrics.Metrics;
import io.jflannel.daemon.run.HeapGuard;
import io.jflannel.daemon.run.HostChecks;
import io.jflannel.daemon.run.LeaseFeed;
import io.jflannel.daemon.run.ManagerFactory;
import io.jflannel.daemon.run.Managers;
import io.jflannel.daemon.run.Periodic;
import io.jflannel.daemon.run.Signals;
import io.jflannel.daemon.run.StartupException;
import io.jflannel.daemon.traffic.BlackholeRoutes;
import io.jflannel.daemon.traffic.HostRules;
import io.jflannel.daemon.traffic.TrafficRules;
import io.jflannel.daemon.traffic.TrafficRulesException;
import io.jflannel.netlink.Netlink;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.subnet.SubnetEnv;
import io.jflannel.subnet.SubnetFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * flanneld's life: brings this node into the overlay and keeps it there until a signal.
 *
 * <p>Order, as upstream's, one method per step of {@link #start}: health server → subnet manager →
 * network config (retried every second until it exists) → host checks → what the store kept of this
 * node → external interface → backend device → lease → local setup → traffic rules → subnet.env
 * (systemd: {@code READY=1}) → lease watch and periodic reconcile ({@code /readyz} turns 200 after
 * the first pass that programs the whole peer set; see {@code health.HealthState}) → backend loop →
 * complete lease (kube: node condition; etcd: renewals) → wait. The daemon never reads backend
 * data: what the store kept goes to the backend as it is. SIGTERM/SIGINT stop watchers and threads
 * and return 0, leaving every kernel object, rule, file and lease in place so a restarted daemon
 * takes over without touching traffic. A start-up failure returns 1 after one clear line; a lost
 * lease (etcd: key deleted) returns 1 too, as upstream shuts down then.
 *
 * <p>Owns everything it starts; {@link #run} is called once, from {@code Main}.
 */
public final class Daemon {
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);

  private final FlannelOptions options;
  private final ManagerFactory managers;
  private final CountDownLatch stop = new CountDownLatch(1);
  private volatile Thread starting; // the thread in start(), interrupted by a stop request
  private final AtomicInteger exitCode = new AtomicInteger(0);
  private final List<AutoCloseable> resources = Collections.synchronizedList(new ArrayList<>());

  public Daemon(FlannelOptions options) {
    this(options, Managers.forOptions(options));
  }

  Daemon(FlannelOptions options, ManagerFactory managers) {
    this.options = options;
    this.managers = managers;
  }

  /** Runs until a signal; returns the exit code. */
  public int run() throws Exception {
    starting = Thread.currentThread();
    Signals.onTermination(() -> requestStop(0));
    Exception failure = null;
    try {
      start();
    } catch (StartupException | InterruptedException | RuntimeException e) {
      failure = e;
    } finally {
      starting = null;
    }
    Thread.interrupted(); // a stop request interrupts the start; from here on nothing does
    if (failure != null) {
      // a stop request may surface as any of these, e.g. a client library's wrapping of the
      // interrupt
      if (stopRequested() || failure instanceof InterruptedException) {
        return stoppedDuringStartUp(failure);
      }
      if (failure instanceof RuntimeException r) {
        throw r;
      }
      log.error("{}", failure.getMessage());
      log.debug("start-up failure", failure);
      closeAll();
      return 1;
    }
    stop.await();
    log.info("exiting cleanly");
    closeAll();
    return exitCode.get();
  }

  private int stoppedDuringStartUp(Exception e) {
    log.info("stopped during start-up; exiting");
    log.debug("start-up interrupted by", e);
    closeAll();
    return exitCode.get();
  }

  private boolean stopRequested() {
    return stop.getCount() == 0;
  }

  /**
   * Asks the daemon to stop with {@code code}; the first request wins. During start-up (waiting for
   * the API server, etcd or a podCIDR) it interrupts the start so the process exits at once.
   */
  void requestStop(int code) {
    if (stop.getCount() > 0) {
      exitCode.compareAndSet(0, code);
      stop.countDown();
      Thread main = starting;
      if (main != null) {
        main.interrupt();
      }
    }
  }

  private <T extends AutoCloseable> T own(T resource) {
    resources.add(resource);
    return resource;
  }

  /** The lifecycle up to "running", in upstream's order; each step is one method below. */
  private void start() throws StartupException, InterruptedException {
    StartupWarmup.start(); // netlink and JSON classes, while connect() loads the store's client
    DaemonHealth health = serveHealth();
    Metrics metrics = Metrics.register(health.server());
    SubnetManager manager = connect();
    NetworkConfig config = networkConfig(manager);
    checkHost(config);
    NodeRecord record = nodeRecord(manager);
    ExternalInterface iface = externalInterface(config, record);
    BackendFactory factory = backendFactory(config);
    Backend backend = createBackend(factory, config, iface);
    Lease lease = acquireLease(manager, backend, record);
    health.leaseHeld(lease);
    Network network = own(metrics.instrument(factory.type(), register(backend, lease)));
    metrics.lease(manager, factory.type(), lease);
    writeSubnetEnv(config, lease, network, health);
    feedLeases(manager, network, metrics, health);
    runBackend(network);
    completeLease(manager, lease);
    own(health::stopping); // closed first: systemd hears STOPPING=1 before anything stops
    log.info(
        "running: lease {}, backend {}, mtu {}", lease.subnets(), factory.type(), network.mtu());
  }

  private DaemonHealth serveHealth() throws StartupException {
    try {
      return own(
          DaemonHealth.start(
              options.healthzIp(),
              options.healthzPort(),
              options.health().settings(options.resyncPeriod()),
              System.getenv()));
    } catch (IOException e) {
      throw new StartupException(e.getMessage(), e);
    }
  }

  private SubnetManager connect() throws StartupException, InterruptedException {
    try {
      return own(managers.connect());
    } catch (SubnetException e) {
      throw new StartupException(e.getMessage(), e);
    }
  }

  /** Checks the host can run this config (br_netfilter). */
  private void checkHost(NetworkConfig config) throws StartupException {
    log.info("network config: {} backend {}", config.network(), config.backendType());
    HostChecks.brNetfilter(config);
  }

  /** What the store kept of this node; nothing (with a warning) when it cannot be read now. */
  private NodeRecord nodeRecord(SubnetManager manager) throws InterruptedException {
    try {
      return manager.nodeRecord();
    } catch (SubnetException e) {
      log.warn("cannot read what the lease store kept of this node: {}", e.getMessage());
      return NodeRecord.EMPTY;
    }
  }

  private static BackendFactory backendFactory(NetworkConfig config) throws StartupException {
    return BackendFactory.find(config.backendType())
        .orElseThrow(
            () ->
                new StartupException(
                    "unknown backend type \""
                        + config.backendType()
                        + "\" in the net config; use one of: vxlan, host-gw, udp"));
  }

  private static Backend createBackend(
      BackendFactory factory, NetworkConfig config, ExternalInterface iface)
      throws StartupException {
    try {
      return factory.create(config, iface);
    } catch (BackendException e) {
      throw new StartupException(e.getMessage(), e);
    }
  }

  /**
   * The backend prepares its device (given what this node advertised before, unread), then the
   * store grants the lease that advertises it.
   */
  private static Lease acquireLease(SubnetManager manager, Backend backend, NodeRecord record)
      throws StartupException, InterruptedException {
    try {
      LeaseAttrs attrs = backend.prepare(record.previousAttrs());
      Lease lease = manager.acquireLease(attrs);
      log.info("acquired lease {}", lease.subnets());
      return lease;
    } catch (BackendException | SubnetException e) {
      throw new StartupException(e.getMessage(), e);
    }
  }

  private static Network register(Backend backend, Lease lease) throws StartupException {
    try {
      return backend.register(lease);
    } catch (BackendException e) {
      throw new StartupException(e.getMessage(), e);
    }
  }

  /** Traffic rules, then subnet.env for the CNI plugin (and systemd READY=1). */
  private void writeSubnetEnv(
      NetworkConfig config, Lease lease, Network network, DaemonHealth health)
      throws StartupException {
    SubnetFile file = new SubnetFile(Path.of(options.subnetFile()));
    SubnetEnv previous = file.read().orElse(null);
    SubnetEnv current = SubnetEnv.of(config, lease, network.mtu(), options.ipMasq());
    hostRules(config, lease, current, previous);
    try {
      file.write(current);
      health.subnetEnvWritten("lease " + lease.subnets() + ", subnet.env written");
    } catch (IOException e) {
      log.warn("cannot write {}, /readyz stays 503: {}", file.path(), e.getMessage());
    }
  }

  /** Peer leases to the backend: as events, and in a full reconcile every resync period. */
  private void feedLeases(
      SubnetManager manager, Network network, Metrics metrics, DaemonHealth health)
      throws StartupException {
    LeaseFeed feed = own(new LeaseFeed(manager, network, health.observer()));
    try {
      own(manager.watchLeases(new HeapGuard(metrics.feed(feed)))::close);
    } catch (SubnetException e) {
      throw new StartupException("cannot watch leases: " + e.getMessage(), e);
    }
    long period = options.resyncPeriod().toMillis();
    feed.startReconcile(Math.min(period, 2000), period);
    health.watch(manager);
  }

  private void runBackend(Network network) {
    Thread runner = new Thread(() -> runNetwork(network), "backend");
    runner.setDaemon(true);
    runner.start();
  }

  /** kube: the node condition; etcd: renewals, and a stop if the lease is taken away. */
  private void completeLease(SubnetManager manager, Lease lease) throws InterruptedException {
    try {
      manager.completeLease(
          lease,
          lost -> {
            log.error(
                "lease {} has been revoked (its key was deleted or expired): shutting down",
                lost.subnets());
            requestStop(1);
          });
    } catch (SubnetException e) {
      log.warn("cannot complete the lease (will not retry): {}", e.getMessage());
    }
  }

  private NetworkConfig networkConfig(SubnetManager manager)
      throws StartupException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        return manager.networkConfig();
      } catch (ConfigException e) {
        throw new StartupException("bad network config: " + e.getMessage(), e);
      } catch (SubnetException e) {
        if (attempt == 1 || attempt % 30 == 0) {
          log.warn("waiting for the network config: {}", e.getMessage());
        }
        if (stop.await(1, TimeUnit.SECONDS)) {
          throw new InterruptedException("stopped while waiting for the network config");
        }
      }
    }
  }

  private ExternalInterface externalInterface(NetworkConfig config, NodeRecord record)
      throws StartupException {
    InterfaceCriteria criteria =
        InterfaceCriteria.of(options, config.enableIPv4(), config.enableIPv6());
    if (options.publicIp().isEmpty()) { // kube: the node-public-ip annotation stands in for it
      criteria = record.pinnedIp().map(criteria::withPublicIp).orElse(criteria);
    }
    if (options.publicIpv6().isEmpty()) {
      criteria = record.pinnedIpv6().map(criteria::withPublicIpv6).orElse(criteria);
    }
    try (Netlink nl = Netlink.open()) {
      return new InterfaceSelector(nl).select(criteria);
    } catch (NetlinkException e) {
      throw new StartupException("cannot read the host's interfaces: " + e.getMessage(), e);
    } catch (InterfaceSelectionException e) {
      throw new StartupException(e.getMessage(), e);
    }
  }

  /** Traffic rules and the blackhole route: now, and every {@code --iptables-resync} after. */
  private void hostRules(NetworkConfig config, Lease lease, SubnetEnv current, SubnetEnv previous)
      throws StartupException {
    HostRules rules =
        new HostRules(
            TrafficRules.onHost(
                config.enableNFTables(),
                options.iptablesForwardRules(),
                options.ipMasqFullyRandomDisable()),
            options.ipBlackholeRoute() ? blackholes(config, lease) : null);
    try {
      rules.setup(current, previous);
    } catch (TrafficRulesException e) {
      throw new StartupException("cannot install the traffic rules: " + e.getMessage(), e);
    }
    own(Periodic.every("iptables-resync", options.iptablesResync(), rules::resync));
  }

  private BlackholeRoutes blackholes(NetworkConfig config, Lease lease) throws StartupException {
    try {
      return new BlackholeRoutes(own(NetlinkKernel.open()), config, lease);
    } catch (NetlinkException e) {
      throw new StartupException("cannot open netlink: " + e.getMessage(), e);
    }
  }

  private void runNetwork(Network network) {
    try {
      network.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (BackendException e) {
      log.error("backend stopped: {}", e.getMessage());
      requestStop(1);
    }
  }

  private void closeAll() {
    List<AutoCloseable> all;
    synchronized (resources) {
      all = new ArrayList<>(resources);
      resources.clear();
    }
    Collections.reverse(all);
    for (AutoCloseable c : all) {
      try {
        c.close();
      } catch (Exception e) {
        log.debug("close failed: {}", e.toString());
      }
    }
  }
}
