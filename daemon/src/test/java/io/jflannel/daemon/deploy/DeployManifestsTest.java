package io.jflannel.daemon.deploy;

import static io.jflannel.daemon.deploy.Manifests.only;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.daemon.FlannelOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * deploy/ holds upstream's kube-flannel.yml objects for jflannel: every manifest loads with the
 * fabric8 client and is accepted by an API server, and the objects say what upstream's say.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class DeployManifestsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NS = "kube-flannel";

  KubernetesClient client;
  KubernetesMockServer server;

  private DaemonSet daemonSet() {
    return only(Manifests.loadAll(client), DaemonSet.class, "kube-flannel-ds");
  }

  private static Container container(List<Container> containers, String name) {
    return containers.stream()
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no container " + name));
  }

  private static Map<String, EnvVar> env(Container c) {
    return c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, Function.identity()));
  }

  @Test
  void everyManifestLoadsAndTheApiServerAcceptsEveryObject() {
    List<Path> files = Manifests.files();
    assertThat(files).extracting(p -> p.getFileName().toString()).contains("kube-flannel.yml");
    int created = 0;
    for (Path f : files) {
      List<HasMetadata> objects = Manifests.load(client, f);
      assertThat(objects).as(f + " holds objects").isNotEmpty();
      for (HasMetadata o : objects) {
        assertThat(client.resource(o).create())
            .as("created %s", o.getFullResourceName())
            .isNotNull();
        created++;
      }
    }
    assertThat(created).isGreaterThanOrEqualTo(6);

    assertThat(client.namespaces().withName(NS).get().getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "privileged");
    assertThat(client.serviceAccounts().inNamespace(NS).withName("flannel").get()).isNotNull();
    assertThat(client.rbac().clusterRoles().withName("flannel").get()).isNotNull();
    ClusterRoleBinding binding = client.rbac().clusterRoleBindings().withName("flannel").get();
    assertThat(binding.getRoleRef().getName()).isEqualTo("flannel");
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getKind()).isEqualTo("ServiceAccount");
              assertThat(s.getName()).isEqualTo("flannel");
              assertThat(s.getNamespace()).isEqualTo(NS);
            });
    assertThat(client.configMaps().inNamespace(NS).withName("kube-flannel-cfg").get()).isNotNull();
    DaemonSet ds = client.apps().daemonSets().inNamespace(NS).withName("kube-flannel-ds").get();
    assertThat(ds.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("flannel");
  }

  @Test
  void everyObjectHasItsUpstreamNameAndNamespace() {
    List<HasMetadata> all = Manifests.loadAll(client);
    assertThat(only(all, Namespace.class, NS)).isNotNull();
    assertThat(only(all, ServiceAccount.class, "flannel").getMetadata().getNamespace())
        .isEqualTo(NS);
    assertThat(only(all, ClusterRole.class, "flannel")).isNotNull();
    assertThat(only(all, ClusterRoleBinding.class, "flannel")).isNotNull();
    assertThat(only(all, ConfigMap.class, "kube-flannel-cfg").getMetadata().getNamespace())
        .isEqualTo(NS);
    assertThat(only(all, DaemonSet.class, "kube-flannel-ds").getMetadata().getNamespace())
        .isEqualTo(NS);
  }

  @Test
  void configMapHoldsUpstreamsCniConfigAndANetConfTheDaemonAccepts() throws Exception {
    ConfigMap cm = only(Manifests.loadAll(client), ConfigMap.class, "kube-flannel-cfg");
    assertThat(cm.getMetadata().getLabels())
        .containsEntry("tier", "node")
        .containsEntry("k8s-app", "flannel")
        .containsEntry("app", "flannel");

    NetworkConfig net = NetworkConfig.parse(cm.getData().get("net-conf.json"));
    assertThat(net.network()).isEqualTo(Ip4Net.parse("10.244.0.0/16"));
    assertThat(net.backendType()).isEqualTo("vxlan");
    assertThat(JSON.readTree(cm.getData().get("net-conf.json")))
        .isEqualTo(
            JSON.readTree(
                "{\"Network\":\"10.244.0.0/16\",\"EnableNFTables\":false,"
                    + "\"Backend\":{\"Type\":\"vxlan\"}}"));

    JsonNode cni = JSON.readTree(cm.getData().get("cni-conf.json"));
    assertThat(cni)
        .isEqualTo(
            JSON.readTree(
                "{\"name\":\"cbr0\",\"cniVersion\":\"0.3.1\",\"plugins\":["
                    + "{\"type\":\"flannel\",\"delegate\":{\"hairpinMode\":true,"
                    + "\"isDefaultGateway\":true}},"
                    + "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true}}]}"));
  }

  @Test
  void daemonSetRunsFlanneldOnTheHostNetworkWithTwoCapabilitiesAndNoPrivilege() {
    DaemonSet ds = daemonSet();
    PodSpec pod = ds.getSpec().getTemplate().getSpec();
    // upstream's Documentation/kube-flannel.yml selector (UpstreamManifestTest compares the rest)
    assertThat(ds.getSpec().getSelector().getMatchLabels()).isEqualTo(Map.of("app", "flannel"));
    assertThat(pod.getHostNetwork()).isTrue();
    assertThat(pod.getPriorityClassName()).isEqualTo("system-node-critical");
    assertThat(pod.getServiceAccountName()).isEqualTo("flannel");
    assertThat(pod.getTolerations())
        .anySatisfy(
            t -> {
              assertThat(t.getOperator()).isEqualTo("Exists");
              assertThat(t.getEffect()).isEqualTo("NoSchedule");
            });
    assertThat(
            pod.getAffinity()
                .getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms()
                .get(0)
                .getMatchExpressions()
                .get(0)
                .getKey())
        .isEqualTo("kubernetes.io/os");

    Container flannel = container(pod.getContainers(), "kube-flannel");
    assertThat(flannel.getImage()).startsWith("ghcr.io/jflannel/jflannel:v");
    assertThat(flannel.getCommand()).containsExactly("/opt/bin/flanneld");
    assertThat(flannel.getSecurityContext().getPrivileged()).isFalse();
    assertThat(flannel.getSecurityContext().getCapabilities().getAdd())
        .containsExactlyInAnyOrder("NET_ADMIN", "NET_RAW");
    assertThat(env(flannel)).containsKeys("NODE_NAME", "POD_NAME", "POD_NAMESPACE");
    assertThat(env(flannel).get("NODE_NAME").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("spec.nodeName");
    assertThat(env(flannel).get("POD_NAME").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.name");
    assertThat(env(flannel).get("POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.namespace");
    assertThat(env(flannel)).doesNotContainKey("JAVA_OPTS"); // it would drop the image's jffi dir
    assertThat(env(flannel).get("FLANNELD_JVM_HEAP").getValue())
        .as("an explicit heap, sized from BENCHMARKS.md")
        .matches("\\d+[mg]");

    Map<String, Quantity> requests = flannel.getResources().getRequests();
    // BENCHMARKS.md, "flanneld memory and start-up", final build: peak RSS in kube mode at 5,000
    // Nodes, 140.4 MiB (upstream requests 50Mi)
    long measuredPeakRss = Math.round(140.4 * (1 << 20));
    assertThat(Quantity.getAmountInBytes(requests.get("memory")).longValue())
        .as("memory request covers the measured peak RSS")
        .isGreaterThanOrEqualTo(measuredPeakRss)
        .isLessThan(measuredPeakRss + (16L << 20));
    assertThat(requests).containsKey("cpu");
    assertThat(flannel.getResources().getLimits()).as("no limits, as upstream").isNullOrEmpty();
  }

  @Test
  void flagsParseAndProbesUseTheHealthzPortFlanneldIsGiven() {
    Container flannel =
        container(daemonSet().getSpec().getTemplate().getSpec().getContainers(), "kube-flannel");
    FlannelOptions options =
        FlannelOptions.parse(Map.of(), flannel.getArgs().toArray(String[]::new));
    assertThat(options.kubeSubnetMgr()).isTrue();
    assertThat(options.ipMasq()).isTrue();
    int port = options.healthzPort();
    assertThat(port).isEqualTo(8081);
    assertThat(flannel.getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getName()).isEqualTo("healthz");
              assertThat(p.getContainerPort()).isEqualTo(port);
            });
    assertThat(flannel.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(flannel.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("healthz");
    assertThat(flannel.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(flannel.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("healthz");
  }

  /**
   * The liveness probe must not restart flanneld while the API server is away: /healthz never fails
   * for that (HealthStateTest), and it restarts only after a full minute of failures, longer than a
   * reconcile pass of a large cluster; readiness reacts within half a minute.
   */
  @Test
  void probeThresholdsRestartOnlyAfterAMinuteOfFailuresAndReadinessReactsSooner() {
    Container flannel =
        container(daemonSet().getSpec().getTemplate().getSpec().getContainers(), "kube-flannel");
    Probe live = flannel.getLivenessProbe();
    Probe ready = flannel.getReadinessProbe();
    assertThat(live.getPeriodSeconds() * live.getFailureThreshold())
        .as("seconds of /healthz 503 before a restart")
        .isEqualTo(60);
    assertThat(live.getTimeoutSeconds()).isEqualTo(5);
    assertThat(ready.getPeriodSeconds() * ready.getFailureThreshold())
        .as("seconds of /readyz 503 before NotReady")
        .isEqualTo(30);
    FlannelOptions options =
        FlannelOptions.parse(Map.of(), flannel.getArgs().toArray(String[]::new));
    assertThat(options.health().storeTimeout()).hasSeconds(30);
    assertThat(options.health().maxFailedReconciles()).isEqualTo(5);
  }

  @Test
  void mountsAreUpstreamsAndCniInstallCopiesAtomically() {
    PodSpec pod = daemonSet().getSpec().getTemplate().getSpec();
    Map<String, Volume> volumes =
        pod.getVolumes().stream().collect(Collectors.toMap(Volume::getName, Function.identity()));
    assertThat(volumes.get("run").getHostPath().getPath()).isEqualTo("/run/flannel");
    assertThat(volumes.get("cni-plugin").getHostPath().getPath()).isEqualTo("/opt/cni/bin");
    assertThat(volumes.get("cni").getHostPath().getPath()).isEqualTo("/etc/cni/net.d");
    assertThat(volumes.get("flannel-cfg").getConfigMap().getName()).isEqualTo("kube-flannel-cfg");
    assertThat(volumes.get("xtables-lock").getHostPath().getPath()).isEqualTo("/run/xtables.lock");
    assertThat(volumes.get("xtables-lock").getHostPath().getType()).isEqualTo("FileOrCreate");

    Container flannel = container(pod.getContainers(), "kube-flannel");
    assertThat(flannel.getVolumeMounts())
        .extracting(VolumeMount::getName, VolumeMount::getMountPath)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("run", "/run/flannel"),
            org.assertj.core.groups.Tuple.tuple("flannel-cfg", "/etc/kube-flannel/"),
            org.assertj.core.groups.Tuple.tuple("xtables-lock", "/run/xtables.lock"));

    Container plugin = container(pod.getInitContainers(), "install-cni-plugin");
    assertThat(plugin.getImage()).startsWith("ghcr.io/flannel-io/flannel-cni-plugin:v");
    assertThat(String.join(" ", plugin.getCommand()) + " " + String.join(" ", plugin.getArgs()))
        .isEqualTo("cp -f /flannel /opt/cni/bin/flannel");

    Container conf = container(pod.getInitContainers(), "install-cni");
    assertThat(conf.getImage()).isEqualTo(flannel.getImage());
    String script = String.join(" ", conf.getArgs());
    assertThat(script)
        .contains("cp -f /etc/kube-flannel/cni-conf.json /etc/cni/net.d/.10-flannel.conflist.tmp")
        .contains(
            "mv -f /etc/cni/net.d/.10-flannel.conflist.tmp /etc/cni/net.d/10-flannel.conflist");
    assertThat(conf.getVolumeMounts())
        .extracting(VolumeMount::getName)
        .containsExactlyInAnyOrder("cni", "flannel-cfg");
  }
}
