package io.jflannel.subnet.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.subnet.LeaseSnapshot;
import io.jflannel.core.subnet.SubnetException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every Node's lease at one moment, for {@code flanneld diagnose}: the Nodes listed page by page
 * ({@link NodeLister}) and projected as the watch projects them ({@link NodeProjector}), this
 * node's own included. Reads only.
 */
final class NodeInventory {
  private NodeInventory() {}

  /**
   * The leases of every Node, and {@code ownName}'s. Kube leases never lapse: their expiration is
   * null.
   */
  static LeaseSnapshot read(
      KubernetesClient client, String ownName, KubeAnnotations names, NetworkConfig conf)
      throws SubnetException, InterruptedException {
    NodeProjector projector = new NodeProjector(names, conf.enableIPv4(), conf.enableIPv6());
    List<Lease> all = new ArrayList<>();
    Lease[] own = new Lease[1];
    try {
      new NodeLister(client, NodeLister.DEFAULT_PAGE_SIZE)
          .list(
              node -> {
                Lease l = projector.project(node).lease();
                if (l != null) {
                  Lease kept = new Lease(l.subnet(), l.ipv6Subnet(), l.attrs(), null, 0);
                  all.add(kept);
                  if (ownName.equals(node.getMetadata().getName())) {
                    own[0] = kept;
                  }
                }
              });
    } catch (IOException | RuntimeException e) {
      throw new SubnetException("cannot list the nodes: " + e.getMessage(), e);
    }
    return new LeaseSnapshot(all, Optional.ofNullable(own[0]));
  }
}
