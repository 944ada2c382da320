package io.jflannel.netlink.bench;

import io.jflannel.netlink.Ips;
import io.jflannel.netlink.Neighbour;
import io.jflannel.netlink.Netlink;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Request;
import io.jflannel.netlink.wire.Rt;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code 10.a.b.0 lladdr 0e:00:00:00:a:b dev flannel.1 nud permanent}: the ARP entry per peer. */
final class NeighbourWorkload extends Workload {
  private final Neighbour[] neighbours;
  private final Map<InetAddress, Neighbour> byIp = new HashMap<>();
  private final int flannel;

  NeighbourWorkload(int n, int flannel) {
    super(n);
    this.flannel = flannel;
    neighbours = new Neighbour[n];
    for (int k = 1; k <= n; k++) {
      Neighbour x = Neighbour.permanent(flannel, vtep(k), mac(k));
      neighbours[k - 1] = x;
      byIp.put(x.ip(), x);
    }
  }

  @Override
  String name() {
    return "neigh (ARP)";
  }

  @Override
  String tool() {
    return "ip";
  }

  @Override
  void addEach(Netlink nl) throws NetlinkException {
    for (Neighbour x : neighbours) {
      nl.neighbours().replace(x);
    }
  }

  @Override
  void deleteEach(Netlink nl) throws NetlinkException {
    for (Neighbour x : neighbours) {
      nl.neighbours().delete(x);
    }
  }

  @Override
  List<Request> addRequests(Netlink nl) {
    List<Request> out = new ArrayList<>(n);
    for (Neighbour x : neighbours) {
      out.add(nl.neighbours().replaceRequest(x));
    }
    return out;
  }

  @Override
  List<Request> deleteRequests(Netlink nl) {
    List<Request> out = new ArrayList<>(n);
    for (Neighbour x : neighbours) {
      out.add(nl.neighbours().deleteRequest(x));
    }
    return out;
  }

  @Override
  String addBatch() {
    StringBuilder s = new StringBuilder();
    for (Neighbour x : neighbours) {
      s.append("neigh replace ").append(Ips.format(x.ip())).append(" lladdr ").append(x.mac());
      s.append(" dev flannel.1 nud permanent\n");
    }
    return s.toString();
  }

  @Override
  String deleteBatch() {
    StringBuilder s = new StringBuilder();
    for (Neighbour x : neighbours) {
      s.append("neigh del ").append(Ips.format(x.ip())).append(" lladdr ").append(x.mac());
      s.append(" dev flannel.1\n");
    }
    return s.toString();
  }

  @Override
  Census census(Netlink nl) throws NetlinkException {
    int byKey = 0;
    int exact = 0;
    for (Neighbour x : nl.neighbours().list(flannel)) {
      Neighbour want = byIp.get(x.ip());
      if (want != null) {
        byKey++;
        if (want.mac().equals(x.mac()) && (x.state() & Rt.NUD_PERMANENT) != 0) {
          exact++;
        }
      }
    }
    return new Census(byKey, exact);
  }
}
