package io.jflannel.backend.wireguard;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A WireGuard device in memory: holds a private key, a port and peers as a real device would,
 * applies updates the way the kernel and wireguard-go do (removals, then upserts replacing a peer's
 * allowed IPs in place, an allowed IP moving to the peer that claims it last), records every
 * update, and can be "killed" (as a wireguard-go that dies takes its device with it).
 */
final class FakeWgDevice implements WgDevice {
  private final String name;
  WgKey privateKey;
  int port;
  final Map<WgKey, WgPeer> peers = new LinkedHashMap<>();
  final List<WgUpdate> updates = new ArrayList<>();
  boolean alive = true;
  int ensures;
  int created;
  boolean closed;

  FakeWgDevice(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String kind() {
    return "fake";
  }

  @Override
  public boolean ensure() {
    ensures++;
    if (!alive) { // a new wireguard-go: a blank device
      alive = true;
      privateKey = null;
      port = 0;
      peers.clear();
      created++;
      return true;
    }
    return false;
  }

  @Override
  public boolean alive() {
    return alive;
  }

  @Override
  public WgState read() throws WgException {
    if (!alive) {
      throw new WgException(name + " is gone");
    }
    return new WgState(privateKey, port, List.copyOf(peers.values()), 0);
  }

  @Override
  public void write(WgUpdate u) throws WgException {
    if (!alive) {
      throw new WgException(name + " is gone");
    }
    updates.add(u);
    if (u.privateKey() != null) {
      privateKey = u.privateKey();
    }
    if (u.listenPort() != 0) {
      port = u.listenPort();
    }
    u.removals().forEach(peers::remove);
    for (WgPeer p : u.upserts()) {
      for (Map.Entry<WgKey, WgPeer> e : peers.entrySet()) { // an allowed IP has one owner
        WgPeer o = e.getValue();
        if (!o.publicKey().equals(p.publicKey())) {
          List<io.jflannel.netlink.IpPrefix> left = new ArrayList<>(o.allowedIps());
          left.removeAll(p.allowedIps());
          e.setValue(
              new WgPeer(o.publicKey(), o.endpoint(), left, o.presharedKey(), o.keepalive()));
        }
      }
      peers.put(p.publicKey(), p);
    }
  }

  /** Peer updates only (device settings left out), for assertions. */
  List<WgUpdate> peerUpdates() {
    return updates.stream().filter(u -> !u.removals().isEmpty() || !u.upserts().isEmpty()).toList();
  }

  @Override
  public void close() {
    closed = true;
  }
}
