package io.jflannel.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class MainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final AtomicReference<FlannelOptions> launched = new AtomicReference<>();

  private int run(Main.Launcher launcher, String... args) {
    return Main.run(
        args,
        Map.of(),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        launcher);
  }

  private int run(String... args) {
    return run(
        o -> {
          launched.set(o);
          return 0;
        },
        args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void helpPrintsEveryFlagAndExitsZeroWithoutStarting() {
    assertThat(run("--help")).isZero();
    assertThat(out())
        .startsWith("Usage: flanneld [OPTION]...")
        .contains("--iface-can-reach", "--subnet-lease-renew-margin", "--etcd-endpoints")
        .contains("--kube-annotation-prefix", "--set-node-network-unavailable", "FLANNELD_")
        .doesNotContain("--vmodule");
    assertThat(launched).hasValue(null);
  }

  @Test
  void versionPrintsTheVersionAndExitsZeroWithoutStarting() {
    assertThat(run("-version")).isZero();
    assertThat(out().strip()).isEqualTo(Main.version()).isNotEmpty();
    assertThat(launched).hasValue(null);
  }

  @Test
  void aBadCommandLineExitsTwoWithAUsageError() {
    assertThat(run("--no-such-flag")).isEqualTo(2);
    assertThat(err()).startsWith("flanneld: Unknown option: '--no-such-flag'");
    assertThat(err()).contains("Run 'flanneld --help'");
    assertThat(launched).hasValue(null);
  }

  @Test
  void aBadFlagValueExitsOneWithOneLineNamingTheFix() {
    assertThat(run("--subnet-lease-renew-margin=0")).isEqualTo(1);
    assertThat(err())
        .isEqualTo(
            "flanneld: --subnet-lease-renew-margin=0 is out of range: use 1 to 1439 minutes (the"
                + " lease lasts 24 h)"
                + System.lineSeparator());
    assertThat(launched).hasValue(null);
  }

  @Test
  void theDaemonGetsTheParsedOptionsAndItsExitCodeIsReturned() {
    assertThat(run(o -> o.iface().size() + 40, "--iface=eth0", "--iface=eth1")).isEqualTo(42);
    assertThat(run("--ip-masq")).isZero();
    assertThat(launched.get().ipMasq()).isTrue();
  }

  @Test
  void aRepeatedFlagStartsTheDaemonWithItsLastValue() {
    assertThat(run("--ip-masq", "--healthz-port=8081", "--ip-masq=false", "--healthz-port=9100"))
        .isZero();
    assertThat(launched.get().ipMasq()).isFalse();
    assertThat(launched.get().healthzPort()).isEqualTo(9100);
    assertThat(err()).isEmpty();
  }

  @Test
  void aBooleanWithASeparateValueExitsTwoNamingTheFix() {
    assertThat(run("-ip-masq", "false")).isEqualTo(2);
    assertThat(err()).startsWith("flanneld: '-ip-masq false': ").contains("write -ip-masq=false");
    assertThat(launched).hasValue(null);
  }

  @Test
  void aStartUpFailureIsOneLineOnStandardErrorAndExitsOne() {
    int code =
        run(
            o -> {
              throw new IOException("cannot read /etc/kube-flannel/net-conf.json:\n  no such file");
            });
    assertThat(code).isEqualTo(1);
    assertThat(err())
        .isEqualTo(
            "flanneld: cannot read /etc/kube-flannel/net-conf.json: no such file"
                + System.lineSeparator());
  }

  @Test
  void aNativeStubThatWillNotLoadIsOneLineNamingTheFix() {
    int code =
        run(
            o -> {
              throw new UnsatisfiedLinkError(
                  "could not load FFI provider jnr.ffi.provider.jffi.Provider");
            });
    assertThat(code).isEqualTo(1);
    assertThat(err())
        .startsWith("flanneld: cannot load the native netlink stub (could not load FFI provider")
        .contains("-Djffi.extract.dir=")
        .hasLineCount(1);
  }

  @Test
  void aFailureWithoutMessageNamesTheExceptionAndItsCause() {
    assertThat(Main.oneLine(new IllegalStateException(new IOException("disk on fire"))))
        .isEqualTo("java.io.IOException: disk on fire");
    assertThat(Main.oneLine(new NullPointerException())).isEqualTo("NullPointerException");
  }
}
