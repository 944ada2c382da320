package io.jflannel.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The command line as Go's {@code flag} package plus coreos' {@code flagutil.SetFlagsFromEnv} read
 * it for upstream flanneld: repeated flags, list flags, environment and command line mixed, and
 * every spelling Go accepts.
 */
class GoFlagParityTest {
  private static FlannelOptions parse(String... args) {
    return FlannelOptions.parse(Map.of(), args);
  }

  private static FlannelOptions parse(Map<String, String> env, String... args) {
    return FlannelOptions.parse(env, args);
  }

  @Test
  void aRepeatedSingleValuedFlagTakesItsLastValue() {
    FlannelOptions o =
        parse(
            "--etcd-endpoints=http://10.0.0.1:2379",
            "--etcd-prefix",
            "/a",
            "--etcd-endpoints",
            "http://10.0.0.2:2379",
            "-etcd-prefix=/b",
            "--subnet-file=/tmp/one.env",
            "-subnet-file",
            "/tmp/two.env",
            "--kube-annotation-prefix=a.example.com",
            "--kube-annotation-prefix=b.example.com");
    assertThat(o.etcd().endpoints()).containsExactly("http://10.0.0.2:2379");
    assertThat(o.etcd().prefix()).isEqualTo("/b");
    assertThat(o.subnetFile()).isEqualTo("/tmp/two.env");
    assertThat(o.kube().annotationPrefix()).isEqualTo("b.example.com");
  }

  @Test
  void aRepeatedNumberTakesItsLastValueWhateverTheSpelling() {
    FlannelOptions o =
        parse("-v=1", "--v", "3", "-v", "2", "--healthz-port=8081", "-healthz-port", "9000");
    assertThat(o.verbosity()).isEqualTo(2);
    assertThat(o.healthzPort()).isEqualTo(9000);
    assertThat(parse("--iptables-resync=5", "--iptables-resync=7").iptablesResync())
        .isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void aRepeatedBooleanTakesItsLastValue() {
    assertThat(parse("--ip-masq", "--ip-masq=false").ipMasq()).isFalse();
    assertThat(parse("--ip-masq=false", "-ip-masq").ipMasq()).isTrue();
    assertThat(parse("-ip-masq=0", "-ip-masq=t", "-ip-masq=F").ipMasq()).isFalse();
    // a default-true flag switched off, then on again by a later bare flag
    assertThat(
            parse("--iptables-forward-rules=false", "--iptables-forward-rules")
                .iptablesForwardRules())
        .isTrue();
    assertThat(
            parse("-set-node-network-unavailable", "-set-node-network-unavailable=false")
                .kube()
                .setNodeNetworkUnavailable())
        .isFalse();
  }

  @Test
  void aManifestThatAppendsArgumentsOverridesItsOwnEarlierOnes() {
    // upstream's DaemonSet args, then what a patch or an overlay appended
    FlannelOptions o =
        parse(
            "--ip-masq",
            "--kube-subnet-mgr",
            "--healthz-port=8081",
            "--iface=eth0",
            "--ip-masq=false",
            "--healthz-port=9100",
            "--iface=eth1");
    assertThat(o.ipMasq()).isFalse();
    assertThat(o.kubeSubnetMgr()).isTrue();
    assertThat(o.healthzPort()).isEqualTo(9100);
    assertThat(o.iface()).containsExactly("eth0", "eth1");
  }

  @Test
  void listFlagsCollectEveryValueInOrderAcrossSpellings() {
    FlannelOptions o =
        parse(
            "-iface",
            "eth1",
            "--iface-regex=^en",
            "--iface=10.0.0.5",
            "-iface=eth1",
            "-iface-regex",
            "^eth",
            "--iface",
            "bond0");
    assertThat(o.iface()).containsExactly("eth1", "10.0.0.5", "eth1", "bond0");
    assertThat(o.ifaceRegex()).containsExactly("^en", "^eth");
  }

  @Test
  void theEnvironmentFillsOnlyFlagsTheCommandLineLeftOut() {
    Map<String, String> env =
        Map.of(
            "FLANNELD_IFACE", "eth2",
            "FLANNELD_IFACE_REGEX", "^wl",
            "FLANNELD_ETCD_ENDPOINTS", "http://env:2379",
            "FLANNELD_ETCD_PREFIX", "/env",
            "FLANNELD_IP_MASQ", "true",
            "FLANNELD_HEALTHZ_PORT", "8471");
    FlannelOptions o =
        parse(
            env,
            "--iface-regex=^en",
            "--iface-regex=^eth",
            "--etcd-endpoints=http://a:2379",
            "--etcd-endpoints=http://b:2379",
            "-ip-masq=false");
    // on the command line: the variables are not read at all, not even merged into the lists
    assertThat(o.ifaceRegex()).containsExactly("^en", "^eth");
    assertThat(o.etcd().endpoints()).containsExactly("http://b:2379");
    assertThat(o.ipMasq()).isFalse();
    // left out: the variables, a list variable as its one value
    assertThat(o.iface()).containsExactly("eth2");
    assertThat(o.etcd().prefix()).isEqualTo("/env");
    assertThat(o.healthzPort()).isEqualTo(8471);
  }

  @Test
  void aRepeatedListFlagReplacesItsVariableWhole() {
    FlannelOptions o = parse(Map.of("FLANNELD_IFACE", "eth2"), "--iface=eth0", "-iface", "eth1");
    assertThat(o.iface()).containsExactly("eth0", "eth1");
  }

  @Test
  void theLastCommandLineValueBeatsTheEnvironmentForBooleans() {
    Map<String, String> on = Map.of("FLANNELD_IP_MASQ", "1");
    assertThat(parse(on, "--ip-masq=false", "--ip-masq").ipMasq()).isTrue();
    assertThat(parse(on, "--ip-masq", "--ip-masq=f").ipMasq()).isFalse();
    Map<String, String> off = Map.of("FLANNELD_IPTABLES_FORWARD_RULES", "false");
    assertThat(parse(off).iptablesForwardRules()).isFalse();
    assertThat(parse(off, "-iptables-forward-rules").iptablesForwardRules()).isTrue();
  }

  @Test
  void everyGoSpellingOfAValueFlagIsAccepted() {
    for (String[] args :
        new String[][] {
          {"-public-ip", "192.0.2.7"},
          {"--public-ip", "192.0.2.7"},
          {"-public-ip=192.0.2.7"},
          {"--public-ip=192.0.2.7"}
        }) {
      assertThat(parse(args).toString())
          .as(String.join(" ", args))
          .contains("--public-ip=192.0.2.7");
    }
  }

  @Test
  void everyGoSpellingOfABooleanIsAccepted() {
    for (String on : new String[] {"-ip-masq", "--ip-masq", "-ip-masq=true", "--ip-masq=1"}) {
      assertThat(parse(on).ipMasq()).as(on).isTrue();
    }
    for (String off :
        new String[] {"-ip-masq=false", "--ip-masq=false", "-ip-masq=0", "-ip-masq=F"}) {
      assertThat(parse(off).ipMasq()).as(off).isFalse();
    }
  }

  @Test
  void aBareBooleanNeverTakesTheNextArgumentAsItsValue() {
    FlannelOptions o = parse("-ip-masq", "-iface", "eth0", "--kube-subnet-mgr", "--iface=eth1");
    assertThat(o.ipMasq()).isTrue();
    assertThat(o.kubeSubnetMgr()).isTrue();
    assertThat(o.iface()).containsExactly("eth0", "eth1");
  }

  @Test
  void aBooleanWithItsValueAsTheNextArgumentIsRefusedWithTheFix() {
    // Go reads the "false" as the first non-flag argument: the flag would be on, the rest ignored
    assertThatThrownBy(() -> parse("--kube-subnet-mgr", "-ip-masq", "false", "--iface=eth0"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessage(
            "'-ip-masq false': a boolean flag takes its value after '=': write -ip-masq=false"
                + " (Go's flag package would read 'false' as a stray argument and turn the flag"
                + " on)");
    assertThatThrownBy(() -> parse("--iptables-forward-rules", "0"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageStartingWith("'--iptables-forward-rules 0': ")
        .hasMessageContaining("write --iptables-forward-rules=0");
    assertThatThrownBy(() -> parse("-set-node-network-unavailable", "False"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("write -set-node-network-unavailable=False");
  }

  @Test
  void helpAndVersionStillTakeNoValue() {
    assertThat(parse("-help").helpRequested()).isTrue();
    assertThat(parse("--version").versionRequested()).isTrue();
    assertThat(parse("-h", "-h").helpRequested()).isTrue();
  }
}
