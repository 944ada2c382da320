/**
 * The etcd subnet manager: {@link io.jflannel.subnet.etcd.EtcdSubnetManager}, configured by {@link
 * io.jflannel.subnet.etcd.EtcdOptions} (the {@code --etcd-*} flags) and {@link
 * io.jflannel.subnet.etcd.EtcdTimings}.
 *
 * <h2>Layout in etcd (v3 API), shared with upstream flannel</h2>
 *
 * <pre>
 * /coreos.com/network/config                        net-conf.json
 * /coreos.com/network/subnets/10.5.52.0-24          {"PublicIP":"192.168.64.3","PublicIPv6":null,
 *                                                    "BackendType":"vxlan","BackendData":{...}}
 * /coreos.com/network/subnets/10.5.52.0-24&amp;fc00::-64   (dual-stack)
 * /coreos.com/network/subnets/0.0.0.0-0&amp;fc00::-64      (IPv6-only: upstream's empty IPv4 net)
 * </pre>
 *
 * Each lease key carries an etcd lease of 24 h and is rewritten with a new one an hour (the renew
 * margin) before it runs out. A key without an etcd lease is a reservation: an operator pins a
 * subnet to a public IP, and the node with that IP takes it and leaves it without TTL.
 *
 * <h2>Pieces</h2>
 *
 * <ul>
 *   <li>{@code EtcdConnection}: the client from the flags, speaking etcd's v3 API as the JSON its
 *       gateway serves (etcd 3.4 and later) over {@code Http1} (our HTTP/1.1; TLS via the JDK);
 *       {@code EtcdWatchStream}: one watch's answer, on a socket with TCP keepalive; {@code
 *       EtcdJson}: the messages; {@code EtcdException}: etcd's errors as gRPC statuses; {@code
 *       EtcdTls}, {@code PemKeys}, {@code Der}: the TLS files, read (PKCS#8, PKCS#1 and SEC1 keys)
 *       and checked at start-up; {@code EtcdTlsProbe}, {@code EtcdFailures}: one-line explanations
 *       of failed requests (a TLS handshake, authentication).
 *   <li>{@code EtcdStore}: the etcd operations, blocking with a timeout; {@code SubnetKeys}, {@code
 *       EtcdKeys}: key names; {@code LeaseDecoder}: key and value to lease, bad keys warned once,
 *       each value decoded once per key and revision.
 *   <li>{@code SubnetAllocator}: which subnet to take (pure, unit-tested); {@code LeaseAcquirer}:
 *       taking it, with the create-if-absent race and its retries.
 *   <li>{@code LeaseKeeper}: renewal and loss of the own lease.
 *   <li>{@code ResilientWatch}: a watch that resumes after the last revision seen, with backoff,
 *       and re-lists after a compaction or on request; {@code EtcdLeaseWatch}: peer state and
 *       diffing on top of it, started from the acquisition's listing, re-listed every 10 min as a
 *       safety net, and the source of the reconcile's peer set; delivery to the listener goes
 *       through the subnet package's {@code LeaseDelivery}, as in kube mode.
 * </ul>
 *
 * <h2>History</h2>
 *
 * Upstream moved from the v2 to the v3 API in v0.18.0 (2022) and reads only v3 keys since; a config
 * written with {@code etcdctl} v2 commands is invisible (upstream issue #1584), hence the hint in
 * the "config not found" error. Upstream's watch pushes every event through channels (issue #2252
 * for the Kubernetes twin); here events coalesce per subnet, so a burst of thousands of peers costs
 * one map entry each.
 */
package io.jflannel.subnet.etcd;
