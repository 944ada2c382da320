package io.jflannel.backend.udp;

import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.backend.Network;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.netlink.Netlink;
import io.jflannel.netlink.NetlinkException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * on (the TUN device was deleted).
 *
 * <p>Threading: {@link #handle} and {@link #reconcile} come from the daemon's event thread, {@link
 * #run} from its own, {@link #close} from any. Closing stops the loops and closes the TUN queues,
 * so the device and its route disappear, as upstream's do on exit; it also closes the {@link
 * Netlink} handle.
 */
public final class UdpNetwork implements Network {
  private static final Logger log = LoggerFactory.getLogger(UdpNetwork.class);

  private final Netlink nl;
  private final TunDevice device;
  private final ExternalInterface iface;
  private final Lease own;
  private final Forwarder forwarder;
  private final Map<Ip4Net, Lease> peers = new LinkedHashMap<>();
  private final Set<String> warned = new HashSet<>();
  private long writes;

  UdpNetwork(
      Netlink nl, TunDevice device, ExternalInterface iface, Lease own, Forwarder forwarder) {
    this.nl = nl;
    this.device = device;
    this.iface = iface;
    this.own = own;
    this.forwarder = forwarder;
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

  /** Kernel writes made by reconciles so far (device repairs), for metrics and tests. */
  public synchronized long writes() {
    return writes;
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
      warnOnce(l, "backend type " + type + " is not udp");
      return false;
    }
    if (l.subnet() == null || l.attrs().publicIp() == null) {
      warnOnce(l, "no IPv4 subnet or public IP");
      return false;
    }
    return true;
  }

  private void warnOnce(Lease l, String why) {
    if (warned.add(l.subnets() + " " + why)) {
      log.warn("skipping peer lease {}: {}", l.subnets(), why);
    }
  }

  private void publish() {
    List<PeerTable.Route> routes = new ArrayList<>(peers.size());
    for (Lease l : peers.values()) {
      routes.add(new PeerTable.Route(l.subnet(), l.attrs().publicIp()));
    }
    forwarder.publish(PeerTable.of(routes));
  }

  @Override
  public void run() throws BackendException, InterruptedException {
    forwarder.start();
    String failure = forwarder.await();
    if (failure != null) {
      throw new BackendException("udp: " + failure);
    }
  }

  @Override
  public void close() {
    forwarder.close();
    synchronized (this) {
      nl.close();
    }
  }
}
