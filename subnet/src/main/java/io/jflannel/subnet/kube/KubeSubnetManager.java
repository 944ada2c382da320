package io.jflannel.subnet.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.jflannel.core.config.ConfigException;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.lease.LeaseKey;
import io.jflannel.core.metrics.MetricSink;
import io.jflannel.core.subnet.LeaseListener;
import io.jflannel.core.subnet.LeaseSnapshot;
import io.jflannel.core.subnet.LeaseWatch;
import io.jflannel.core.subnet.NodeRecord;
import io.jflannel.core.subnet.SubnetException;
import io.jflannel.core.subnet.SubnetManager;
import io.jflannel.subnet.http.SocketHttpClients;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subnet manager of {@code --kube-subnet-mgr}: this node's subnet is its Node's {@code
 * spec.podCIDRs}, what it advertises goes into {@code flannel.alpha.coreos.com/*} annotations on
 * the Node, and the peers are all other Nodes carrying those annotations (flannel.md §5).
 *
 * <p>Mechanism: {@link #acquireLease} reads the own Node directly (waiting for the pod CIDR the
 * controller manager assigns), checks it against the net config and patches only annotations that
 * differ ({@link OwnNode}, {@link OwnAnnotations}). {@link #watchLeases} lists and watches all
 * Nodes, as upstream's informer does ({@link NodeWatch}), but reads the list page by page as a
 * stream ({@link NodeLister}) and keeps only name → resourceVersion per node; the handler ({@link
 * PeerTracker}) projects each Node into its lease as it arrives and keeps that, a few hundred bytes
 * instead of the 15–30 KB Node; changes go through a {@link io.jflannel.subnet.LeaseDelivery} to
 * one delivery thread. The watch relists after 410 Gone and retries with exponential backoff (1 s
 * doubling to 32 s) after any API error; nothing here gives up.
 *
 * <p>As upstream: the lease expires 24 h after acquisition and is never renewed (in kube mode the
 * Node is the lease); {@link #completeLease} never calls its {@code onLost} callback, since nothing
 * takes a pod CIDR away from a live Node; {@link #close} leaves annotations in place. What the
 * annotations kept from before (pinned public IPs, the last backend data) is {@link #nodeRecord}.
 *
 * <p>Thread-safety: all methods may be called from any thread. Ownership: a manager made by {@link
 * #connect} owns its client and closes it; one made by {@link #create} borrows the caller's.
 * Hazard: a watch holds a fabric8 watch and two threads until it or the manager is closed.
 */
public final class KubeSubnetManager implements SubnetManager {

  private static final Logger log = LoggerFactory.getLogger(KubeSubnetManager.class);

  /** How long an acquired lease claims to be valid; never renewed in kube mode, as upstream. */
  public static final Duration LEASE_DURATION = Duration.ofHours(24);

  private final KubernetesClient client;
  private final boolean ownsClient;
  private final KubeOptions options;
  private final KubeAnnotations names;
  private final OwnNode own;
  private final Consumer<String> warnings;
  private final Clock clock;
  private final Object lock = new Object();
  private volatile NetworkConfig config;
  private volatile Lease ownLease;
  private NodeWatch watch; // guarded by lock
  private boolean closed; // guarded by lock

  KubeSubnetManager(
      KubernetesClient client,
      boolean ownsClient,
      KubeOptions options,
      Consumer<String> warnings,
      Clock clock)
      throws SubnetException {
    this.client = client;
    this.ownsClient = ownsClient;
    this.options = options;
    this.names = options.annotations();
    this.warnings = warnings;
    this.clock = clock;
    this.own = new OwnNode(client, KubeConnect.nodeName(client, options.env()), clock);
  }

  /**
   * Connects to the API server named by the options (see {@link KubeConnect}) and finds this node.
   * The manager owns the client.
   *
   * @throws SubnetException if the kubeconfig is unusable or the node name cannot be found
   */
  public static KubeSubnetManager connect(KubeOptions options) throws SubnetException {
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(KubeConnect.clientConfig(options))
            .withKubernetesSerialization(KubeConnect.serialization())
            .withHttpClientFactory(httpClients(options.env().apply("FLANNELD_KUBE_HTTP")))
            .build();
    try {
      return new KubeSubnetManager(client, true, options, log::warn, Clock.systemUTC());
    } catch (SubnetException | RuntimeException e) {
      client.close();
      throw e;
    }
  }

  /**
   * The transport under fabric8: its client on sockets ({@link SocketHttpClients}; through a proxy,
   * the JDK's), or with {@code FLANNELD_KUBE_HTTP=jdk} the JDK's throughout.
   */
  static HttpClient.Factory httpClients(String choice) {
    if ("jdk".equals(choice)) {
      return new KubeHttpClients();
    }
    if (choice != null && !choice.isEmpty()) {
      log.warn(
          "FLANNELD_KUBE_HTTP={} is not known: using flanneld's own HTTP client; set it to jdk for"
              + " the JDK's, or leave it unset",
          choice);
    }
    return new SocketHttpClients(KubeHttpClients::new);
  }

  /**
   * Creates a manager on a client the caller owns (and closes), and finds this node.
   *
   * @throws SubnetException if the node name cannot be found
   */
  public static KubeSubnetManager create(KubernetesClient client, KubeOptions options)
      throws SubnetException {
    return new KubeSubnetManager(client, false, options, log::warn, Clock.systemUTC());
  }

  @Override
  public String name() {
    return "kube";
  }

  /** Returns the name of the node this manager publishes for. */
  public String nodeName() {
    return own.name();
  }

  /** Returns the annotation names in use (from {@code --kube-annotation-prefix}). */
  public KubeAnnotations annotations() {
    return names;
  }

  /**
   * Reads and parses {@code --net-config-path}, as upstream does once at start.
   *
   * @throws SubnetException if the file cannot be read; the message names the path and the fix
   * @throws ConfigException if it is not a valid net-conf.json; the message starts with the path
   */
  @Override
  public NetworkConfig networkConfig() throws ConfigException, SubnetException {
    Path path = options.netConfigPath();
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      throw new ConfigException(path + ": not UTF-8 text", e);
    } catch (IOException e) {
      throw new SubnetException(
          "failed to read net conf "
              + path
              + ": "
              + e
              + "; mount the kube-flannel-cfg ConfigMap (key net-conf.json) there or point"
              + " --net-config-path at the file",
          e);
    }
    NetworkConfig parsed;
    try {
      parsed = NetworkConfig.parse(text);
    } catch (ConfigException e) {
      throw new ConfigException(path + ": " + e.getMessage(), e);
    }
    config = parsed;
    return parsed;
  }

  /**
   * Returns this node's lease: its pod CIDRs, checked against the net config, with {@code attrs}
   * published as annotations (only the ones that differ are patched). Waits up to the configured
   * time for the Node to exist and have a pod CIDR.
   *
   * @throws SubnetException if there is no pod CIDR when the time is up (the message says how to
   *     get one assigned), a pod CIDR lies outside the net config's network, an overwrite
   *     annotation is not an address, or the API server refuses the patch
   */
  @Override
  public Lease acquireLease(LeaseAttrs attrs) throws SubnetException, InterruptedException {
    NetworkConfig conf = config;
    if (conf == null) {
      try {
        conf = networkConfig();
      } catch (ConfigException e) {
        throw new SubnetException(e.getMessage(), e);
      }
    }
    String network = conf.enableIPv4() ? conf.network().toString() : conf.ipv6Network().toString();
    Node node = own.awaitPodCidr(options.podCidrTimeout(), options.podCidrPollInterval(), network);
    OwnSubnets subnets = OwnSubnets.of(node, conf, attrs.backendType());
    Map<String, String> existing = node.getMetadata().getAnnotations();
    existing = existing == null ? Map.of() : existing;
    OwnAnnotations wanted;
    try {
      wanted = OwnAnnotations.of(attrs, existing, names);
    } catch (IllegalArgumentException e) {
      throw new SubnetException("node " + own.name() + ": " + e.getMessage(), e);
    }
    Map<String, String> changes = wanted.changes(existing);
    if (changes.isEmpty()) {
      log.info("node {}: lease annotations already up to date", own.name());
    } else {
      own.publish(changes, wanted);
      log.info("node {}: lease annotations written: {}", own.name(), changes.keySet());
    }
    Lease lease =
        new Lease(
            subnets.subnet(),
            subnets.ipv6Subnet(),
            wanted.advertised(),
            clock.instant().plus(LEASE_DURATION),
            0);
    ownLease = lease;
    log.info("lease acquired: {} for node {}", lease.subnets(), own.name());
    return lease;
  }

  /**
   * Sets the node condition {@code NetworkUnavailable=False} (reason {@code FlannelIsUp}) unless
   * {@code --set-node-network-unavailable=false}, keeping the node's other conditions. {@code
   * onLost} is never called: in kube mode nothing takes the lease away from a live node.
   *
   * @throws SubnetException if the status cannot be patched
   */
  @Override
  public void completeLease(Lease lease, Consumer<Lease> onLost)
      throws SubnetException, InterruptedException {
    requireLease();
    if (!options.setNodeNetworkUnavailable()) {
      return;
    }
    own.setNetworkAvailable();
    log.info(
        "node {}: condition NetworkUnavailable=False ({}) set",
        own.name(),
        OwnNode.CONDITION_REASON);
  }

  /**
   * Starts the node list and watch and delivers peer lease changes to {@code listener} under the
   * {@link LeaseListener} contract: the first batch is every peer known when the first list has
   * been handled. Returns at once; if the API server is unreachable, the watch keeps retrying.
   *
   * @throws IllegalStateException if no lease has been acquired, a watch is already running or the
   *     manager is closed
   * @throws SubnetException if the watch cannot be started
   */
  @Override
  public LeaseWatch watchLeases(LeaseListener listener) throws SubnetException {
    Lease lease = requireLease();
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("the kube subnet manager is closed");
      }
      if (watch != null) {
        throw new IllegalStateException("already watching leases; close that watch first");
      }
      watch =
          NodeWatch.start(
              client, own.name(), lease, names, listener, warnings, clock, this::forget);
      log.info("watching nodes for peer leases");
      return watch;
    }
  }

  private void forget(NodeWatch closing) {
    synchronized (lock) {
      if (watch == closing) {
        watch = null;
      }
    }
  }

  /**
   * Returns every peer's current lease, from the watch's projected node state.
   *
   * @throws IllegalStateException if no lease has been acquired
   * @throws SubnetException if no watch is running or its first list has not arrived yet
   */
  @Override
  public List<Lease> currentLeases() throws SubnetException {
    requireLease();
    NodeWatch w;
    synchronized (lock) {
      w = watch;
    }
    if (w == null) {
      throw new SubnetException("no node watch is running: start watchLeases first");
    }
    if (!w.synced()) {
      throw new SubnetException(
          "the node list has not been received yet (API server unreachable?); try again later");
    }
    return w.leases();
  }

  /**
   * Lists every Node (page by page) and projects each into its lease as the watch would, this
   * node's own included; {@code expectedOwn} is not needed: this node's lease is its Node's. Kube
   * leases never lapse: their expiration is null.
   */
  @Override
  public LeaseSnapshot inspect(LeaseKey expectedOwn) throws SubnetException, InterruptedException {
    NetworkConfig conf = config;
    if (conf == null) {
      throw new IllegalStateException("networkConfig has not been read yet");
    }
    return NodeInventory.read(client, own.name(), names, conf);
  }

  /** Why the Node watch cannot reach the API server now, if it cannot; empty without a watch. */
  @Override
  public Optional<String> unreachable() {
    NodeWatch w;
    synchronized (lock) {
      w = watch;
    }
    return w == null ? Optional.empty() : w.unreachable();
  }

  /** Returns a snapshot of the node watch: sync state, peer counts, delivered events. */
  public KubeWatchStats watchStats() {
    NodeWatch w;
    synchronized (lock) {
      w = watch;
    }
    if (w == null) {
      return KubeWatchStats.NOT_RUNNING;
    }
    return w.stats();
  }

  /**
   * Returns what this node's annotations kept: the {@code node-public-ip(v6)} addresses pinned by
   * an operator, which the daemon uses when {@code --public-ip(v6)} is not given, and what flannel
   * advertised last time, so a restarted vxlan backend can give its device the MAC its peers
   * already know (upstream issue #1795). Values that cannot be read are left out with a warning.
   *
   * @throws SubnetException if the node cannot be read
   */
  @Override
  public NodeRecord nodeRecord() throws SubnetException {
    return StoredNode.read(own.name(), own.annotations(), names);
  }

  /**
   * Declares {@code flannel_kube_watch_up}, {@code flannel_kube_nodes_skipped} and {@code
   * flannel_kube_node_list_failures_total}, read from {@link #watchStats} at scrape time.
   */
  @Override
  public void declareMetrics(MetricSink sink) {
    sink.gauge(
        "flannel_kube_watch_up",
        "1 while the node informer's watch connection is up",
        () -> watchStats().watching() ? 1 : 0);
    sink.gauge(
        "flannel_kube_nodes_skipped",
        "nodes whose state yields no usable lease (no pod CIDR, no flannel annotations)",
        () -> watchStats().skippedNodes());
    sink.counter(
        "flannel_kube_node_list_failures_total",
        "failed node lists and watches the informer retried with backoff",
        () -> watchStats().listFailures());
  }

  private Lease requireLease() {
    Lease lease = ownLease;
    if (lease == null) {
      throw new IllegalStateException("acquireLease has not succeeded yet");
    }
    return lease;
  }

  /**
   * Stops the watch (list/watch thread and delivery thread) and, if the manager created it, closes
   * the client. Leaves every annotation in place. Idempotent; never throws.
   */
  @Override
  public void close() {
    NodeWatch w;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      w = watch;
    }
    if (w != null) {
      w.close();
    }
    if (ownsClient) {
      client.close();
    }
  }
}
