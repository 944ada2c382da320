package io.jflannel.subnet.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
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
  void theClientsMappingReadsFlannelsKindsAndSearchesForNoOther() {
    KubernetesSerialization json = KubeConnect.serialization();
    // a watch event, as the Node watch reads it: the object's class is found by its kind
    WatchEvent added =
        json.unmarshal(
            "{\"type\":\"ADDED\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Node\","
                + "\"metadata\":{\"name\":\"n1\"},\"spec\":{\"podCIDR\":\"10.244.1.0/24\"}}}",
            WatchEvent.class);
    assertThat(added.getObject()).isInstanceOf(Node.class);
    assertThat(((Node) added.getObject()).getSpec().getPodCIDR()).isEqualTo("10.244.1.0/24");
    // the watch's 410 Gone arrives as an ERROR event with a Status: it must stay a Status
    WatchEvent gone =
        json.unmarshal(
            "{\"type\":\"ERROR\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Status\","
                + "\"status\":\"Failure\",\"reason\":\"Expired\",\"code\":410}}",
            WatchEvent.class);
    assertThat(gone.getObject()).isInstanceOf(Status.class);
    assertThat(((Status) gone.getObject()).getCode()).isEqualTo(410);
    // any other kind is not searched for on the class path: it stays generic
    Object other = json.unmarshal("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{}}");
    assertThat(other).isInstanceOf(GenericKubernetesResource.class);
    // whereas fabric8's default mapping searches and finds ConfigMap's model class
    assertThat(
            new KubernetesSerialization()
                .<Object>unmarshal("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{}}")
                .getClass()
                .getSimpleName())
        .isEqualTo("ConfigMap");
  }

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
