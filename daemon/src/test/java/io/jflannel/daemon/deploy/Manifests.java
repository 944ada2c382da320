package io.jflannel.daemon.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The manifests of the repository's {@code deploy/} directory, loaded with a fabric8 client. */
final class Manifests {
  private Manifests() {}

  /** {@code deploy/} beside the daemon module (tests run in the module's directory). */
  static Path dir() {
    Path dir = Path.of(System.getProperty("user.dir")).resolveSibling("deploy");
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException(dir + " is missing: run the tests from the daemon module");
    }
    return dir;
  }

  /** {@code deploy/kustomization.yaml}: kustomize's input, not a manifest. */
  static final String KUSTOMIZATION = "kustomization.yaml";

  /**
   * Every manifest in {@code deploy/}: its {@code *.yml}/{@code *.yaml} files but {@value
   * #KUSTOMIZATION}, sorted by name.
   */
  static List<Path> files() {
    try (Stream<Path> s = Files.list(dir())) {
      return s.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
          .filter(p -> !p.getFileName().toString().equals(KUSTOMIZATION))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every object of one file, in document order. */
  static List<HasMetadata> load(KubernetesClient client, Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return client.load(in).items();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every object of every file. */
  static List<HasMetadata> loadAll(KubernetesClient client) {
    List<HasMetadata> all = new ArrayList<>();
    for (Path f : files()) {
      all.addAll(load(client, f));
    }
    return all;
  }

  /** The one object of {@code type} named {@code name}; fails if there is not exactly one. */
  static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type, String name) {
    List<T> found =
        objects.stream()
            .filter(type::isInstance)
            .map(type::cast)
            .filter(o -> name.equals(o.getMetadata().getName()))
            .toList();
    if (found.size() != 1) {
      throw new AssertionError(
          "expected one "
              + type.getSimpleName()
              + " "
              + name
              + " in deploy/, found "
              + found.size());
    }
    return found.get(0);
  }
}
