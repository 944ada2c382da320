package io.jflannel.subnet.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * The resourceVersions a {@link NodeWatch} has seen, and the way in to its {@link PeerTracker}: the
 * nodes of every list and the events of every fabric8 watch pass through here, one at a time under
 * this object's monitor, and reach the tracker only when their resourceVersion is new.
 *
 * <p>Per node, only name → resourceVersion is kept: to tell an add from an update, to skip what has
 * been seen, and to find the nodes a re-list no longer returns. Also kept: the resourceVersion of
 * the last complete list, and the one a new watch starts from (the last list's, then that of each
 * event or bookmark seen), so that a watch replaced after its rotation period resumes without a
 * re-list.
 *
 * <p>Thread-safety: the list side runs on the watch's thread, the {@link #handler} on fabric8's;
 * both lock this object. Nothing reaches the tracker once the watch is closed, nor from a watch
 * that has ended.
 */
final class NodeVersions {

  private final PeerTracker tracker;
  private final BooleanSupplier closed;
  private final Map<String, String> versions = new HashMap<>(); // guarded by this
  private volatile String listedVersion; // written under this
  private volatile String resumeVersion; // written under this

  /**
   * Feeds {@code tracker}, and nothing from the moment {@code closed} (the watch's flag, checked
   * under the lock) answers true.
   */
  NodeVersions(PeerTracker tracker, BooleanSupplier closed) {
    this.tracker = tracker;
    this.closed = closed;
  }

  /** Returns the resourceVersion of the last complete list, or null before the first. */
  String listedVersion() {
    return listedVersion;
  }

  /** Returns the resourceVersion of the last list, event or bookmark seen: where to watch from. */
  String resumeVersion() {
    return resumeVersion;
  }

  /** Hands one node of a list to the tracker and adds its name to {@code listed}. */
  synchronized void listed(Node node, Set<String> listed) {
    if (!closed.getAsBoolean()) {
      listed.add(node.getMetadata().getName());
      apply(node);
    }
  }

  /**
   * Ends a complete list at {@code version}: nodes known before but not in {@code listed} become
   * deletes ({@code deletedFinalStateUnknown}), then the tracker is told the list is done.
   */
  synchronized void endList(String version, Set<String> listed) {
    if (closed.getAsBoolean()) {
      return;
    }
    for (String name : List.copyOf(versions.keySet())) {
      if (!listed.contains(name)) {
        versions.remove(name);
        tracker.onDelete(skeleton(name), true);
      }
    }
    listedVersion = version;
    tracker.onList(version, listed.isEmpty());
  }

  /** Makes {@code version}, a list's, the one the next watch starts from. */
  synchronized void resumeFrom(String version) {
    resumeVersion = version;
  }

  /**
   * Returns the fabric8 handler of one watch. It completes {@code ended} when the watch ends (with
   * the error, or null); from then on, or once the watch is closed, its events are dropped.
   */
  Watcher<Node> handler(CompletableFuture<WatcherException> ended) {
    return new Handler(ended);
  }

  /** Hands one listed or watched node to the tracker, unless its resourceVersion is known. */
  private void apply(Node node) {
    ObjectMeta metadata = node.getMetadata();
    if (metadata == null || metadata.getName() == null) {
      return;
    }
    String version = metadata.getResourceVersion() == null ? "" : metadata.getResourceVersion();
    String last = versions.put(metadata.getName(), version);
    if (last == null) {
      tracker.onAdd(node);
    } else if (!last.equals(version)) {
      tracker.onUpdate(node, node);
    }
  }

  private static Node skeleton(String name) {
    ObjectMeta metadata = new ObjectMeta();
    metadata.setName(name);
    Node node = new Node();
    node.setMetadata(metadata);
    return node;
  }

  /** Watch events of one watch; dropped once that watch has ended or the node watch is closed. */
  private final class Handler implements Watcher<Node> {
    private final CompletableFuture<WatcherException> ended;

    Handler(CompletableFuture<WatcherException> ended) {
      this.ended = ended;
    }

    @Override
    public void eventReceived(Action action, Node node) {
      synchronized (NodeVersions.this) {
        if (closed.getAsBoolean() || ended.isDone() || node == null) {
          return;
        }
        switch (action) {
          case ADDED, MODIFIED -> apply(node);
          case DELETED -> {
            String name = node.getMetadata() == null ? null : node.getMetadata().getName();
            if (name != null && versions.remove(name) != null) {
              tracker.onDelete(node, false);
            }
          }
          default -> {} // BOOKMARK: only its resourceVersion counts; ERROR: fabric8 handles it
        }
        if (node.getMetadata() != null && node.getMetadata().getResourceVersion() != null) {
          resumeVersion = node.getMetadata().getResourceVersion();
        }
      }
    }

    @Override
    public boolean reconnecting() {
      return true; // a dropped connection is resumed by fabric8, however often it drops
    }

    @Override
    public void onClose(WatcherException cause) {
      ended.complete(cause);
    }

    @Override
    public void onClose() {
      ended.complete(null);
    }
  }
}
