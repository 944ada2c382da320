package io.jflannel.netlink.bench;

import io.jflannel.netlink.FdbEntry;
import io.jflannel.netlink.Ips;
import io.jflannel.netlink.MacAddress;
import io.jflannel.netlink.Netlink;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Request;
import io.jflannel.netlink.wire.Rt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code 0e:00:00:00:a:b dev flannel.1 dst 172.16.a.b self permanent}: the FDB entry per peer. */
final class FdbWorkload extends Workload {
  private final FdbEntry[] entries;
  private final Map<MacAddress, FdbEntry> byMac = new HashMap<>();
  private final int flannel;

  FdbWorkload(int n, int flannel) {
    super(n);
    this.flannel = flannel;
    entries = new FdbEntry[n];
    for (int k = 1; k <= n; k++) {
      FdbEntry f = FdbEntry.permanent(flannel, mac(k), node(k));
      entries[k - 1] = f;
      byMac.put(f.mac(), f);
    }
  }

  @Override
  String name() {
    return "fdb";
  }

  @Override
  String tool() {
    return "bridge";
  }

  @Override
  void addEach(Netlink nl) throws NetlinkException {
    for (FdbEntry f : entries) {
      nl.fdb().append(f);
    }
  }

  @Override
  void deleteEach(Netlink nl) throws NetlinkException {
    for (FdbEntry f : entries) {
      nl.fdb().delete(f);
    }
  }

  @Override
  List<Request> addRequests(Netlink nl) {
    List<Request> out = new ArrayList<>(n);
    for (FdbEntry f : entries) {
      out.add(nl.fdb().appendRequest(f));
    }
    return out;
  }

  @Override
  List<Request> deleteRequests(Netlink nl) {
    List<Request> out = new ArrayList<>(n);
    for (FdbEntry f : entries) {
      out.add(nl.fdb().deleteRequest(f));
    }
    return out;
  }

  private String lines(String verb) {
    StringBuilder s = new StringBuilder();
    for (FdbEntry f : entries) {
      s.append("fdb ").append(verb).append(' ').append(f.mac()).append(" dev flannel.1 dst ");
      s.append(Ips.format(f.dst())).append(" self permanent\n");
    }
    return s.toString();
  }

  @Override
  String addBatch() {
    return lines("append");
  }

  @Override
  String deleteBatch() {
    return lines("del");
  }

  @Override
  Census census(Netlink nl) throws NetlinkException {
    int byKey = 0;
    int exact = 0;
    for (FdbEntry f : nl.fdb().list(flannel)) {
      FdbEntry want = byMac.get(f.mac());
      if (want != null) {
        byKey++;
        if (want.dst().equals(f.dst()) && (f.state() & Rt.NUD_PERMANENT) != 0) {
          exact++;
        }
      }
    }
    return new Census(byKey, exact);
  }
}
