package io.jflannel.netlink.bench;

import io.jflannel.netlink.IpPrefix;
import io.jflannel.netlink.Ips;
import io.jflannel.netlink.Netlink;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Request;
import io.jflannel.netlink.Route;
import io.jflannel.netlink.wire.Rt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code 10.a.b.0/24 via 10.a.b.0 dev flannel.1 onlink}: flannel's vxlan route per peer. */
final class RouteWorkload extends Workload {
  private final Route[] routes;
  private final Map<IpPrefix, Route> byDst = new HashMap<>();

  RouteWorkload(int n, int flannel) {
    super(n);
    routes = new Route[n];
    for (int k = 1; k <= n; k++) {
      Route r = Route.via(subnet(k), vtep(k), flannel).onlink();
      routes[k - 1] = r;
      byDst.put(r.dst(), r);
    }
  }

  @Override
  String name() {
    return "route";
  }

  @Override
  String tool() {
    return "ip";
  }

  @Override
  void addEach(Netlink nl) throws NetlinkException {
    for (Route r : routes) {
      nl.routes().replace(r);
    }
  }

  @Override
  void deleteEach(Netlink nl) throws NetlinkException {
    for (Route r : routes) {
      nl.routes().delete(r);
    }
  }

  @Override
  List<Request> addRequests(Netlink nl) {
    List<Request> out = new ArrayList<>(n);
    for (Route r : routes) {
      out.add(nl.routes().replaceRequest(r));
    }
    return out;
  }

  @Override
  List<Request> deleteRequests(Netlink nl) {
    List<Request> out = new ArrayList<>(n);
    for (Route r : routes) {
      out.add(nl.routes().deleteRequest(r));
    }
    return out;
  }

  private String lines(String verb) {
    StringBuilder s = new StringBuilder();
    for (Route r : routes) {
      s.append("route ").append(verb).append(' ').append(r.dst());
      s.append(" via ").append(Ips.format(r.gateway())).append(" dev flannel.1 onlink\n");
    }
    return s.toString();
  }

  @Override
  String addBatch() {
    return lines("replace");
  }

  @Override
  String deleteBatch() {
    return lines("del");
  }

  @Override
  Census census(Netlink nl) throws NetlinkException {
    int byKey = 0;
    int exact = 0;
    for (Route r : nl.routes().list(Rt.AF_INET, Rt.RT_TABLE_MAIN)) {
      Route want = byDst.get(r.dst());
      if (want != null) {
        byKey++;
        if (want.gateway().equals(r.gateway())
            && r.linkIndex() == want.linkIndex()
            && r.isOnlink()
            && r.nexthopId() == 0) {
          exact++;
        }
      }
    }
    return new Census(byKey, exact);
  }
}
