package io.jflannel.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip6;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class FlannelOptionsTest {
  private static FlannelOptions parse(String... args) {
    return FlannelOptions.parse(Map.of(), args);
  }

  private static FlannelOptions parseWithEnv(Map<String, String> env, String... args) {
    return FlannelOptions.parse(env, args);
  }

  @Test
  void defaultsAreUpstreams() throws Exception {
    FlannelOptions o = parse();
    o.validate();
    assertThat(o.etcd().endpoints())
        .containsExactly("http://127.0.0.1:4001", "http://127.0.0.1:2379");
    assertThat(o.etcd().prefix()).isEqualTo("/coreos.com/network");
    assertThat(o.etcd().keyfile()).isEmpty();
    assertThat(o.etcd().password()).isEmpty();
    assertThat(o.iface()).isEmpty();
    assertThat(o.ifaceRegex()).isEmpty();
    assertThat(o.ifaceCanReach()).isEmpty();
    assertThat(o.subnetFile()).isEqualTo("/run/flannel/subnet.env");
    assertThat(o.publicIp()).isEmpty();
    assertThat(o.publicIpv6()).isEmpty();
    assertThat(o.subnetLeaseRenewMargin()).isEqualTo(Duration.ofMinutes(60));
    assertThat(o.ipMasq()).isFalse();
    assertThat(o.ipMasqFullyRandomDisable()).isFalse();
    assertThat(o.kubeSubnetMgr()).isFalse();
    assertThat(o.kube().apiUrl()).isEmpty();
    assertThat(o.kube().annotationPrefix()).isEqualTo("flannel.alpha.coreos.com");
    assertThat(o.kube().kubeconfigFile()).isEmpty();
    assertThat(o.kube().netConfigPath()).isEqualTo("/etc/kube-flannel/net-conf.json");
    assertThat(o.kube().setNodeNetworkUnavailable()).isTrue();
    assertThat(o.healthzIp()).isEqualTo("0.0.0.0");
    assertThat(o.healthzPort()).isZero();
    assertThat(o.iptablesResync()).isEqualTo(Duration.ofSeconds(5));
    assertThat(o.iptablesForwardRules()).isTrue();
    assertThat(o.ipBlackholeRoute()).isFalse();
    assertThat(o.resyncPeriod()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.verbosity()).isZero();
    assertThat(o.helpRequested()).isFalse();
    assertThat(o.versionRequested()).isFalse();
  }

  @Test
  void ifaceAndIfaceRegexAreRepeatableAndKeepTheirOrder() {
    FlannelOptions o =
        parse("--iface", "eth1", "--iface=10.0.0.5", "--iface-regex=^en", "--iface-regex", "^eth");
    assertThat(o.iface()).containsExactly("eth1", "10.0.0.5");
    assertThat(o.ifaceRegex()).containsExactly("^en", "^eth");
  }

  @Test
  void goSingleDashFlagsAreAccepted() {
    FlannelOptions o =
        parse("-iface", "eth0", "-ip-masq", "-kube-subnet-mgr", "-v=2", "-healthz-port=8471");
    assertThat(o.iface()).containsExactly("eth0");
    assertThat(o.ipMasq()).isTrue();
    assertThat(o.kubeSubnetMgr()).isTrue();
    assertThat(o.verbosity()).isEqualTo(2);
    assertThat(o.healthzPort()).isEqualTo(8471);
  }

  @Test
  void verbosityTakesEveryGoSpelling() {
    assertThat(parse("-v", "3").verbosity()).isEqualTo(3);
    assertThat(parse("--v=4").verbosity()).isEqualTo(4);
    assertThat(parse("--v", "5").verbosity()).isEqualTo(5);
  }

  @Test
  void aSeparateValueIsTakenEvenWhenItStartsWithADash() {
    assertThat(parse("--iface-regex", "-ext$").ifaceRegex()).containsExactly("-ext$");
  }

  @Test
  void booleansTakeGoSpellingsAfterAnEqualsSign() {
    assertThat(parse("--ip-masq=1").ipMasq()).isTrue();
    assertThat(parse("--ip-masq=T").ipMasq()).isTrue();
    assertThat(parse("-ip-masq=True").ipMasq()).isTrue();
    assertThat(parse("--ip-masq=0").ipMasq()).isFalse();
    assertThat(parse("--ip-masq=FALSE").ipMasq()).isFalse();
  }

  @Test
  void defaultTrueBooleansCanBeSwitchedOff() {
    FlannelOptions o = parse("--iptables-forward-rules=false", "-set-node-network-unavailable=f");
    assertThat(o.iptablesForwardRules()).isFalse();
    assertThat(o.kube().setNodeNetworkUnavailable()).isFalse();
  }

  @Test
  void aBadBooleanIsAUsageError() {
    assertThatThrownBy(() -> parse("--ip-masq=yes"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--ip-masq");
  }

  @Test
  void unknownFlagsAndStrayArgumentsAreUsageErrors() {
    assertThatThrownBy(() -> parse("--ifcae", "eth0"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--ifcae");
    assertThatThrownBy(() -> parse("eth0")).isInstanceOf(CommandLine.ParameterException.class);
  }

  @Test
  void environmentSuppliesFlagsMissingFromTheCommandLine() {
    FlannelOptions o =
        parseWithEnv(
            Map.of(
                "FLANNELD_IFACE", "eth2",
                "FLANNELD_IP_MASQ", "true",
                "FLANNELD_HEALTHZ_PORT", "8471",
                "FLANNELD_KUBE_ANNOTATION_PREFIX", "example.com",
                "FLANNELD_ETCD_PREFIX", "/my/net",
                "FLANNELD_V", "1"));
    assertThat(o.iface()).containsExactly("eth2");
    assertThat(o.ipMasq()).isTrue();
    assertThat(o.healthzPort()).isEqualTo(8471);
    assertThat(o.kube().annotationPrefix()).isEqualTo("example.com");
    assertThat(o.etcd().prefix()).isEqualTo("/my/net");
    assertThat(o.verbosity()).isEqualTo(1);
  }

  @Test
  void theCommandLineWinsOverTheEnvironment() {
    FlannelOptions o =
        parseWithEnv(
            Map.of("FLANNELD_IFACE", "eth2", "FLANNELD_IP_MASQ", "true"),
            "--iface=eth0",
            "--iface=eth1",
            "--ip-masq=false");
    assertThat(o.iface()).containsExactly("eth0", "eth1");
    assertThat(o.ipMasq()).isFalse();
  }

  @Test
  void aRepeatableFlagTakesTheWholeVariableAsOneValue() {
    assertThat(parseWithEnv(Map.of("FLANNELD_IFACE", "eth0,eth1")).iface())
        .containsExactly("eth0,eth1");
  }

  @Test
  void environmentBooleansTakeGoSpellingsAndCanSwitchDefaultsOff() {
    FlannelOptions o =
        parseWithEnv(
            Map.of(
                "FLANNELD_IPTABLES_FORWARD_RULES", "0",
                "FLANNELD_SET_NODE_NETWORK_UNAVAILABLE", "false",
                "FLANNELD_KUBE_SUBNET_MGR", "t"));
    assertThat(o.iptablesForwardRules()).isFalse();
    assertThat(o.kube().setNodeNetworkUnavailable()).isFalse();
    assertThat(o.kubeSubnetMgr()).isTrue();
  }

  @Test
  void anEmptyVariableLeavesTheDefault() {
    assertThat(parseWithEnv(Map.of("FLANNELD_SUBNET_FILE", "")).subnetFile())
        .isEqualTo("/run/flannel/subnet.env");
  }

  @Test
  void aBadlyTypedVariableIsAUsageErrorNamingIt() {
    assertThatThrownBy(() -> parseWithEnv(Map.of("FLANNELD_IP_MASQ", "yes")))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("FLANNELD_IP_MASQ='yes' is not a boolean");
    assertThatThrownBy(() -> parseWithEnv(Map.of("FLANNELD_HEALTHZ_PORT", "eighty")))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("FLANNELD_HEALTHZ_PORT='eighty' is not a whole number");
  }

  @Test
  void versionAndHelpAreNeverReadFromTheEnvironment() {
    FlannelOptions o = parseWithEnv(Map.of("FLANNELD_VERSION", "true", "FLANNELD_HELP", "true"));
    assertThat(o.versionRequested()).isFalse();
    assertThat(o.helpRequested()).isFalse();
    assertThat(parse("-version").versionRequested()).isTrue();
    assertThat(parse("-help").helpRequested()).isTrue();
    assertThat(parse("-h").helpRequested()).isTrue();
  }

  @Test
  void renewMarginOutsideOneTo1439MinutesNamesTheRange() throws Exception {
    parse("--subnet-lease-renew-margin=1").validate();
    parse("--subnet-lease-renew-margin=1439").validate();
    for (String bad : List.of("0", "1440", "-5")) {
      assertThatThrownBy(() -> parse("--subnet-lease-renew-margin=" + bad).validate())
          .isInstanceOf(OptionsException.class)
          .hasMessage(
              "--subnet-lease-renew-margin="
                  + bad
                  + " is out of range: use 1 to 1439 minutes (the lease lasts 24 h)");
    }
  }

  @Test
  void badAddressesRegexesAndPortsFailValidation() {
    assertThatThrownBy(() -> parse("--public-ip=10.0.0.300").validate())
        .isInstanceOf(OptionsException.class)
        .hasMessageStartingWith("--public-ip: \"10.0.0.300\" is not an IPv4 address");
    assertThatThrownBy(() -> parse("--public-ipv6=10.0.0.1").validate())
        .hasMessageStartingWith("--public-ipv6: ");
    assertThatThrownBy(() -> parse("--iface-regex=[eth").validate())
        .hasMessageStartingWith("--iface-regex=[eth is not a valid regex: ");
    assertThatThrownBy(() -> parse("--iface-can-reach=gateway").validate())
        .hasMessageStartingWith("--iface-can-reach=gateway is not an IP address");
    assertThatThrownBy(() -> parse("--healthz-port=70000").validate())
        .hasMessageStartingWith("--healthz-port=70000 is not a port");
    assertThatThrownBy(() -> parse("--iptables-resync=0").validate())
        .hasMessage("--iptables-resync=0 must be at least 1 (seconds)");
  }

  @Test
  void healthThresholdsDefaultFromFlagsOrEnvironmentAndAreChecked() throws Exception {
    FlannelOptions d = parse();
    assertThat(d.health().storeTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(d.health().maxFailedReconciles()).isEqualTo(5);

    FlannelOptions o =
        parseWithEnv(
            Map.of("FLANNELD_HEALTHZ_MAX_FAILED_RECONCILES", "7"), "--healthz-store-timeout=5");
    o.validate();
    assertThat(o.health().settings(Duration.ofSeconds(10)))
        .isEqualTo(
            new io.jflannel.daemon.health.HealthSettings(
                Duration.ofSeconds(5), 7, Duration.ofSeconds(10)));

    assertThatThrownBy(() -> parse("--healthz-store-timeout=-1").validate())
        .isInstanceOf(OptionsException.class)
        .hasMessage("--healthz-store-timeout=-1 must be 0 or more (seconds)");
    assertThatThrownBy(() -> parse("--healthz-max-failed-reconciles=0").validate())
        .isInstanceOf(OptionsException.class)
        .hasMessage("--healthz-max-failed-reconciles=0 must be at least 1");
  }

  @Test
  void typedAccessorsParseAddresses() throws Exception {
    FlannelOptions o = parse("--public-ip=203.0.113.4", "--public-ipv6=2001:db8::4");
    o.validate();
    assertThat(o.publicIp()).contains(Ip4.parse("203.0.113.4"));
    assertThat(o.publicIpv6()).contains(Ip6.parse("2001:db8::4"));
  }

  @Test
  void klogFlagsAreAcceptedAndReportedAsIgnored() {
    assertThat(parse("-vmodule=main=3", "-log_backtrace_at=main.go:1").ignoredKlogFlags())
        .containsExactly("--vmodule=main=3", "--log_backtrace_at=main.go:1");
  }

  @Test
  void toStringListsEveryFlagButMasksThePassword() {
    String s = parse("--etcd-password=s3cret", "--iface=eth0").toString();
    assertThat(s)
        .contains("--etcd-password=<hidden>", "--iface=[eth0]", "--resync-period=30", "--v=0")
        .doesNotContain("s3cret");
  }
}
