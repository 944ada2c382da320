package io.jflannel.backend.udp;

import io.jflannel.backend.common.NetlinkKernel;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.testing.TestNetns;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A simulated node for the kernel tests and the benchmark: a network namespace with an underlay
 * interface, running the udp backend in this process exactly as the daemon would (prepare,
 * register, reconcile, run), with its TUN and socket opened inside the namespace.
 */
final class SimulatedHost implements AutoCloseable {
  /** The namespace, when a test made it; null when the host runs in one made outside. */
  final TestNetns ns;

  final String nsName;
  final String ifaceName;
  final Ip4 underlay;
  final Lease lease;
  UdpNetwork network;
  private CompletableFuture<Void> running;

  SimulatedHost(TestNetns ns, String ifaceName, String underlay, String subnet) {
    this(ns, ns.name(), ifaceName, underlay, subnet);
  }

  /** A host in the existing namespace {@code nsName}. */
  SimulatedHost(String nsName, String ifaceName, String underlay, String subnet) {
    this(null, nsName, ifaceName, underlay, subnet);
  }

  private SimulatedHost(
      TestNetns ns, String nsName, String ifaceName, String underlay, String subnet) {
    this.ns = ns;
    this.nsName = nsName;
    this.ifaceName = ifaceName;
    this.underlay = Ip4.parse(underlay);
    this.lease = lease(subnet, underlay, "");
  }

  static Lease lease(String subnet, String publicIp, String type) {
    return new Lease(
        Ip4Net.parse(subnet),
        null,
        new LeaseAttrs(Ip4.parse(publicIp), null, type, null, null),
        null,
        0);
  }

  static NetworkConfig config(int port) throws Exception {
    return NetworkConfig.parse(
        "{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"udp\",\"Port\":" + port + "}}");
  }

  /** Prepares and registers the backend, feeds it {@code peers}, starts its packet loops. */
  UdpNetwork start(NetworkConfig config, List<Lease> peers, int queues) throws Exception {
    NetlinkKernel kernel = NetlinkKernel.openInNamespace(nsName);
    Link link = kernel.findLink(ifaceName).orElseThrow();
    ExternalInterface iface =
        new ExternalInterface(ifaceName, link.index(), link.mtu(), underlay, null, underlay, null);
    UdpBackend backend =
        new UdpBackend(
            config,
            UdpOptions.parse(config.backend()),
            iface,
            kernel,
            Namespace.named(nsName),
            queues);
    LeaseAttrs attrs = backend.prepare(null);
    if (!attrs.backendType().isEmpty() || !attrs.publicIp().equals(underlay)) {
      throw new AssertionError("unexpected lease attributes " + attrs.toJson());
    }
    network = (UdpNetwork) backend.register(lease);
    network.reconcile(peers);
    UdpNetwork n = network;
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                n.run();
                done.complete(null);
              } catch (Exception e) {
                done.completeExceptionally(e);
              }
            },
            "backend-" + nsName);
    t.setDaemon(true);
    t.start();
    running = done;
    return network;
  }

  /** Whether {@link UdpNetwork#run} has returned (normally or not). */
  boolean stopped() {
    return running != null && running.isDone();
  }

  @Override
  public void close() {
    if (network != null) {
      network.close();
      if (running != null) {
        running.exceptionally(e -> null).join();
      }
    }
  }
}
