package io.jflannel.backend.wireguard;

import io.jflannel.backend.common.DeviceRepairs;
import io.jflannel.backend.common.DeviceWatch;
import io.jflannel.backend.common.Kernel;
import io.jflannel.backend.common.Warnings;
import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.Network;
import io.jflannel.core.backend.NetworkStats;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.lease.LeaseKey;
import io.jflannel.core.metrics.MetricSink;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.NetlinkException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's WireGuard overlay: one or two devices ({@link WgLink}), each with its peers kept in
 * line with the peer leases ({@link PeerSync}).
 *
 * <p>{@link #handle} writes the peers events change; {@link #reconcile} re-checks each device's
 * settings, address and route, reads its peers and repairs any drift. {@link #run} supervises the
 * devices: once a second it asks whether each is alive, and a wireguard-go that died is started
 * again and given back its key, port, address, route and peers at once; and it watches them ({@link
 * DeviceWatch}), so a device set down, changed or (in the kernel) deleted by someone is made right
 * at once ({@code flannel_device_repairs_total{reason}}).
 *
 * <p>Threading: {@link #handle} and {@link #reconcile} come from the daemon's event thread, {@link
 * #run} from its own; all three take this object's lock around device work. {@link #close} stops a
 * wireguard-go this process started (the device goes with it, as upstream removes its device on
 * exit) and leaves a kernel device, its peers and routes in place.
 */
public final class WireguardNetwork implements Network, NetworkStats {
  private static final Logger log = LoggerFactory.getLogger(WireguardNetwork.class);

  private final Kernel kernel;
  private final Lease own;
  private final int mtu;
  private final List<WgLink> links;
  private final List<PeerSync> syncs = new ArrayList<>();
  private final Map<LeaseKey, Lease> current = new LinkedHashMap<>();
  private long writes;
  private volatile long restarts;
  private final DeviceRepairs repairs = new DeviceRepairs();
  private boolean touched;

  /** Whether the peer leases are known (first events or reconcile): until then peers are kept. */
  private boolean leasesKnown;

  private volatile int peerCount;
  private volatile int handshaken;
  private boolean closed;

  WireguardNetwork(Kernel kernel, Lease own, int mtu, List<WgLink> links, List<PeerSpec> specs) {
    this.kernel = kernel;
    this.own = own;
    this.mtu = mtu;
    this.links = List.copyOf(links);
    Warnings warnings = new Warnings(log);
    for (int i = 0; i < links.size(); i++) {
      syncs.add(new PeerSync(links.get(i).device(), specs.get(i), warnings));
    }
  }

  /** Configures every device and reads its peers, so the first events write only what differs. */
  synchronized void start() throws WgException, NetlinkException {
    for (int i = 0; i < links.size(); i++) {
      writes += links.get(i).ensure(kernel);
      syncs.get(i).seed();
    }
    stats();
  }

  @Override
  public Lease lease() {
    return own;
  }

  @Override
  public int mtu() {
    return mtu;
  }

  /** The devices, for tests and logs. */
  List<WgLink> links() {
    return links;
  }

  @Override
  public synchronized long writes() {
    return writes;
  }

  /** How often a dead wireguard-go was started again. */
  public long restarts() {
    return restarts;
  }

  @Override
  public void declareMetrics(MetricSink sink) {
    sink.gauge(
        "flannel_wireguard_peers", "WireGuard peers on flannel's device(s)", () -> peerCount);
    sink.gauge(
        "flannel_wireguard_peers_handshaken",
        "WireGuard peers that completed a handshake, at the last reconcile",
        () -> handshaken);
    sink.counter(
        "flannel_wireguard_device_restarts_total",
        "wireguard-go processes started again after they died",
        () -> restarts);
    repairs.declare(sink);
  }

  /** The devices' repairs so far, for tests. */
  DeviceRepairs repairs() {
    return repairs;
  }

  @Override
  public synchronized void handle(List<LeaseEvent> events) throws BackendException {
    leasesKnown = true;
    List<LeaseEvent> peers = new ArrayList<>(events.size());
    for (LeaseEvent e : events) {
      if (own.sameSubnets(e.lease())) {
        continue;
      }
      peers.add(e);
      if (e instanceof LeaseEvent.Added) {
        current.put(e.lease().key(), e.lease());
      } else {
        current.remove(e.lease().key());
      }
    }
    try {
      for (PeerSync s : syncs) {
        writes += s.handle(peers);
      }
    } catch (WgException e) {
      throw new BackendException("wireguard: " + e.getMessage(), e);
    } finally {
      stats();
    }
  }

  @Override
  public synchronized void reconcile(List<Lease> peers) throws BackendException {
    leasesKnown = true;
    current.clear();
    for (Lease l : peers) {
      if (!own.sameSubnets(l)) {
        current.put(l.key(), l);
      }
    }
    try {
      repair();
    } catch (WgException | NetlinkException e) {
      throw new BackendException("wireguard: reconcile: " + e.getMessage(), e);
    }
  }

  /**
   * Makes every device and its peers right for {@link #current} (the peers only once the leases are
   * known: a device event before the first lease batch must not empty the device).
   */
  private void repair() throws WgException, NetlinkException {
    repair(false);
  }

  /**
   * As {@link #repair()}; {@code renewed}: the devices were made anew, start handshakes. A device
   * found gone here (its wireguard-go exited, the kernel device deleted) is made anew too, and gets
   * its handshakes started, whichever pass finds it first: the device watch or the periodic
   * reconcile.
   */
  private void repair(boolean renewed) throws WgException, NetlinkException {
    List<Lease> leases = new ArrayList<>(current.values());
    try {
      for (int i = 0; i < links.size(); i++) {
        WgLink link = links.get(i);
        WgState state = link.device().alive() ? link.device().read() : null;
        boolean anew = renewed || state == null;
        int w = link.ensure(kernel, state);
        if (w > 0) {
          log.info("{}: repaired the device with {} write(s)", link.name(), w);
          state = link.device().read();
        }
        if (leasesKnown) {
          w += syncs.get(i).reconcile(leases, state);
          if (anew) {
            w += syncs.get(i).kickHandshakes();
          }
        } else {
          syncs.get(i).seed(state);
        }
        writes += w;
      }
    } finally {
      stats();
    }
  }

  private void stats() {
    int p = 0;
    int h = 0;
    for (PeerSync s : syncs) {
      p += s.peers();
      h += s.handshaken();
    }
    peerCount = p;
    handshaken = h;
  }

  @Override
  public void run() throws InterruptedException {
    Set<String> names = new HashSet<>();
    for (WgLink l : links) {
      names.add(l.name());
    }
    DeviceWatch watch = null;
    try {
      watch = DeviceWatch.start(kernel, names, n -> devicesChanged());
    } catch (NetlinkException e) {
      log.warn(
          "wireguard: cannot watch {} ({}): a device set down is set up by the next reconcile only",
          names,
          e.getMessage());
    }
    try {
      supervise();
    } finally {
      if (watch != null) {
        watch.close();
      }
    }
  }

  /** Told by the watch: the supervisor checks the devices now rather than within the second. */
  private synchronized void devicesChanged() {
    touched = true;
    notifyAll();
  }

  private void supervise() throws InterruptedException {
    while (true) {
      synchronized (this) {
        if (!touched) {
          wait(1000);
        }
        if (closed) {
          return;
        }
        boolean check = touched;
        touched = false;
        for (WgLink l : links) {
          if (!l.device().alive()) {
            restart(l);
          } else if (check) {
            checkDevice(l);
          }
        }
      }
    }
  }

  /**
   * A watched device changed: set down, changed, or deleted (a kernel device; a deleted
   * wireguard-go device ends its process, and {@link #restart} brings it back). Made right with its
   * peers (under the lock); nothing is written when it is right already (our own repairs notify
   * too).
   */
  private void checkDevice(WgLink l) {
    try {
      Optional<Link> now = kernel.findLink(l.name());
      if (now.isEmpty() && l.device() instanceof UapiWgDevice) {
        return;
      }
      DeviceRepairs.Reason reason =
          now.isEmpty()
              ? DeviceRepairs.Reason.DELETED
              : now.get().isUp() ? DeviceRepairs.Reason.CHANGED : DeviceRepairs.Reason.DOWN;
      long before = writes;
      repair(reason == DeviceRepairs.Reason.DELETED);
      if (writes > before) {
        repairs.count(reason);
        log.warn(
            "wireguard: {} was {}: made right with {} write(s)",
            l.name(),
            reason.label().equals("down") ? "set down" : reason.label(),
            writes - before);
      }
    } catch (WgException | NetlinkException e) {
      log.warn("wireguard: cannot make {} right yet: {}", l.name(), e.getMessage());
    }
  }

  /** A device whose wireguard-go died: start it again and restore everything (under the lock). */
  private void restart(WgLink l) {
    log.warn("wireguard: {} is gone (wireguard-go exited); starting it again", l.name());
    try {
      repair(true);
      restarts++;
      repairs.count(DeviceRepairs.Reason.DELETED);
      log.info("wireguard: {} is back with its key, address, route and peers", l.name());
    } catch (WgException | NetlinkException e) {
      log.warn(
          "wireguard: cannot bring {} back yet: {}; trying again in 1 s", l.name(), e.getMessage());
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      notifyAll();
      for (WgLink l : links) {
        l.device().close();
      }
      kernel.close();
    }
  }
}
