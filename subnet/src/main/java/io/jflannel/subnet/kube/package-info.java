/**
 * The Kubernetes subnet manager ({@code --kube-subnet-mgr}): {@link
 * io.jflannel.subnet.kube.KubeSubnetManager}, with {@link io.jflannel.subnet.kube.KubeOptions} for
 * its flags.
 *
 * <p>Design notes. Upstream's manager ({@code pkg/subnet/kube/kube.go}) runs a client-go informer
 * on all Nodes and pushes one event per change into a buffered channel of {@code EVENT_QUEUE_DEPTH}
 * (5,000); when 5,000+ nodes start at once the channel fills and the informer blocks (issue #2252;
 * PR #2251 added up to 100 retrying goroutines). Its informer cache also holds every Node in full,
 * 15–30 KB each on a real cluster. This package keeps list-then-watch of all Nodes but changes what
 * it holds and how events leave it:
 *
 * <ul>
 *   <li>The first list is read from the API server's watch cache ({@code resourceVersion=0}, one
 *       response, as client-go's reflector lists first), later ones page by page ({@code
 *       limit}/{@code continue}) as consistent reads; each response is read as a stream, one slim
 *       Node (name, resourceVersion, annotations, pod CIDRs) at a time ({@code NodeLister}, {@code
 *       NodeListReader}); fabric8's informer would hold the whole list twice, as bytes and as
 *       objects. The watch is fabric8's, from the list's resourceVersion ({@code NodeWatch}); 410
 *       Gone means list again.
 *   <li>The client's JSON mapping knows only the kinds flannel reads ({@code
 *       KubeConnect.serialization}), so fabric8 does not load its model classes of every kind.
 *   <li>Per node only name → resourceVersion is kept besides the lease; each Node is projected into
 *       its lease on arrival ({@code PeerTracker}, {@code NodeProjector}). Full Nodes live only
 *       while one watch event is being handled.
 *   <li>Events coalesce per lease in an insertion-ordered map drained by one delivery thread
 *       ({@code LeaseDelivery} of the subnet package): pending work is bounded by the number of
 *       peers, and nothing can block the informer.
 *   <li>Nodes that yield no lease are skipped with one warning per node and reason; the others keep
 *       flowing. A dual-stack peer lacking one family (no {@code public-ipv6}, no IPv6 pod CIDR) is
 *       kept for the other, with one warning per node and missing field.
 *   <li>Writes go through {@code nodes/status}, which is what kube-flannel.yml's ClusterRole may
 *       patch: annotations by JSON merge patch (only changed keys), the NetworkUnavailable
 *       condition by a resourceVersion-guarded JSON Patch that leaves the other conditions alone
 *       ({@code OwnNode}).
 * </ul>
 *
 * <p>Testing: against fabric8's CRUD mock API server. It has no watch history (a resumed watch sees
 * the current objects as ADDED, never the deletes it missed), ignores {@code limit} (one page
 * always), sends no bookmarks, refuses strategic merge patches, and drops metadata sent to {@code
 * /status}; see the tests for what each of those means here. Paging is tested against a small fake
 * API server.
 */
package io.jflannel.subnet.kube;
