package io.jflannel.daemon.run;

import io.jflannel.core.config.NetworkConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the host must provide before flanneld programs anything, checked at start. */
public final class HostChecks {
  private HostChecks() {}

  /**
   * As upstream (iptables mode): without br_netfilter, traffic between pods on one bridge bypasses
   * iptables and Services break, so refuse to start. nftables mode skips the check, as upstream.
   *
   * @throws StartupException naming the missing file and the fix
   */
  public static void brNetfilter(NetworkConfig config) throws StartupException {
    if (config.enableNFTables()) {
      return;
    }
    List<String> files = new ArrayList<>();
    if (config.enableIPv4()) {
      files.add("/proc/sys/net/bridge/bridge-nf-call-iptables");
    }
    if (config.enableIPv6()) {
      files.add("/proc/sys/net/bridge/bridge-nf-call-ip6tables");
    }
    for (String f : files) {
      if (!Files.exists(Path.of(f))) {
        throw new StartupException(
            "failed to check br_netfilter: "
                + f
                + " does not exist; load the module with `modprobe br_netfilter` (and add it to"
                + " /etc/modules-load.d/)");
      }
    }
  }
}
