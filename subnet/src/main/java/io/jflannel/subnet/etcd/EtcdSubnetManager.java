package io.jflannel.subnet.etcd;

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
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subnet manager of etcd mode (no {@code --kube-subnet-mgr}): leases live under {@code
 * <prefix>/subnets/} in etcd's v3 API, byte-compatible with upstream flannel's {@code
 * pkg/subnet/etcd}, so jflannel and upstream nodes can share one etcd.
 *
 * <p>Mechanism (flannel.md §6):
 *
 * <ul>
 *   <li>{@link #networkConfig} reads {@code <prefix>/config} and parses it with {@link
 *       NetworkConfig#parse}; {@link #acquireLease} uses the config last read.
 *   <li>{@link #acquireLease} lists the leases and takes, in this order, the lease carrying this
 *       node's public IP (refreshed; a reservation, i.e. a key without an etcd lease, stays without
 *       TTL; an incompatible one is deleted), the subnet of the previous subnet.env, or one of the
 *       first 100 free subnets at random ({@link SubnetAllocator}). A new key is created with
 *       {@code If(Version(key) == 0) Then(Put(key, attrs, lease of 24 h))}; losing that race to
 *       another node means listing again, up to 10 times ({@link LeaseAcquirer}).
 *   <li>{@link #completeLease} renews the key before it expires and reports its loss ({@link
 *       LeaseKeeper}).
 *   <li>{@link #watchLeases} lists and then watches the peers ({@link EtcdLeaseWatch}), starting
 *       from the acquisition's listing; {@link #currentLeases} lists them afresh from etcd, for the
 *       daemon's reconcile. Values are decoded once per key and revision ({@link LeaseDecoder}).
 * </ul>
 *
 * <p>Deviations from upstream, each for robustness: an IPv6-only network ({@code EnableIPv4:
 * false}, keys {@code 0.0.0.0-0&fc00::-64} as upstream writes them) finds a node's lease by its
 * public IPv6 address, so every node keeps its own IPv6 subnet (upstream matches on the IPv4
 * address, {@code 0.0.0.0} on every such node, see {@link SubnetAllocator}); reservations are
 * really kept without TTL (upstream on the v3 API reads a reservation's TTL as −1 s and re-attaches
 * a 24 h lease); unreadable keys still occupy their subnet; renewals are conditional on the key's
 * create revision; requests time out ({@link EtcdTimings#requestTimeout}); a peer's expiration is
 * an estimate ({@link LeaseDecoder}).
 *
 * <p>Thread-safety: safe for use from several threads. Owns the etcd client, the keeper and the
 * watches it starts; {@link #close} stops them all and never deletes this node's key.
 */
public final class EtcdSubnetManager implements SubnetManager {

  private static final Logger log = LoggerFactory.getLogger(EtcdSubnetManager.class);

  private static final AtomicInteger WATCH_IDS = new AtomicInteger();

  private final EtcdOptions options;
  private final EtcdTimings timings;
  private final EtcdStore store;
  private final EtcdKeys keys;
  private final LeaseDecoder decoder;
  private final Clock clock;
  private final RandomGenerator random;
  private final Set<EtcdLeaseWatch> watches = ConcurrentHashMap.newKeySet();
  private volatile NetworkConfig config;
  private volatile OwnLease own;
  private EtcdStore.Listing acquired; // guarded by this: the acquisition's listing, for one watch
  private LeaseKeeper keeper; // guarded by this
  private volatile boolean closed;

  EtcdSubnetManager(
      EtcdOptions options,
      EtcdTimings timings,
      EtcdStore store,
      Clock clock,
      RandomGenerator random) {
    this.options = options;
    this.timings = timings;
    this.store = store;
    this.keys = new EtcdKeys(options.prefix());
    this.decoder = new LeaseDecoder(keys, timings.leaseTtl(), clock);
    this.clock = clock;
    this.random = random;
  }

  /**
   * Creates a manager with upstream's periods (24 h lease TTL). Does not contact etcd yet.
   *
   * @throws SubnetException if the TLS files cannot be used
   */
  public static EtcdSubnetManager connect(EtcdOptions options) throws SubnetException {
    return connect(options, EtcdTimings.defaults());
  }

  /**
   * Creates a manager with the given periods. Does not contact etcd yet.
   *
   * @throws IllegalArgumentException if the renew margin is not shorter than the lease TTL
   * @throws SubnetException if the TLS files cannot be used
   */
  public static EtcdSubnetManager connect(EtcdOptions options, EtcdTimings timings)
      throws SubnetException {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(timings, "timings");
    if (options.renewMargin().compareTo(timings.leaseTtl()) >= 0) {
      throw new IllegalArgumentException(
          "--subnet-lease-renew-margin ("
              + options.renewMargin()
              + ") must be shorter than the lease TTL ("
              + timings.leaseTtl()
              + ")");
    }
    log.info("etcd subnet manager: {}", options);
    EtcdStore store = EtcdStore.connect(options, timings.requestTimeout());
    return new EtcdSubnetManager(options, timings, store, Clock.systemUTC(), new SecureRandom());
  }

  @Override
  public String name() {
    return "etcd";
  }

  /**
   * Etcd keeps nothing about a node apart from its lease, which is found only by acquiring it (by
   * public IP, or the subnet of the previous subnet.env): a compatible {@code flannel.<VNI>} keeps
   * its MAC across restarts, and after a reboot peers follow the new one.
   */
  @Override
  public NodeRecord nodeRecord() {
    return NodeRecord.EMPTY;
  }

  /** Declares {@code flannel_lease_renewals_total}. */
  @Override
  public void declareMetrics(MetricSink sink) {
    sink.counter(
        "flannel_lease_renewals_total",
        "successful renewals of this node's lease (etcd mode)",
        this::leaseRenewals);
  }

  @Override
  public NetworkConfig networkConfig()
      throws ConfigException, SubnetException, InterruptedException {
    ensureOpen();
    String key = keys.config();
    Optional<String> text = store.value(key);
    if (text.isEmpty()) {
      throw new SubnetException(
          "flannel config not found in etcd store at "
              + key
              + ". Did you create your config using etcdv3 API? Write it with: ETCDCTL_API=3"
              + " etcdctl --endpoints="
              + String.join(",", store.endpoints())
              + " put "
              + key
              + " '{\"Network\": \"10.244.0.0/16\", \"Backend\": {\"Type\": \"vxlan\"}}'");
    }
    try {
      config = NetworkConfig.parse(text.get());
    } catch (ConfigException e) {
      throw new ConfigException("etcd key " + key + ": " + e.getMessage(), e);
    }
    return config;
  }

  @Override
  public Lease acquireLease(LeaseAttrs attrs) throws SubnetException, InterruptedException {
    Objects.requireNonNull(attrs, "attrs");
    ensureOpen();
    NetworkConfig current = currentConfig();
    LeaseAcquirer acquirer =
        new LeaseAcquirer(store, keys, decoder, options, timings, clock, random);
    OwnLease mine = acquirer.acquire(current, attrs);
    synchronized (this) {
      acquired = acquirer.listing().orElse(null);
    }
    own = mine;
    return mine.lease();
  }

  @Override
  public synchronized void completeLease(Lease lease, Consumer<Lease> onLost) {
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(onLost, "onLost");
    ensureOpen();
    OwnLease mine = requireOwn();
    if (!lease.sameSubnets(mine.lease())) {
      throw new IllegalArgumentException(
          "lease " + lease.subnets() + " is not the one acquired, " + mine.lease().subnets());
    }
    if (keeper != null) {
      throw new IllegalStateException("completeLease was already called");
    }
    keeper = new LeaseKeeper(store, mine, options.renewMargin(), timings, clock, random, onLost);
    keeper.start();
  }

  /**
   * {@inheritDoc}
   *
   * <p>Returns at once: the first listing is made on the watch's own thread and retried with
   * backoff until etcd answers, so an etcd that is briefly away at this moment delays the first
   * batch instead of failing the call. The first watch starts from the listing {@link
   * #acquireLease} made (the lease was chosen on it), so the leases are not listed twice at start.
   */
  @Override
  public LeaseWatch watchLeases(LeaseListener listener) {
    Objects.requireNonNull(listener, "listener");
    ensureOpen();
    OwnLease mine = requireOwn();
    EtcdStore.Listing initial;
    synchronized (this) {
      initial = acquired;
      acquired = null;
    }
    EtcdLeaseWatch[] holder = new EtcdLeaseWatch[1];
    EtcdLeaseWatch watch =
        new EtcdLeaseWatch(
            store,
            keys,
            decoder,
            mine.lease().key(),
            listener,
            timings,
            clock,
            random,
            Integer.toString(WATCH_IDS.incrementAndGet()),
            initial,
            () -> watches.remove(holder[0]));
    holder[0] = watch;
    watches.add(watch);
    watch.start();
    return watch;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Answers from the state of a running lease watch once it has listed: that state is etcd's at
   * the last revision the watch has seen (a listing, then every event after it in order, re-listed
   * after a compaction), so a reconcile compares the kernel with the same truth a fresh listing
   * would give, without listing and decoding 5,000 leases every pass (issue #4). The safety net
   * against a watch that silently missed something is its periodic re-list ({@link
   * EtcdTimings#relistPeriod}, 10 min), which diffs a full listing against the state and reports
   * the differences as events. A peer whose key holds a bad value keeps its last good lease here,
   * as in the watch's events, instead of vanishing for one pass. Without a listed watch (none
   * started yet, or its first listing still failing) this lists {@code <prefix>/subnets/} itself,
   * one request; unchanged values are not decoded again ({@link LeaseDecoder}).
   */
  @Override
  public List<Lease> currentLeases() throws SubnetException, InterruptedException {
    ensureOpen();
    LeaseKey mine = LeaseKey.of(requireOwn().lease());
    for (EtcdLeaseWatch watch : watches) {
      Optional<List<Lease>> watched = watch.leases();
      if (watched.isPresent()) {
        return watched.get();
      }
    }
    EtcdStore.Listing listing = store.list(keys.subnets());
    decoder.retainListed(listing);
    Instant now = clock.instant();
    List<Lease> peers = new ArrayList<>(listing.entries().size());
    for (EtcdStore.Entry entry : listing.entries()) {
      decoder.lease(entry, now).filter(l -> !mine.matches(l)).ifPresent(peers::add);
    }
    return peers;
  }

  /**
   * Lists {@code <prefix>/subnets/} once; the lease of {@code expectedOwn} gets its exact
   * expiration from etcd (one TimeToLive request), every other lease the usual estimate.
   */
  @Override
  public LeaseSnapshot inspect(LeaseKey expectedOwn) throws SubnetException, InterruptedException {
    ensureOpen();
    EtcdStore.Listing listing = store.list(keys.subnets());
    Instant now = clock.instant();
    List<Lease> all = new ArrayList<>(listing.entries().size());
    Optional<Lease> own = Optional.empty();
    for (EtcdStore.Entry entry : listing.entries()) {
      Optional<Lease> lease = decoder.lease(entry, now);
      if (lease.isEmpty()) {
        continue;
      }
      Lease l = lease.get();
      if (expectedOwn != null && expectedOwn.matches(l)) {
        l = withExactExpiration(l, entry.leaseId(), now);
        own = Optional.of(l);
      }
      all.add(l);
    }
    return new LeaseSnapshot(all, own);
  }

  private Lease withExactExpiration(Lease l, long leaseId, Instant now)
      throws SubnetException, InterruptedException {
    if (leaseId == 0) {
      return new Lease(l.subnet(), l.ipv6Subnet(), l.attrs(), null, l.revision());
    }
    long ttl = store.timeToLive(leaseId);
    Instant expires = ttl < 0 ? now : now.plusSeconds(ttl);
    return new Lease(l.subnet(), l.ipv6Subnet(), l.attrs(), expires, l.revision());
  }

  /** Why the lease watch cannot reach etcd now (it is down and reconnecting), if it cannot. */
  @Override
  public Optional<String> unreachable() {
    for (EtcdLeaseWatch watch : watches) {
      Optional<String> why = watch.unreachable();
      if (why.isPresent()) {
        return why;
      }
    }
    return Optional.empty();
  }

  @Override
  public void close() {
    LeaseKeeper toClose;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      toClose = keeper;
    }
    for (EtcdLeaseWatch watch : List.copyOf(watches)) {
      watch.close();
    }
    if (toClose != null) {
      toClose.close();
    }
    store.close();
    log.info("etcd subnet manager closed; lease keys stay in etcd");
  }

  /**
   * Returns how many times this node's lease was renewed (a new etcd lease of the full TTL), over
   * the life of this manager; for metrics.
   */
  public synchronized long leaseRenewals() {
    return keeper == null ? 0 : keeper.renewals();
  }

  /** Returns the lease the keeper holds now (renewals change the expiration); for tests. */
  synchronized Optional<OwnLease> keptLease() {
    return keeper == null ? Optional.ofNullable(own) : Optional.of(keeper.current());
  }

  /** Returns the keys warned about as bad; for tests. */
  Set<String> badKeys() {
    return decoder.warnedKeys();
  }

  private NetworkConfig currentConfig() throws SubnetException, InterruptedException {
    NetworkConfig current = config;
    if (current != null) {
      return current;
    }
    try {
      return networkConfig();
    } catch (ConfigException e) {
      throw new SubnetException(e.getMessage(), e);
    }
  }

  private OwnLease requireOwn() {
    OwnLease mine = own;
    if (mine == null) {
      throw new IllegalStateException("acquireLease has not succeeded yet");
    }
    return mine;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the etcd subnet manager is closed");
    }
  }
}
