package io.jflannel.e2e;

import java.util.List;

/**
 * The nftables-mode scenarios in kube mode (the mock API server, net-conf.json in a file, the
 * DaemonSet's flags, which include {@code --ip-masq}).
 */
class NftablesKubeIT extends NftablesScenarios {
  @Override
  Cluster start(String netConf, List<String> flags) {
    return Cluster.withKube("nft-kube", Backend.VXLAN, 2, netConf, flags);
  }
}
