package io.jflannel.daemon;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The {@code --etcd-*} flags of {@link FlannelOptions}: where the etcd subnet manager (the default
 * mode, without {@code --kube-subnet-mgr}) finds etcd, how it authenticates, and under which key
 * prefix the network config and the leases live. Same names and defaults as upstream.
 *
 * <p>Filled in by picocli as a mixin of {@link FlannelOptions}; read-only afterwards.
 */
public final class EtcdFlags {
  @Option(
      names = "--etcd-endpoints",
      paramLabel = "<urls>",
      defaultValue = "http://127.0.0.1:4001,http://127.0.0.1:2379",
      description = "a comma-delimited list of etcd endpoints (default: ${DEFAULT-VALUE})")
  private String etcdEndpoints;

  @Option(
      names = "--etcd-prefix",
      paramLabel = "<key>",
      defaultValue = "/coreos.com/network",
      description = "etcd prefix (default: ${DEFAULT-VALUE})")
  private String etcdPrefix;

  @Option(
      names = "--etcd-keyfile",
      paramLabel = "<file>",
      defaultValue = "",
      description = "SSL key file used to secure etcd communication")
  private String etcdKeyfile;

  @Option(
      names = "--etcd-certfile",
      paramLabel = "<file>",
      defaultValue = "",
      description = "SSL certification file used to secure etcd communication")
  private String etcdCertfile;

  @Option(
      names = "--etcd-cafile",
      paramLabel = "<file>",
      defaultValue = "",
      description = "SSL Certificate Authority file used to secure etcd communication")
  private String etcdCafile;

  @Option(
      names = "--etcd-username",
      paramLabel = "<user>",
      defaultValue = "",
      description = "username for BasicAuth to etcd")
  private String etcdUsername;

  @Option(
      names = "--etcd-password",
      paramLabel = "<password>",
      defaultValue = "",
      description = "password for BasicAuth to etcd")
  private String etcdPassword;

  /** The endpoints of {@code --etcd-endpoints}, split at commas, blanks dropped. */
  public List<String> endpoints() {
    return Arrays.stream(etcdEndpoints.split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  /** The key prefix, e.g. {@code /coreos.com/network}. */
  public String prefix() {
    return etcdPrefix;
  }

  public Optional<String> keyfile() {
    return FlannelOptions.nonEmpty(etcdKeyfile);
  }

  public Optional<String> certfile() {
    return FlannelOptions.nonEmpty(etcdCertfile);
  }

  public Optional<String> cafile() {
    return FlannelOptions.nonEmpty(etcdCafile);
  }

  public Optional<String> username() {
    return FlannelOptions.nonEmpty(etcdUsername);
  }

  public Optional<String> password() {
    return FlannelOptions.nonEmpty(etcdPassword);
  }
}
