package io.jflannel.backend.wireguard;

import io.jflannel.backend.common.Warnings;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseEvent;
import io.jflannel.core.lease.LeaseKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peers of one WireGuard device kept in line with the peer leases: one peer per usable lease,
 * keyed on the device by public key.
 *
 * <p>It remembers what the device holds ({@code actual}, read at start and after every reconcile,
 * updated after every successful write), so events write only what differs: a new lease adds a
 * peer, a lease whose endpoint or subnets changed replaces its peer in place, a lease whose key
 * changed removes the old peer and adds the new one in the same update, a lease that left removes
 * its peer, and a restart over a correct device writes nothing. {@link #reconcile} reads the device
 * and repairs any drift: peers someone removed, changed or added.
 *
 * <p>Not thread-safe: used under the network's lock.
 */
final class PeerSync {
  private static final Logger log = LoggerFactory.getLogger(PeerSync.class);

  /** Changes up to this many are logged one line each; more in one summary line. */
  private static final int LOG_EACH = 20;

  private final WgDevice device;
  private final PeerSpec spec;
  private final Warnings warnings;
  private final Map<LeaseKey, WgPeer> byLease = new HashMap<>();
  private Map<LeaseKey, Derived> derived = new HashMap<>();
  private final Map<WgKey, LeaseKey> owner = new HashMap<>();
  private Map<WgKey, WgPeer> actual = new HashMap<>();
  private int handshaken;

  PeerSync(WgDevice device, PeerSpec spec, Warnings warnings) {
    this.device = device;
    this.spec = spec;
    this.warnings = warnings;
  }

  WgDevice device() {
    return device;
  }

  /** Peers on the device as last seen. */
  int peers() {
    return actual.size();
  }

  /** Peers that had completed a handshake at the last read. */
  int handshaken() {
    return handshaken;
  }

  /** Forgets what the device holds: the next write compares against a fresh read. */
  void seed() throws WgException {
    seed(device.read());
  }

  /** Takes {@code state}, the device as just read, as what it holds. */
  void seed(WgState state) {
    actual = index(state.peers());
    handshaken = state.handshaken();
  }

  /**
   * Applies lease events.
   *
   * @return the number of peer changes written
   */
  int handle(List<LeaseEvent> events) throws WgException {
    List<WgKey> removals = new ArrayList<>();
    Map<WgKey, WgPeer> upserts = new LinkedHashMap<>();
    for (LeaseEvent e : events) {
      Lease l = e.lease();
      WgPeer want = e instanceof LeaseEvent.Added ? peerFor(l, derived) : null;
      if (!(e instanceof LeaseEvent.Added)) {
        derived.remove(l.key());
      }
      WgPeer old = want == null ? byLease.remove(l.key()) : byLease.put(l.key(), want);
      if (old != null && (want == null || !old.publicKey().equals(want.publicKey()))) {
        if (l.key().equals(owner.get(old.publicKey()))) {
          owner.remove(old.publicKey());
          upserts.remove(old.publicKey());
          if (actual.containsKey(old.publicKey())) {
            removals.add(old.publicKey());
          }
        }
      }
      if (want != null) {
        claim(l.key(), want);
        if (!want.equals(actual.get(want.publicKey()))) {
          upserts.put(want.publicKey(), want);
          removals.remove(want.publicKey());
        }
      }
    }
    return write(removals, new ArrayList<>(upserts.values()));
  }

  /** Records that {@code lease} wants {@code peer}; warns when another lease has the same key. */
  private void claim(LeaseKey lease, WgPeer peer) {
    LeaseKey before = owner.put(peer.publicKey(), lease);
    if (before != null && !before.equals(lease)) {
      warnings.once(
          "dup " + peer.publicKey(),
          "wireguard: leases "
              + before
              + " and "
              + lease
              + " advertise the same public key "
              + peer.publicKey()
              + "; the later one gets the peer");
    }
  }

  /**
   * Makes the device's peers exactly those of {@code leases}: reads the device, removes peers no
   * lease wants, writes missing or differing ones.
   *
   * @return the number of peer changes written
   */
  int reconcile(List<Lease> leases) throws WgException {
    return reconcile(leases, device.read());
  }

  /** As {@link #reconcile(List)}, with the device as just read. */
  int reconcile(List<Lease> leases, WgState state) throws WgException {
    byLease.clear();
    Map<LeaseKey, Derived> next = new HashMap<>(leases.size() * 2);
    owner.clear();
    Map<WgKey, WgPeer> wanted = new LinkedHashMap<>();
    for (Lease l : leases) {
      WgPeer p = peerFor(l, next);
      if (p != null) {
        byLease.put(l.key(), p);
        claim(l.key(), p);
        wanted.put(p.publicKey(), p);
      }
    }
    derived = next;
    seed(state);
    List<WgKey> removals = new ArrayList<>();
    for (WgKey k : actual.keySet()) {
      if (!wanted.containsKey(k)) {
        removals.add(k);
      }
    }
    List<WgPeer> upserts = new ArrayList<>();
    for (WgPeer p : wanted.values()) {
      if (!p.equals(actual.get(p.publicKey()))) {
        upserts.add(p);
      }
    }
    int n = write(removals, upserts);
    if (n > 0) {
      log.info(
          "{}: reconcile: {} peer(s), {} written, {} removed",
          device.name(),
          wanted.size(),
          upserts.size(),
          removals.size());
    }
    return n;
  }

  /**
   * After the device was made anew (wireguard-go restarted, a kernel device re-created) it has no
   * sessions, while its peers still hold theirs and keep sending with them: packets it cannot
   * decrypt, and it would answer nothing, until the peers give up on their session (15 s). Setting
   * a peer's persistent keepalive from 0 makes WireGuard send a keepalive at once, which starts a
   * handshake; the configured value is written back right after. Peers with a keepalive configured
   * already sent one when they were added.
   *
   * @return the number of writes (two per peer without a keepalive)
   */
  int kickHandshakes() throws WgException {
    List<WgPeer> kick = new ArrayList<>();
    List<WgPeer> back = new ArrayList<>();
    for (WgPeer p : actual.values()) {
      if (p.keepalive() == 0) {
        kick.add(new WgPeer(p.publicKey(), p.endpoint(), p.allowedIps(), p.presharedKey(), 1));
        back.add(p);
      }
    }
    if (kick.isEmpty()) {
      return 0;
    }
    device.write(WgUpdate.peers(List.of(), kick));
    device.write(WgUpdate.peers(List.of(), back));
    log.info("{}: handshakes started with {} peer(s)", device.name(), kick.size());
    return 2 * kick.size();
  }

  private int write(List<WgKey> removals, List<WgPeer> upserts) throws WgException {
    if (removals.isEmpty() && upserts.isEmpty()) {
      return 0;
    }
    device.write(WgUpdate.peers(removals, upserts));
    boolean each = removals.size() + upserts.size() <= LOG_EACH;
    for (WgKey k : removals) {
      actual.remove(k);
      if (each) {
        log.info("{}: removed peer {}", device.name(), k);
      }
    }
    for (WgPeer p : upserts) {
      WgPeer before = actual.put(p.publicKey(), p);
      if (each) {
        log.info("{}: {} {}", device.name(), before == null ? "added" : "updated", p);
      }
    }
    if (!each) {
      log.info("{}: wrote {} peer(s), removed {}", device.name(), upserts.size(), removals.size());
    }
    return removals.size() + upserts.size();
  }

  private static Map<WgKey, WgPeer> index(List<WgPeer> peers) {
    Map<WgKey, WgPeer> m = new HashMap<>(peers.size() * 2);
    for (WgPeer p : peers) {
      m.put(p.publicKey(), p);
    }
    return m;
  }

  /** A lease and the peer it gave (null: skipped), so an unchanged lease is not parsed again. */
  private record Derived(Lease lease, WgPeer peer) {}

  /**
   * The peer {@code l} wants: the one derived before when the lease is unchanged (a reconcile sees
   * the same leases pass after pass), else {@link PeerSpec#peerOf}; recorded in {@code into}.
   */
  private WgPeer peerFor(Lease l, Map<LeaseKey, Derived> into) {
    Derived d = derived.get(l.key());
    WgPeer p = d != null && d.lease().equals(l) ? d.peer() : spec.peerOf(l, warnings);
    into.put(l.key(), new Derived(l, p));
    return p;
  }
}
