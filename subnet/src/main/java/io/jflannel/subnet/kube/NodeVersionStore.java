package io.jflannel.subnet.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The node informer's item store: it remembers only each node's name and resourceVersion, not the
 * Node, so the informer does not keep 15–30 KB per node alive for the life of the daemon.
 *
 * <p>Mechanism: fabric8's informer needs its store for three things only: to tell an add from an
 * update (is the name known?), to skip events whose resourceVersion it has seen, and to find the
 * nodes a re-list no longer returns (they become deletes with {@code deletedFinalStateUnknown}).
 * Name → resourceVersion answers all three. What the informer hands back from this store (the
 * {@code oldObj} of an update, the object of such a delete, {@link #values}) is a skeleton Node
 * holding just those two fields; {@link PeerTracker} keys its own state by name and never reads
 * anything else from it. {@link #isFullState} is false, which makes fabric8 deliver the adds of the
 * first list as they arrive instead of deferring them until the list is complete.
 *
 * <p>Thread-safety: the informer writes from its reflector thread under its cache lock and may read
 * from others; the map is concurrent. Owned by one informer.
 */
final class NodeVersionStore implements ItemStore<Node> {

  private final ConcurrentHashMap<String, String> versions = new ConcurrentHashMap<>();

  @Override
  public String getKey(Node node) {
    return node.getMetadata().getName();
  }

  @Override
  public Node put(String key, Node node) {
    String version = node.getMetadata().getResourceVersion();
    return skeleton(key, versions.put(key, version == null ? "" : version));
  }

  @Override
  public Node remove(String key) {
    return skeleton(key, versions.remove(key));
  }

  @Override
  public Stream<String> keySet() {
    return versions.keySet().stream();
  }

  @Override
  public Stream<Node> values() {
    return versions.entrySet().stream().map(e -> skeleton(e.getKey(), e.getValue()));
  }

  @Override
  public int size() {
    return versions.size();
  }

  @Override
  public Node get(String key) {
    return skeleton(key, versions.get(key));
  }

  @Override
  public boolean isFullState() {
    return false;
  }

  private static Node skeleton(String name, String resourceVersion) {
    if (resourceVersion == null) {
      return null;
    }
    ObjectMeta metadata = new ObjectMeta();
    metadata.setName(name);
    metadata.setResourceVersion(resourceVersion);
    Node node = new Node();
    node.setMetadata(metadata);
    return node;
  }
}
