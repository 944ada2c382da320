package io.jflannel.e2e;

import java.util.ArrayList;
import java.util.List;

/**
 * The nftables-mode scenarios in etcd mode (the config under {@code <prefix>/config}, {@code
 * --ip-masq} added).
 */
class NftablesEtcdIT extends NftablesScenarios {
  @Override
  Cluster start(String netConf, List<String> flags) {
    List<String> withMasq = new ArrayList<>(flags);
    withMasq.add("--ip-masq");
    return Cluster.withEtcd("nft-etcd", Backend.VXLAN, 2, netConf, withMasq);
  }
}
