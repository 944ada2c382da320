package io.jflannel.daemon.diagnose;

import io.jflannel.core.backend.Backend;
import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.BackendFactory;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.backend.Finding;
import io.jflannel.core.backend.Inspection;
import io.jflannel.core.config.ConfigException;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseKey;
import io.jflannel.core.subnet.LeaseSnapshot;
import io.jflannel.core.subnet.SubnetException;
import io.jflannel.core.subnet.SubnetManager;
import io.jflannel.daemon.FlannelOptions;
import io.jflannel.daemon.iface.InterfaceCriteria;
import io.jflannel.daemon.iface.InterfaceSelectionException;
import io.jflannel.daemon.iface.InterfaceSelector;
import io.jflannel.daemon.run.ManagerFactory;
import io.jflannel.daemon.traffic.Drift;
import io.jflannel.daemon.traffic.ProcessRunner;
import io.jflannel.daemon.traffic.TrafficRules;
import io.jflannel.daemon.traffic.TrafficRulesException;
import io.jflannel.netlink.Netlink;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.subnet.SubnetEnv;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code flanneld diagnose}: on a node, with the daemon's own flags and environment, reads the
 * lease store, this host's kernel (through the netlink binding) and rules, and reports what is
 * wrong with pod networking here and how to fix it. It never changes anything: the store is only
 * read, the backend is looked at through a read-only kernel ({@link Backend#inspect}), the rules
 * through a runner that runs only reading commands ({@link TrafficRules#check}), the sysctls
 * through {@code /proc/sys}.
 *
 * <p>The checks, in the report's order: this node's lease (present, held by this node, not
 * expiring), subnet.env against it, the backend's devices, every peer's entries (the backend's own
 * plan, so diagnose and the reconcile cannot disagree), the way to each peer's public IP, {@code
 * cni0} and its ports against FLANNEL_MTU, the masquerade and forward rules, forwarding,
 * br_netfilter and reverse-path filtering. What cannot be read at all (the store, the network
 * config, the interface, netlink) stops the checks: exit 2.
 */
final class Diagnose {
  /** A check that cannot be made: the report says so, and the exit code is 2. */
  static final class CannotCheck extends Exception {
    CannotCheck(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final FlannelOptions options;
  private final ManagerFactory managers;
  private final Path procSys;
  private final Report report;
  private final Clock clock;
  private List<String> devices = List.of(); // the backend's devices that carry pod traffic

  Diagnose(
      FlannelOptions options, ManagerFactory managers, Path procSys, Report report, Clock clock) {
    this.options = options;
    this.managers = managers;
    this.procSys = procSys;
    this.report = report;
    this.clock = clock;
  }

  /** Runs every check into the report. */
  void run() throws CannotCheck, InterruptedException {
    NodeChecks.SubnetEnvFile file = NodeChecks.SubnetEnvFile.read(Path.of(options.subnetFile()));
    try (SubnetManager manager = connect()) {
      NetworkConfig config = networkConfig(manager);
      ExternalInterface iface = externalInterface(config);
      LeaseSnapshot snapshot = leases(manager, file);
      report.context("store", manager.name());
      report.context("backend", config.backendType());
      report.context("interface", describe(iface));
      List<Finding> out = new ArrayList<>();
      Optional<Lease> own =
          NodeChecks.lease(snapshot, iface, options.subnetLeaseRenewMargin(), clock.instant(), out);
      own.ifPresent(l -> report.context("lease", l.subnets()));
      report.addAll(out);
      List<Lease> peers =
          snapshot.leases().stream()
              .filter(l -> own.isEmpty() || !l.sameSubnets(own.get()))
              .toList();
      int mtu = backend(config, iface, own, file, peers);
      host(config, iface, own, peers, mtu);
    }
  }

  private static String describe(ExternalInterface iface) {
    List<String> ips = new ArrayList<>();
    if (iface.address() != null) {
      ips.add(
          iface.address()
              + (iface.address().equals(iface.publicIp()) ? "" : ", public " + iface.publicIp()));
    }
    if (iface.ipv6Address() != null) {
      ips.add(
          iface.ipv6Address()
              + (iface.ipv6Address().equals(iface.publicIpv6())
                  ? ""
                  : ", public " + iface.publicIpv6()));
    }
    return iface.name() + " " + String.join(" ", ips) + ", mtu " + iface.mtu();
  }

  private SubnetManager connect() throws CannotCheck, InterruptedException {
    try {
      return managers.connect();
    } catch (SubnetException e) {
      throw new CannotCheck("cannot connect to the lease store: " + e.getMessage(), e);
    }
  }

  private static NetworkConfig networkConfig(SubnetManager manager)
      throws CannotCheck, InterruptedException {
    try {
      return manager.networkConfig();
    } catch (ConfigException e) {
      throw new CannotCheck("bad network config: " + e.getMessage(), e);
    } catch (SubnetException e) {
      throw new CannotCheck("cannot read the network config: " + e.getMessage(), e);
    }
  }

  private ExternalInterface externalInterface(NetworkConfig config) throws CannotCheck {
    InterfaceCriteria criteria =
        InterfaceCriteria.of(options, config.enableIPv4(), config.enableIPv6());
    try (Netlink nl = Netlink.open()) {
      return new InterfaceSelector(nl).select(criteria);
    } catch (NetlinkException e) {
      throw new CannotCheck("cannot read the host's interfaces: " + e.getMessage(), e);
    } catch (InterfaceSelectionException e) {
      throw new CannotCheck(e.getMessage(), e);
    }
  }

  private static LeaseSnapshot leases(SubnetManager manager, NodeChecks.SubnetEnvFile file)
      throws CannotCheck, InterruptedException {
    SubnetEnv env = file.env();
    LeaseKey expected = env == null ? null : new LeaseKey(env.subnet(), env.ipv6Subnet());
    try {
      return manager.inspect(expected);
    } catch (SubnetException e) {
      throw new CannotCheck("cannot read the leases: " + e.getMessage(), e);
    }
  }

  /**
   * subnet.env, the backend's devices and every peer's entries; returns FLANNEL_MTU as flanneld
   * would write it.
   */
  private int backend(
      NetworkConfig config,
      ExternalInterface iface,
      Optional<Lease> own,
      NodeChecks.SubnetEnvFile file,
      List<Lease> peers)
      throws CannotCheck {
    BackendFactory factory =
        BackendFactory.find(config.backendType())
            .orElseThrow(
                () -> new CannotCheck("unknown backend type " + config.backendType(), null));
    if (own.isEmpty()) {
      report.add(NodeChecks.subnetEnv(file, null));
      return file.env() == null ? iface.mtu() : file.env().mtu();
    }
    try (Inspection in = factory.create(config, iface).inspect(own.get())) {
      int mtu = in.mtu();
      report.add(
          NodeChecks.subnetEnv(file, NodeChecks.wanted(config, own.get(), mtu, options.ipMasq())));
      report.addAll(in.devices());
      report.addAll(PeerFindings.of(in.plan(peers), peers.size(), config.backendType()));
      this.devices = in.deviceNames();
      return mtu;
    } catch (BackendException e) {
      report.add(
          Finding.warning("backend", config.backendType(), "not checked: " + e.getMessage(), ""));
      return iface.mtu();
    }
  }

  /** What is not the backend's: the links, the rules, the sysctls. */
  private void host(
      NetworkConfig config,
      ExternalInterface iface,
      Optional<Lease> own,
      List<Lease> peers,
      int mtu)
      throws CannotCheck {
    try (Netlink nl = Netlink.open()) {
      report.addAll(LinkChecks.peerPaths(nl, config, iface, peers));
      report.addAll(LinkChecks.bridge(nl, mtu));
    } catch (NetlinkException e) {
      throw new CannotCheck("cannot read the kernel: " + e.getMessage(), e);
    }
    own.map(l -> NodeChecks.wanted(config, l, mtu, options.ipMasq()))
        .ifPresent(want -> report.addAll(rules(config, want)));
    List<String> carriers = new ArrayList<>(devices);
    carriers.add(iface.name());
    List<Finding> sysctls = new ArrayList<>();
    new Sysctls(procSys).check(config, carriers, sysctls);
    report.addAll(sysctls);
  }

  private List<Finding> rules(NetworkConfig config, SubnetEnv want) {
    String mode = config.enableNFTables() ? "nftables" : "iptables";
    List<Drift> drift;
    try {
      drift =
          TrafficRules.check(
              config.enableNFTables(),
              options.iptablesForwardRules(),
              options.ipMasqFullyRandomDisable(),
              want,
              new ProcessRunner());
    } catch (TrafficRulesException e) {
      return List.of(Finding.warning("rules", mode, "cannot be read: " + e.getMessage(), ""));
    }
    if (drift.isEmpty()) {
      return List.of(
          Finding.ok(
              "rules",
              mode,
              (want.ipMasq() ? "masquerade" : "no masquerade (--ip-masq off)")
                  + (options.iptablesForwardRules() ? " and forward" : "")
                  + " rules in place"));
    }
    List<Finding> out = new ArrayList<>();
    for (Drift d : drift) {
      out.add(
          Finding.problem(
              "rules",
              mode + " " + d.table() + (d.chain() == null ? "" : " " + d.chain()),
              d.detail(),
              "flanneld restores its rules every --iptables-resync seconds while it runs: start"
                  + " flanneld, or see what rewrites them (another firewall manager?)"));
    }
    return out;
  }
}
