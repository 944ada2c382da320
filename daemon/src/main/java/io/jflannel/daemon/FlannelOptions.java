package io.jflannel.daemon;

import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip6;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The command-line flags of {@code flanneld}: every flag of upstream flannel, spelled, defaulted
 * and described the same, plus {@code --resync-period} of our own.
 *
 * <p>Mechanism: picocli binds the flags to the fields below. {@link #parse} first rewrites Go
 * {@code flag} syntax into picocli's ({@link GoFlagSyntax}: one or two dashes, {@code -flag=value},
 * {@code -flag value}, {@code -bool=false}), then parses with {@link EnvDefaults} as the default
 * provider, so a flag absent from the command line is read from {@code FLANNELD_<FLAG>} (upper
 * case, dashes as underscores) when that is set and not empty, and otherwise takes its upstream
 * default. The command line wins over the environment, as with upstream's {@code
 * flagutil.SetFlagsFromEnv}; a repeatable flag takes exactly one value from its variable.
 *
 * <p>A flag given more than once is not an error, as with Go's {@code flag} package (manifests that
 * append arguments rely on it): a single-valued flag takes its last value ({@code --ip-masq
 * --ip-masq=false} is off), a repeatable one ({@code --iface}, {@code --iface-regex}) collects
 * every value in order. The environment is per flag and all or nothing: once a flag is on the
 * command line, its variable is not read at all, so {@code FLANNELD_IFACE=eth2} with {@code
 * --iface=eth0} gives {@code [eth0]}, not {@code [eth2, eth0]} (Go's {@code SetFlagsFromEnv} skips
 * every flag the command line set).
 *
 * <p>Parsing checks syntax and types; {@link #validate} checks values (ranges, addresses, regexes)
 * and is what {@link Main} runs before starting the daemon. The accessors return typed values and
 * must only be used on validated options. The etcd flags are grouped in {@link #etcd()} and the
 * Kubernetes ones (except {@code --kube-subnet-mgr}, the mode switch) in {@link #kube()}; the
 * command line and the environment see them as flat flags like any other.
 *
 * <p>Ours, not upstream's: {@code --resync-period} (seconds, default 30), the period of the
 * level-triggered reconcile of routes, ARP and FDB entries. Accepted and ignored: klog's {@code
 * --vmodule} and {@code --log_backtrace_at} (upstream copies them into its flag set).
 *
 * <p>Thread-safety: filled in once by {@link #parse}, read-only afterwards; safe to share once
 * parsed.
 */
@Command(
    name = "flanneld",
    customSynopsis = "flanneld [OPTION]...",
    description =
        "flannel's node agent: allocates this node's pod subnet and connects it to the others.",
    sortOptions = false,
    usageHelpWidth = 100,
    footer = {
      "",
      "Each flag can also be given as the environment variable FLANNELD_<FLAG>, upper case with '_'"
          + " for '-' (FLANNELD_IFACE=eth0); the command line wins. Flags take one or two dashes."
          + " A flag given twice takes its last value; --iface and --iface-regex take every value.",
      "",
      "flanneld diagnose [--json] [OPTION]... checks this node's pod networking with these flags"
          + " and prints what is wrong and the fix; it changes nothing (flanneld diagnose --help)."
    })
public final class FlannelOptions {
  @Mixin private EtcdFlags etcd = new EtcdFlags();

  @Option(
      names = "--iface",
      paramLabel = "<name|ip>",
      description =
          "interface to use (IP or name) for inter-host communication. Can be specified multiple times to check each option in order. Returns the first match found.")
  private List<String> iface = new ArrayList<>();

  @Option(
      names = "--iface-regex",
      paramLabel = "<regex>",
      description =
          "regex expression to match the first interface to use (IP or name) for inter-host communication. Can be specified multiple times to check each regex in order. Returns the first match found. Regexes are checked after specific interfaces specified by the iface option have already been checked.")
  private List<String> ifaceRegex = new ArrayList<>();

  @Option(
      names = "--iface-can-reach",
      paramLabel = "<ip>",
      defaultValue = "",
      description =
          "detect interface to use (IP or name) for inter-host communication based on which will be used for provided IP. This is exactly the interface to use of command 'ip route get <ip-address>'")
  private String ifaceCanReach;

  @Option(
      names = "--subnet-file",
      paramLabel = "<file>",
      defaultValue = "/run/flannel/subnet.env",
      description =
          "filename where env variables (subnet, MTU, ... ) will be written to (default: ${DEFAULT-VALUE})")
  private String subnetFile;

  @Option(
      names = "--public-ip",
      paramLabel = "<ip>",
      defaultValue = "",
      description = "IP accessible by other nodes for inter-host communication")
  private String publicIp;

  @Option(
      names = "--public-ipv6",
      paramLabel = "<ip>",
      defaultValue = "",
      description = "IPv6 accessible by other nodes for inter-host communication")
  private String publicIpv6;

  @Option(
      names = "--subnet-lease-renew-margin",
      paramLabel = "<minutes>",
      defaultValue = "60",
      description =
          "subnet lease renewal margin, in minutes, ranging from 1 to 1439 (default: ${DEFAULT-VALUE})")
  private int subnetLeaseRenewMargin;

  @Option(
      names = "--ip-masq",
      arity = "0..1",
      paramLabel = "<bool>",
      fallbackValue = "true",
      defaultValue = "false",
      description = "setup IP masquerade rule for traffic destined outside of overlay network")
  private boolean ipMasq;

  @Option(
      names = "--ip-masq-fully-random-disable",
      arity = "0..1",
      paramLabel = "<bool>",
      fallbackValue = "true",
      defaultValue = "false",
      description = "disable the --random-fully flag of the IP masquerade rules")
  private boolean ipMasqFullyRandomDisable;

  @Option(
      names = "--kube-subnet-mgr",
      arity = "0..1",
      paramLabel = "<bool>",
      fallbackValue = "true",
      defaultValue = "false",
      description = "contact the Kubernetes API for subnet assignment instead of etcd.")
  private boolean kubeSubnetMgr;

  @Mixin private KubeFlags kube = new KubeFlags();

  @Mixin private HealthFlags health = new HealthFlags();

  @Option(names = "--version", versionHelp = true, description = "print version and exit")
  private boolean version;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "print this message and exit")
  private boolean help;

  @Option(
      names = "--healthz-ip",
      paramLabel = "<ip>",
      defaultValue = "0.0.0.0",
      description = "the IP address for healthz server to listen (default: ${DEFAULT-VALUE})")
  private String healthzIp;

  @Option(
      names = "--healthz-port",
      paramLabel = "<port>",
      defaultValue = "0",
      description = "the port for healthz server to listen(0 to disable)")
  private int healthzPort;

  @Option(
      names = "--iptables-resync",
      paramLabel = "<seconds>",
      defaultValue = "5",
      description = "resync period for iptables rules, in seconds (default: ${DEFAULT-VALUE})")
  private int iptablesResync;

  @Option(
      names = "--iptables-forward-rules",
      arity = "0..1",
      paramLabel = "<bool>",
      fallbackValue = "true",
      defaultValue = "true",
      description =
          "add default accept rules to FORWARD chain in iptables (default: true; turn off with =false)")
  private boolean iptablesForwardRules;

  @Option(
      names = "--ip-blackhole-route",
      arity = "0..1",
      paramLabel = "<bool>",
      fallbackValue = "true",
      defaultValue = "false",
      description = "add blackhole route on the node for the local podCIDR")
  private boolean ipBlackholeRoute;

  @Option(
      names = "--resync-period",
      paramLabel = "<seconds>",
      defaultValue = "30",
      description =
          "jflannel: period of the full reconcile of routes, ARP and FDB entries against the leases, in seconds (default: ${DEFAULT-VALUE})")
  private int resyncPeriod;

  @Option(
      names = {"-v", "--v"},
      paramLabel = "<level>",
      defaultValue = "0",
      description = "number for the log level verbosity (1+ logs at DEBUG, 6+ at TRACE)")
  private int verbosity;

  @Option(
      names = "--vmodule",
      hidden = true,
      defaultValue = "",
      description = "klog per-file verbosity: accepted for compatibility, ignored")
  private String vmodule;

  @Option(
      names = "--log_backtrace_at",
      hidden = true,
      defaultValue = "",
      description = "klog backtrace location: accepted for compatibility, ignored")
  private String logBacktraceAt;

  /**
   * Parses Go-style {@code args} with {@code env} as the source of {@code FLANNELD_*} values.
   *
   * @throws CommandLine.ParameterException on an unknown flag, a missing or badly typed value (also
   *     of an environment variable), or a stray argument
   */
  public static FlannelOptions parse(Map<String, String> env, String... args) {
    FlannelOptions o = new FlannelOptions();
    CommandLine cl = commandLine(o, env);
    cl.parseArgs(GoFlagSyntax.normalize(args, cl.getCommandSpec()));
    return o;
  }

  /** A picocli command line bound to {@code target}, reading defaults from {@code env}. */
  public static CommandLine commandLine(FlannelOptions target, Map<String, String> env) {
    CommandLine cl = new CommandLine(target);
    // Go's flag package: a repeated flag is set again (the last value wins, lists append)
    cl.setOverwrittenOptionsAllowed(true);
    cl.setDefaultValueProvider(new EnvDefaults(env, cl.getCommandSpec()));
    return cl;
  }

  /**
   * Checks the values: ranges, addresses and regexes.
   *
   * @throws OptionsException naming the first bad flag and how to fix it
   */
  public void validate() throws OptionsException {
    OptionsValidator.validate(this);
  }

  /** Whether {@code --help} (or {@code -h}) was given. */
  public boolean helpRequested() {
    return help;
  }

  /** Whether {@code --version} was given. */
  public boolean versionRequested() {
    return version;
  }

  /** The {@code --etcd-*} flags (etcd mode). */
  public EtcdFlags etcd() {
    return etcd;
  }

  /** The Kubernetes flags other than {@code --kube-subnet-mgr} (kube mode). */
  public KubeFlags kube() {
    return kube;
  }

  /** jflannel's health-check thresholds. */
  public HealthFlags health() {
    return health;
  }

  /** {@code --iface} values in order, empty values dropped. */
  public List<String> iface() {
    return iface.stream().filter(s -> !s.isBlank()).toList();
  }

  /** {@code --iface-regex} values in order, empty values dropped. */
  public List<String> ifaceRegex() {
    return ifaceRegex.stream().filter(s -> !s.isEmpty()).toList();
  }

  public Optional<String> ifaceCanReach() {
    return nonEmpty(ifaceCanReach);
  }

  public String subnetFile() {
    return subnetFile;
  }

  public Optional<Ip4> publicIp() {
    return nonEmpty(publicIp).map(Ip4::parse);
  }

  public Optional<Ip6> publicIpv6() {
    return nonEmpty(publicIpv6).map(Ip6::parse);
  }

  /** How long before the lease expires it is renewed (1 to 1439 minutes). */
  public Duration subnetLeaseRenewMargin() {
    return Duration.ofMinutes(subnetLeaseRenewMargin);
  }

  public boolean ipMasq() {
    return ipMasq;
  }

  public boolean ipMasqFullyRandomDisable() {
    return ipMasqFullyRandomDisable;
  }

  public boolean kubeSubnetMgr() {
    return kubeSubnetMgr;
  }

  public String healthzIp() {
    return healthzIp;
  }

  /** The health server port; 0 means no health server. */
  public int healthzPort() {
    return healthzPort;
  }

  public Duration iptablesResync() {
    return Duration.ofSeconds(iptablesResync);
  }

  public boolean iptablesForwardRules() {
    return iptablesForwardRules;
  }

  public boolean ipBlackholeRoute() {
    return ipBlackholeRoute;
  }

  /** Our own: the period of the full kernel-state reconcile (default 30 s). */
  public Duration resyncPeriod() {
    return Duration.ofSeconds(resyncPeriod);
  }

  /** {@code -v}: 0 logs INFO and up, 1 to 5 DEBUG, 6 and more TRACE. */
  public int verbosity() {
    return verbosity;
  }

  /** The klog flags accepted for compatibility and ignored, with their values; empty if unset. */
  public List<String> ignoredKlogFlags() {
    List<String> out = new ArrayList<>();
    nonEmpty(vmodule).ifPresent(v -> out.add("--vmodule=" + v));
    nonEmpty(logBacktraceAt).ifPresent(v -> out.add("--log_backtrace_at=" + v));
    return out;
  }

  /** The flags as {@code --name=value}, the etcd password masked: for the start-up log line. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (OptionSpec o : CommandSpec.forAnnotatedObject(this).options()) {
      if (o.usageHelp() || o.versionHelp() || o.hidden()) {
        continue;
      }
      Object v = o.getValue();
      if (o.longestName().equals("--etcd-password") && !"".equals(v)) {
        v = "<hidden>";
      }
      sb.append(sb.isEmpty() ? "" : " ").append(o.longestName()).append('=').append(v);
    }
    return sb.toString();
  }

  static Optional<String> nonEmpty(String s) {
    return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s);
  }
}
