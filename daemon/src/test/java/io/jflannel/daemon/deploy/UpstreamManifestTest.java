package io.jflannel.daemon.deploy;

import static io.jflannel.daemon.deploy.Manifests.only;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Applying jflannel's manifest over an upstream install must be an ordinary update of the same
 * objects, and applying upstream's over ours the same in reverse: the same kinds, names and
 * namespaces (nothing created beside upstream's objects, no second DaemonSet on the nodes), the
 * same labels, and above all the same DaemonSet selector, which the API server refuses to change.
 *
 * <p>Upstream has two manifests that differ exactly there (fixtures in
 * src/test/resources/upstream/, each saying where it comes from): its
 * Documentation/kube-flannel.yml selects on {@code app: flannel}, its release asset, built with
 * kustomize, on {@code app} and {@code k8s-app}. {@code deploy/kube-flannel.yml} matches the first;
 * {@code kubectl apply -k deploy/} (its kustomization.yaml adds the label as upstream's build does)
 * the second.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class UpstreamManifestTest {
  private static final String DOCUMENTATION = "/upstream/kube-flannel-v0.28.2-Documentation.yml";
  private static final String RELEASE_ASSET = "/upstream/kube-flannel-v0.28.1-release-asset.yml";

  KubernetesClient client;

  private List<HasMetadata> fixture(String name) throws URISyntaxException {
    return Manifests.load(client, Path.of(getClass().getResource(name).toURI()));
  }

  @Test
  void bothFixturesHoldUpstreamsSixObjects() throws Exception {
    for (String name : List.of(DOCUMENTATION, RELEASE_ASSET)) {
      assertThat(fixture(name))
          .as(name)
          .extracting(HasMetadata::getKind)
          .containsExactlyInAnyOrder(
              "Namespace",
              "ServiceAccount",
              "ClusterRole",
              "ClusterRoleBinding",
              "ConfigMap",
              "DaemonSet");
    }
  }

  @Test
  void deployKubeFlannelYmlIsUpstreamsDocumentationManifest() throws Exception {
    assertSameAsUpstream(fixture(DOCUMENTATION), Manifests.loadAll(client));
  }

  @Test
  void theReleaseAssetIsTheDocumentationManifestWithK8sAppAddedEverywhere() throws Exception {
    // what deploy/kustomization.yaml does to ours, done to upstream's own Documentation manifest,
    // gives upstream's release asset: so the overlay turns ours into the release asset's variant
    List<HasMetadata> labelled = fixture(DOCUMENTATION);
    labelled.forEach(o -> addCommonLabel(o, "k8s-app", "flannel"));
    assertSameAsUpstream(fixture(RELEASE_ASSET), labelled);
  }

  @Test
  void theKustomizationAddsK8sAppToSelectorsAsUpstreamsBuildDoes() throws IOException {
    String text = Files.readString(Manifests.dir().resolve(Manifests.KUSTOMIZATION));
    @SuppressWarnings("unchecked")
    Map<String, Object> k = client.getKubernetesSerialization().unmarshal(text, Map.class);
    assertThat(k.get("resources")).isEqualTo(List.of("kube-flannel.yml"));
    assertThat(k.get("labels"))
        .isEqualTo(
            List.of(Map.of("pairs", Map.of("k8s-app", "flannel"), "includeSelectors", true)));
    assertThat(k).containsOnlyKeys("resources", "labels");
  }

  @Test
  void kubectlKustomizeOfDeployIsUpstreamsReleaseAsset() throws Exception {
    String kubectl = onPath("kubectl");
    assumeTrue(kubectl != null, "kubectl is not installed: `kubectl kustomize deploy/` not run");
    Process p =
        new ProcessBuilder(kubectl, "kustomize", Manifests.dir().toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD) // kustomize's warnings, if any
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("kubectl kustomize ends").isTrue();
    assertThat(p.exitValue()).as("kubectl kustomize deploy/ exit status").isZero();
    List<HasMetadata> built = client.load(new ByteArrayInputStream(out)).items();
    assertSameAsUpstream(fixture(RELEASE_ASSET), built);
    assertThat(new String(out, StandardCharsets.UTF_8)).contains("image: ghcr.io/jflannel/");
  }

  /** Every check of this class, {@code ours} against {@code upstream}. */
  private static void assertSameAsUpstream(List<HasMetadata> upstream, List<HasMetadata> ours) {
    assertThat(keys(ours))
        .as("apply configures upstream's objects and creates no others")
        .isEqualTo(keys(upstream));
    for (HasMetadata theirs : upstream) {
      assertThat(same(ours, theirs).getMetadata().getLabels())
          .as("labels of %s", key(theirs))
          .isEqualTo(theirs.getMetadata().getLabels());
    }
    assertDaemonSetSelectsAsUpstream(only(upstream, DaemonSet.class, "kube-flannel-ds"), ours);
    ClusterRole role = only(upstream, ClusterRole.class, "flannel");
    assertThat(rules(same(ours, role))).isEqualTo(rules(role));
    ClusterRoleBinding binding = only(upstream, ClusterRoleBinding.class, "flannel");
    assertThat(same(ours, binding).getRoleRef()).isEqualTo(binding.getRoleRef());
    assertThat(same(ours, binding).getSubjects()).isEqualTo(binding.getSubjects());
  }

  private static void assertDaemonSetSelectsAsUpstream(DaemonSet theirs, List<HasMetadata> ours) {
    DaemonSet mine = same(ours, theirs);
    LabelSelector theirSelector = theirs.getSpec().getSelector();
    LabelSelector mySelector = mine.getSpec().getSelector();
    assertThat(mySelector.getMatchLabels())
        .as("spec.selector is immutable: any difference makes kubectl apply fail")
        .isEqualTo(theirSelector.getMatchLabels());
    assertThat(mySelector.getMatchExpressions()).isEqualTo(theirSelector.getMatchExpressions());
    Map<String, String> myPods = mine.getSpec().getTemplate().getMetadata().getLabels();
    assertThat(myPods).isEqualTo(theirs.getSpec().getTemplate().getMetadata().getLabels());
    // the (shared) selector picks our pods, so the rolling update replaces upstream's one by one
    assertThat(myPods).containsAllEntriesOf(mySelector.getMatchLabels());
    assertThat(mine.getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo(theirs.getSpec().getTemplate().getSpec().getServiceAccountName());

    ResourceRequirements their = flanneld(theirs).getResources();
    ResourceRequirements my = flanneld(mine).getResources();
    assertThat(their.getLimits()).isNullOrEmpty();
    assertThat(my.getLimits()).as("no limits, as upstream").isNullOrEmpty();
    assertThat(my.getRequests().keySet()).isEqualTo(their.getRequests().keySet());
    assertThat(my.getRequests().get("cpu")).isEqualTo(their.getRequests().get("cpu"));
    // memory differs on purpose: a JVM, sized from BENCHMARKS.md (DeployManifestsTest checks it)
  }

  /** kustomize's common label: on the object, and on a DaemonSet's selector and pod template. */
  private static void addCommonLabel(HasMetadata o, String key, String value) {
    o.getMetadata().setLabels(with(o.getMetadata().getLabels(), key, value));
    if (o instanceof DaemonSet ds) {
      LabelSelector s = ds.getSpec().getSelector();
      s.setMatchLabels(with(s.getMatchLabels(), key, value));
      var template = ds.getSpec().getTemplate().getMetadata();
      template.setLabels(with(template.getLabels(), key, value));
    }
  }

  private static Map<String, String> with(Map<String, String> labels, String key, String value) {
    Map<String, String> out = new HashMap<>(labels == null ? Map.of() : labels);
    out.put(key, value);
    return out;
  }

  /** kind/namespace/name, the identity {@code kubectl apply} matches objects by. */
  private static String key(HasMetadata o) {
    return o.getKind()
        + "/"
        + Objects.requireNonNullElse(o.getMetadata().getNamespace(), "")
        + "/"
        + o.getMetadata().getName();
  }

  private static Set<String> keys(List<HasMetadata> objects) {
    return objects.stream()
        .map(UpstreamManifestTest::key)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static <T extends HasMetadata> T same(List<HasMetadata> in, T o) {
    @SuppressWarnings("unchecked")
    T found = (T) only(in, o.getClass(), o.getMetadata().getName());
    return found;
  }

  private static Container flanneld(DaemonSet ds) {
    return ds.getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> c.getName().equals("kube-flannel"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no container kube-flannel in " + key(ds)));
  }

  /** Each rule as "apiGroups resources verbs", sorted: the order of rules and lists is no grant. */
  private static Set<String> rules(ClusterRole role) {
    return role.getRules().stream()
        .map(UpstreamManifestTest::rule)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static String rule(PolicyRule r) {
    return new TreeSet<>(r.getApiGroups())
        + " "
        + new TreeSet<>(r.getResources())
        + " "
        + new TreeSet<>(r.getVerbs());
  }

  /** The executable {@code name} on the PATH, or null. */
  private static String onPath(String name) {
    String path = Objects.requireNonNullElse(System.getenv("PATH"), "");
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }
}
