package io.jflannel.daemon.run;

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

/**
 * The subnet manager the flags select, built from them: the one place that knows the concrete
 * managers.
 */
public final class Managers {
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
    return () -> KubeSubnetManager.connect(options);
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
    return () -> EtcdSubnetManager.connect(options);
  }
}
