package io.jflannel.daemon.run;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.core.subnet.SubnetException;
import io.jflannel.core.subnet.SubnetManager;
import io.jflannel.daemon.EtcdFlags;
import io.jflannel.daemon.FlannelOptions;
import io.jflannel.daemon.KubeFlags;
import io.jflannel.subnet.SubnetEnv;
import io.jflannel.subnet.SubnetFile;
import io.jflannel.subnet.etcd.EtcdOptions;
import io.jflannel.subnet.etcd.EtcdSubnetManager;
import io.jflannel.subnet.kube.KubeOptions;
import io.jflannel.subnet.kube.KubeSubnetManager;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The subnet manager the flags select, built from them. */
public final class Managers {
  private static final Logger log = LoggerFactory.getLogger(Managers.class);

  private Managers() {}

  /** {@code --kube-subnet-mgr}: Kubernetes; else etcd. */
  public static ManagerFactory forOptions(FlannelOptions o) {
    return o.kubeSubnetMgr() ? kube(o) : etcd(o);
  }

  private static ManagerFactory kube(FlannelOptions o) {
    KubeFlags k = o.kube();
    KubeOptions ko =
        KubeOptions.defaults()
            .withApiUrl(k.apiUrl().orElse(""))
            .withAnnotationPrefix(k.annotationPrefix())
            .withNetConfigPath(Path.of(k.netConfigPath()))
            .withSetNodeNetworkUnavailable(k.setNodeNetworkUnavailable());
    if (k.kubeconfigFile().isPresent()) {
      ko = ko.withKubeconfigFile(Path.of(k.kubeconfigFile().get()));
    }
    KubeOptions options = ko;
    return new ManagerFactory() {
      @Override
      public SubnetManager connect() throws SubnetException {
        return KubeSubnetManager.connect(options);
      }

      @Override
      public LeaseAttrs previousAttrs(SubnetManager manager, LeaseAttrs probe) {
        try {
          Optional<String> mac = ((KubeSubnetManager) manager).storedVtepMac();
          if (mac.isEmpty()) {
            return null;
          }
          var data = JsonNodeFactory.instance.objectNode().put("VtepMAC", mac.get());
          return new LeaseAttrs(
              probe.publicIp(), probe.publicIpv6(), probe.backendType(), data, null);
        } catch (SubnetException e) {
          log.warn("cannot read this node's previous backend data: {}", e.getMessage());
          return null;
        }
      }
    };
  }

  private static ManagerFactory etcd(FlannelOptions o) {
    EtcdFlags e = o.etcd();
    Optional<SubnetEnv> previous = new SubnetFile(Path.of(o.subnetFile())).read();
    EtcdOptions options =
        EtcdOptions.defaults()
            .withEndpoints(e.endpoints())
            .withPrefix(e.prefix())
            .withTls(e.keyfile().orElse(""), e.certfile().orElse(""), e.cafile().orElse(""))
            .withCredentials(e.username().orElse(""), e.password().orElse(""))
            .withRenewMargin(o.subnetLeaseRenewMargin())
            .withPreviousSubnets(
                previous.map(SubnetEnv::subnet), previous.map(SubnetEnv::ipv6Subnet));
    return new ManagerFactory() {
      @Override
      public SubnetManager connect() throws SubnetException {
        return EtcdSubnetManager.connect(options);
      }

      @Override
      public LeaseAttrs previousAttrs(SubnetManager manager, LeaseAttrs probe) {
        return null; // a compatible flannel.<VNI> keeps its MAC; etcd peers follow a new one
      }
    };
  }

  /**
   * Kube: the node's {@code node-public-ip} annotation, which stands in for {@code --public-ip}.
   */
  public static Optional<Ip4> pinnedPublicIp(SubnetManager manager) {
    if (manager instanceof KubeSubnetManager k) {
      try {
        return k.storedPublicIp();
      } catch (SubnetException e) {
        log.warn("cannot read the node-public-ip annotation: {}", e.getMessage());
      }
    }
    return Optional.empty();
  }
}
