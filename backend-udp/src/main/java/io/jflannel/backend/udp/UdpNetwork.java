package io.jflannel.backend.udp;

import io.jflannel.backend.common.DeviceRepairs;
import io.jflannel.backend.common.DeviceWatch;
import io.jflannel.backend.common.Kernel;
import io.jflannel.backend.common.Warnings;
import io.jflannel.backend.udp.sys.Native;
import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.backend.Network;
import io.jflannel.core.backend.NetworkStats;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.metrics.MetricSink;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Tun;
import io.jflannel.netlink.sys.SysException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's udp overlay: the peer table the packet loops route by, kept in line with the peer
 * leases, and the TUN device's address and route, repaired on every {@link #reconcile}.
 *
 * <p>Each {@link #handle} or {@link #reconcile} builds a new immutable {@link PeerTable} from the
 * current peers and publishes it to the loops in one volatile write; packets in flight finish with
 * the table they started with. Peers are accepted when their lease advertises the backend type
 * {@code ""} (upstream's udp) or {@code "udp"}; others are skipped with one warning. {@link #run}
 * starts the packet loops and returns when the network is closed, or throws when a loop cannot go
 * on. A TUN device deleted by hand is re-created at once, with its address, MTU and route, and the
 * loops go on with the same sockets, peer table and counters.
 *
 * <p>Threading: {@link #handle} and {@link #reconcile} come from the daemon's event thread, {@link
 * #run} from its own, {@link #close} from any. Closing stops the loops and closes the TUN queues,
 * so the device and its route disappear, as upstream's do on exit; it also closes the {@link
 * Kernel}.
 */
public final class UdpNetwork implements Network, NetworkStats {
  private static final Logger log = LoggerFactory.getLogger(UdpNetwork.class);

  private final Kernel kernel;
  private final TunDevice device;
  private final ExternalInterface iface;
  private final Lease own;
  private final TunOpener reopen;
  private final int port;
  private final int tunMtu;
  private final Map<Ip4Net, Lease> peers = new LinkedHashMap<>();
  private final Warnings warnings = new Warnings(log);
  private volatile Forwarder forwarder; // replaced (under this) when the device is re-created
  private final DeviceRepairs repairs = new DeviceRepairs();
  private long writes;
  private long recreations;
  private boolean closed; // guarded by this

  /** Opens the TUN device again, with its queues, after it was deleted. */
  @FunctionalInterface
  interface TunOpener {
    List<Tun> open() throws NetlinkException;
  }

  UdpNetwork(
      Kernel kernel,
      TunDevice device,
      ExternalInterface iface,
      Lease own,
      Forwarder forwarder,
      TunOpener reopen,
      int port,
      int tunMtu) {
    this.kernel = kernel;
    this.device = device;
    this.iface = iface;
    this.own = own;
    this.forwarder = forwarder;
    this.reopen = reopen;
    this.port = port;
    this.tunMtu = tunMtu;
  }

  @Override
  public Lease lease() {
    return own;
  }

  @Override
  public int mtu() {
    return iface.mtu() - UdpBackend.OVERHEAD;
  }

  /** The TUN device's name, normally {@code flannel0}. */
  public String deviceName() {
    return device.name();
  }

  /** Packet counters since the network was registered. */
  public UdpStats stats() {
    return forwarder.stats();
  }

  /**
   * Declares the udp data plane's counters ({@link UdpStats#declare}) and {@code
   * flannel_device_repairs_total{reason}}.
   */
  @Override
  public void declareMetrics(MetricSink sink) {
    UdpStats.declare(sink, this::stats);
    repairs.declare(sink);
  }

  /** The TUN device's repairs so far, for tests. */
  DeviceRepairs repairs() {
    return repairs;
  }

  /**
   * Kernel writes made to repair the device so far (by reconciles, and when it was re-created), for
   * metrics and tests.
   */
  @Override
  public synchronized long writes() {
    return writes;
  }

  /** How many times the TUN device was re-created after someone deleted it. */
  public synchronized long recreations() {
    return recreations;
  }

  /** The number of peers packets are currently routed to. */
  public int peerCount() {
    return forwarder.table().size();
  }

  @Override
  public synchronized void handle(List<LeaseEvent> events) {
    for (LeaseEvent e : events) {
      Lease l = e.lease();
      if (e instanceof LeaseEvent.Added) {
        if (usable(l)) {
          peers.put(l.subnet(), l);
          log.info("lease added: {} via {}", l.subnets(), l.attrs().publicIp());
        }
      } else if (l.subnet() != null && peers.remove(l.subnet()) != null) {
        log.info("lease removed: {}", l.subnets());
      }
    }
    publish();
  }

  @Override
  public synchronized void reconcile(List<Lease> current) throws BackendException {
    Map<Ip4Net, Lease> before = new LinkedHashMap<>(peers);
    peers.clear();
    for (Lease l : current) {
      if (usable(l)) {
        peers.put(l.subnet(), l);
      }
    }
    if (!peers.equals(before)) {
      long added = peers.keySet().stream().filter(k -> !before.containsKey(k)).count();
      long removed = before.keySet().stream().filter(k -> !peers.containsKey(k)).count();
      log.info(
          "reconcile: {} peer(s), {} added, {} removed, {} changed",
          peers.size(),
          added,
          removed,
          peers.entrySet().stream()
              .filter(en -> before.containsKey(en.getKey()))
              .filter(en -> !before.get(en.getKey()).equals(en.getValue()))
              .count());
    }
    publish();
    try {
      int w = device.ensure();
      if (w > 0) {
        log.info("reconcile: repaired {} with {} kernel write(s)", device.name(), w);
      }
      writes += w;
    } catch (NetlinkException e) {
      throw new BackendException("udp: cannot repair " + device.name() + ": " + e.getMessage(), e);
    }
  }

  /** Whether a peer lease can be routed to; warns once per lease and reason when not. */
  private boolean usable(Lease l) {
    if (l.subnet() != null && own.subnet() != null && l.subnet().equals(own.subnet())) {
      return false;
    }
    String type = l.attrs().backendType();
    if (!type.isEmpty() && !type.toLowerCase(Locale.ROOT).equals(UdpFactory.TYPE)) {
      warnings.skipPeer(l.subnets(), "backend type " + type + " is not udp");
      return false;
    }
    if (l.subnet() == null || l.attrs().publicIp() == null) {
      warnings.skipPeer(l.subnets(), "no IPv4 subnet or public IP");
      return false;
    }
    return true;
  }

  private void publish() {
    List<PeerTable.Route> routes = new ArrayList<>(peers.size());
    for (Lease l : peers.values()) {
      routes.add(new PeerTable.Route(l.subnet(), l.attrs().publicIp()));
    }
    forwarder.publish(PeerTable.of(routes));
  }

  /**
   * Runs the packet loops until closed, re-creating the TUN device when someone deletes it, and
   * watches it ({@link DeviceWatch}): set down or changed, it is made right at once ({@link
   * #deviceChanged}).
   */
  @Override
  public void run() throws BackendException, InterruptedException {
    DeviceWatch watch = null;
    try {
      watch = DeviceWatch.start(kernel, Set.of(device.name()), names -> deviceChanged());
    } catch (NetlinkException e) {
      log.warn(
          "udp: cannot watch {} ({}): set down, it is set up by the next reconcile only",
          device.name(),
          e.getMessage());
    }
    try {
      forward();
    } finally {
      if (watch != null) {
        watch.close();
      }
    }
  }

  /**
   * The TUN device changed: set down or its MTU, address or route changed, it is made right (a
   * deleted one the packet loops notice, and it is re-created there).
   */
  synchronized void deviceChanged() {
    if (closed) {
      return;
    }
    try {
      Optional<Link> now = kernel.findLink(device.name());
      if (now.isEmpty()) {
        return;
      }
      boolean down = !now.get().isUp();
      int w = device.ensure();
      if (w > 0) {
        writes += w;
        repairs.count(down ? DeviceRepairs.Reason.DOWN : DeviceRepairs.Reason.CHANGED);
        log.warn(
            "udp: {} was {}: made right with {} kernel write(s)",
            device.name(),
            down ? "set down" : "changed",
            w);
      }
    } catch (NetlinkException e) {
      log.debug("udp: {} not repaired now: {}", device.name(), e.getMessage());
    }
  }

  private void forward() throws BackendException, InterruptedException {
    Forwarder fw = forwarder;
    while (fw != null) {
      fw.start();
      String failure = fw.await();
      if (failure == null) {
        return; // closed
      }
      if (!fw.isDeviceGone()) {
        throw new BackendException("udp: " + failure);
      }
      fw = recreate(fw, failure);
    }
  }

  /**
   * Replaces the loops of a deleted TUN device: opens the device again, restores its address, MTU
   * and route, and starts a forwarder on the same sockets with the same peer table and counters.
   * Returns null when the network was closed meanwhile.
   */
  private Forwarder recreate(Forwarder old, String failure) throws BackendException {
    log.warn("udp: {}; re-creating {}", failure, device.name());
    old.closeKeepingSockets();
    synchronized (this) {
      if (closed) {
        for (int fd : old.sockets()) {
          Native.close(fd);
        }
        return null;
      }
      List<Tun> queues = List.of();
      try {
        queues = reopen.open();
        int w = device.ensure();
        Forwarder next =
            new Forwarder(device.name(), queues, old.sockets(), port, tunMtu, old.counters);
        next.publish(old.table());
        forwarder = next;
        writes += w;
        recreations++;
        repairs.count(DeviceRepairs.Reason.DELETED);
        log.info("udp: re-created {} ({} kernel write(s)); forwarding again", device.name(), w);
        return next;
      } catch (NetlinkException | SysException e) {
        queues.forEach(Tun::close);
        for (int fd : old.sockets()) {
          Native.close(fd);
        }
        throw new BackendException(
            "udp: " + device.name() + " was deleted and cannot be re-created: " + e.getMessage(),
            e);
      }
    }
  }

  @Override
  public void close() {
    Forwarder fw;
    synchronized (this) {
      closed = true;
      fw = forwarder;
    }
    fw.close();
    synchronized (this) {
      kernel.close();
    }
  }
}
