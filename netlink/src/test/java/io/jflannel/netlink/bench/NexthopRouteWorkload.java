package io.jflannel.netlink.bench;

import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Ips;
import io.jflannel.netlink.Netlink;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Nexthop;
import io.jflannel.netlink.Request;
import io.jflannel.netlink.Route;
import io.jflannel.netlink.wire.Rt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code nexthop add id k via 172.16.a.b dev ext0 onlink} then {@code route replace 10.a.b.0/24
 * nhid k}: host-gw routes through nexthop objects, as {@code scripts/kernel-limits}' {@code
 * route-nhobj}. Two operations per entry; deletion removes the routes first, then the nexthops.
 */
final class NexthopRouteWorkload extends Workload {
  private final Nexthop[] nexthops;
  private final Route[] routes;
  private final Map<Integer, Nexthop> byId = new HashMap<>();
  private final Map<IpPrefix, Route> byDst = new HashMap<>();

  NexthopRouteWorkload(int n, int ext) {
    super(n);
    nexthops = new Nexthop[n];
    routes = new Route[n];
    for (int k = 1; k <= n; k++) {
      nexthops[k - 1] = Nexthop.via(k, node(k), ext, true);
      routes[k - 1] = Route.nexthop(subnet(k), k);
      byId.put(k, nexthops[k - 1]);
      byDst.put(routes[k - 1].dst(), routes[k - 1]);
    }
  }

  @Override
  String name() {
    return "nexthop+route";
  }

  @Override
  String tool() {
    return "ip";
  }

  @Override
  int opsPerEntry() {
    return 2;
  }

  @Override
  void addEach(Netlink nl) throws NetlinkException {
    for (Nexthop h : nexthops) {
      nl.nexthops().add(h);
    }
    for (Route r : routes) {
      nl.routes().replace(r);
    }
  }

  @Override
  void deleteEach(Netlink nl) throws NetlinkException {
    for (Route r : routes) {
      nl.routes().delete(r);
    }
    for (Nexthop h : nexthops) {
      nl.nexthops().delete(h.id());
    }
  }

  @Override
  List<Request> addRequests(Netlink nl) {
    List<Request> out = new ArrayList<>(2 * n);
    for (Nexthop h : nexthops) {
      out.add(nl.nexthops().addRequest(h));
    }
    for (Route r : routes) {
      out.add(nl.routes().replaceRequest(r));
    }
    return out;
  }

  @Override
  List<Request> deleteRequests(Netlink nl) {
    List<Request> out = new ArrayList<>(2 * n);
    for (Route r : routes) {
      out.add(nl.routes().deleteRequest(r));
    }
    for (Nexthop h : nexthops) {
      out.add(nl.nexthops().deleteRequest(h.id()));
    }
    return out;
  }

  @Override
  String addBatch() {
    StringBuilder s = new StringBuilder();
    for (Nexthop h : nexthops) {
      s.append("nexthop add id ").append(h.id()).append(" via ").append(Ips.format(h.gateway()));
      s.append(" dev ext0 onlink\n");
    }
    for (Route r : routes) {
      s.append("route replace ").append(r.dst()).append(" nhid ").append(r.nexthopId());
      s.append('\n');
    }
    return s.toString();
  }

  @Override
  String deleteBatch() {
    StringBuilder s = new StringBuilder();
    for (Route r : routes) {
      s.append("route del ").append(r.dst()).append(" nhid ").append(r.nexthopId()).append('\n');
    }
    for (Nexthop h : nexthops) {
      s.append("nexthop del id ").append(h.id()).append('\n');
    }
    return s.toString();
  }

  @Override
  Census census(Netlink nl) throws NetlinkException {
    int byKey = 0;
    int exact = 0;
    for (Nexthop h : nl.nexthops().list()) {
      Nexthop want = byId.get(h.id());
      if (want != null) {
        byKey++;
        if (want.gateway().equals(h.gateway())
            && h.linkIndex() == want.linkIndex()
            && h.isOnlink()) {
          exact++;
        }
      }
    }
    for (Route r : nl.routes().list(Rt.AF_INET, Rt.RT_TABLE_MAIN)) {
      Route want = byDst.get(r.dst());
      if (want != null) {
        byKey++;
        if (r.nexthopId() == want.nexthopId()) {
          exact++;
        }
      }
    }
    return new Census(byKey, exact);
  }
}
