package io.jflannel.e2e;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where the daemons get their network config and exchange leases: a real etcd ({@link EtcdServer},
 * etcd mode) or fabric8's mock Kubernetes API server ({@link KubeApiServer}, kube mode: {@code
 * --kube-subnet-mgr}, net-conf.json in a file, leases as node annotations).
 *
 * <p>The cluster asks it for the flanneld flags that point a host's daemon at it, and for the
 * leases it currently holds, which are the truth the kernel state of every host is checked against.
 */
interface ControlPlane extends AutoCloseable {

  /** The flags selecting and reaching this control plane, for the daemon of {@code host}. */
  List<String> daemonFlags(Host host);

  /**
   * Environment variables the daemon of {@code host} needs (kube mode: {@code NODE_NAME}); none by
   * default.
   */
  default Map<String, String> daemonEnv(Host host) {
    return Map.of();
  }

  /**
   * Called when the cluster cables a new host, before its daemon can start. Kube mode registers the
   * host's Node, with its pod CIDR, as kubelet and the controller manager would; nothing by
   * default.
   */
  default void hostAdded(Host host) {}

  /** Makes {@code netConf} (net-conf.json) the network config the daemons will read at start. */
  void writeNetworkConfig(String netConf);

  /**
   * The leases currently held, parsed leniently: a lease whose value is not the JSON flannel writes
   * is left out (the scenarios put such garbage in on purpose).
   */
  List<PeerLease> leases();

  /** The control plane's own log, kept with the daemons' logs. */
  Path log();

  @Override
  void close();
}
