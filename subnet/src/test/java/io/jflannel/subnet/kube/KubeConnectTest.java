package io.jflannel.subnet.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.Config;
import io.jflannel.core.subnet.SubnetException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeConnectTest {

  @TempDir Path dir;

  private static final String KUBECONFIG =
      """
      apiVersion: v1
      kind: Config
      clusters:
      - name: c
        cluster:
          server: https://10.0.0.1:6443
          insecure-skip-tls-verify: true
      users:
      - name: u
        user:
          token: abc
      contexts:
      - name: x
        context:
          cluster: c
          user: u
      current-context: x
      """;

  @Test
  void kubeconfigFileGivesServerAndCredentials() throws Exception {
    Path file = Files.writeString(dir.resolve("kubeconfig"), KUBECONFIG);
    Config config = KubeConnect.clientConfig(KubeOptions.defaults().withKubeconfigFile(file));
    assertThat(config.getMasterUrl()).startsWith("https://10.0.0.1:6443");
    assertThat(config.getAutoOAuthToken()).isEqualTo("abc");
  }

  @Test
  void apiUrlOverridesTheKubeconfigServer() throws Exception {
    Path file = Files.writeString(dir.resolve("kubeconfig"), KUBECONFIG);
    Config config =
        KubeConnect.clientConfig(
            KubeOptions.defaults().withKubeconfigFile(file).withApiUrl("https://api.example:443"));
    assertThat(config.getMasterUrl()).startsWith("https://api.example:443");
    assertThat(config.getAutoOAuthToken()).isEqualTo("abc");
  }

  @Test
  void apiUrlAloneIsUsedWithoutCredentials() throws Exception {
    Config config =
        KubeConnect.clientConfig(KubeOptions.defaults().withApiUrl("http://127.0.0.1:8080"));
    assertThat(config.getMasterUrl()).startsWith("http://127.0.0.1:8080");
    assertThat(config.getAutoOAuthToken()).isNull();
    assertThat(config.getOauthToken()).isNull();
  }

  @Test
  void missingKubeconfigIsReportedWithTheFix() {
    Path absent = dir.resolve("nope");
    assertThatThrownBy(
            () -> KubeConnect.clientConfig(KubeOptions.defaults().withKubeconfigFile(absent)))
        .isInstanceOf(SubnetException.class)
        .hasMessageStartingWith("cannot read --kubeconfig-file " + absent)
        .hasMessageContaining("in-cluster service account");
  }
}
