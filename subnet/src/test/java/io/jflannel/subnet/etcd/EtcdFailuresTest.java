package io.jflannel.subnet.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wording of failed requests, from the messages etcd 3.4 and the HTTP client give. */
class EtcdFailuresTest {

  private static final EtcdOptions OPTIONS =
      EtcdOptions.defaults().withEndpoints(List.of("http://10.0.0.1:2379"));

  private static String failed(EtcdOptions options, String message) {
    return new EtcdFailures(options, null, Duration.ofSeconds(10))
        .failed(new RuntimeException(message));
  }

  @Test
  void aWrongPasswordNamesTheUserButNeverThePassword() {
    EtcdOptions options = OPTIONS.withCredentials("flannel", "s3cret");
    String message = failed(options, "UNAUTHENTICATED");
    assertThat(message)
        .isEqualTo(
            "etcd at [http://10.0.0.1:2379] refused --etcd-username flannel with the"
                + " --etcd-password given (UNAUTHENTICATED: no such user, or a wrong password);"
                + " check both")
        .doesNotContain("s3cret");
    assertThat(failed(options, "INVALID_ARGUMENT: etcdserver: authentication failed, invalid"))
        .startsWith("etcd at [http://10.0.0.1:2379] refused --etcd-username flannel");
  }

  @Test
  void authenticationWithoutCredentialsAsksForBoth() {
    assertThat(failed(OPTIONS, "INVALID_ARGUMENT: etcdserver: user name is empty"))
        .isEqualTo(
            "etcd at [http://10.0.0.1:2379] has authentication enabled (INVALID_ARGUMENT:"
                + " etcdserver: user name is empty); give both --etcd-username and"
                + " --etcd-password");
  }

  @Test
  void aDeniedPrefixSaysWhichPermissionToGrant() {
    assertThat(
            failed(
                OPTIONS.withCredentials("flannel", "pw"),
                "PERMISSION_DENIED: etcdserver: permission denied"))
        .isEqualTo(
            "etcd at [http://10.0.0.1:2379] denied user flannel access to /coreos.com/network"
                + " (permission denied); grant its role readwrite on the prefix: etcdctl role"
                + " grant-permission <role> --prefix=true readwrite /coreos.com/network/");
  }

  @Test
  void anEndpointThatCannotBeReachedNamesTheFlag() {
    assertThat(failed(OPTIONS, "UNAVAILABLE: io exception\n\tat somewhere"))
        .isEqualTo(
            "cannot reach etcd at [http://10.0.0.1:2379] (UNAVAILABLE: io exception at"
                + " somewhere); is etcd running and reachable (--etcd-endpoints)?");
  }

  @Test
  void otherFailuresKeepEtcdsMessageOnOneLine() {
    assertThat(failed(OPTIONS, "UNAUTHENTICATED")) // no credentials: not ours to explain
        .isEqualTo("at [http://10.0.0.1:2379] failed: UNAUTHENTICATED");
    assertThat(failed(OPTIONS, "RESOURCE_EXHAUSTED: etcdserver: mvcc:\n database space exceeded"))
        .isEqualTo(
            "at [http://10.0.0.1:2379] failed: RESOURCE_EXHAUSTED: etcdserver: mvcc: database"
                + " space exceeded");
    assertThat(new EtcdFailures(OPTIONS, null, Duration.ofSeconds(10)).noAnswer())
        .isEqualTo(
            "no answer from [http://10.0.0.1:2379] within 10000 ms; is etcd running and reachable"
                + " (--etcd-endpoints)?");
  }
}
