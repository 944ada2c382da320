/**
 * End-to-end suite: several simulated hosts, each running the packaged {@code flanneld}
 * (daemon/target/flanneld, passed as {@code -Dflanneld}) against a real etcd (etcd mode) or
 * fabric8's mock Kubernetes API server (kube mode), checked from the outside the way an operator
 * would look: {@code ip}, {@code bridge}, {@code iptables-save}, {@code etcdctl}, the API server's
 * Nodes, {@code ping}, subnet.env.
 *
 * <pre>
 *  jfl-sw-SFX: br0 192.168.100.1/24 + etcd (client :2379) or the mock API server (:8080)
 *     |  port h1            |  port h2            |  port h3
 *  jfl-h1-SFX: eth0 .11   jfl-h2-SFX: eth0 .12   jfl-h3-SFX: eth0 .13   flanneld, flannel.1 / routes
 *     cni0 10.244.X.1       cni0 10.244.Y.1       cni0 10.244.Z.1        (wired like the CNI plugin)
 *  jfl-p1-SFX: eth0 .X.2  jfl-p2-SFX: eth0 .Y.2  jfl-p3-SFX: eth0 .Z.2   the pods
 * </pre>
 *
 * <p>Dual-stack and IPv6-only clusters ({@link io.jflannel.e2e.Stack}, {@link
 * io.jflannel.e2e.DualStackScenarios}) add IPv6 to the same plan: br0 {@code fd00:100::1/64}, each
 * host's eth0 {@code fd00:100::<10+i>/64} (IPv6 forwarding on), {@code "IPv6Network":"fd10::/56"},
 * cni0 the first address of FLANNEL_IPV6_SUBNET and the pod the next, with a default route via cni0
 * in each family; vxlan adds {@code flannel-v6.1}. The control plane stays on IPv4. Harness IPv6
 * addresses are added with {@code nodad}, so none is tentative when a daemon or a ping starts.
 *
 * <p>Design notes:
 *
 * <ul>
 *   <li>Nothing touches the root namespace: every veth is created inside a test namespace with its
 *       peer placed straight into another one; etcd's peer port is on the switch namespace's
 *       loopback; each daemon's health port is on its host's loopback (probed with bash's {@code
 *       /dev/tcp} from inside, so no HTTP client must be installed).
 *   <li>The daemon is a black box: it is only started, stopped (SIGTERM), crashed (SIGKILL) and
 *       observed. Expected kernel state, subnet.env and etcd values are written out in {@link
 *       io.jflannel.e2e.UpstreamShapes} as upstream flannel produces them, and compared verbatim.
 *   <li>"No kernel writes" is measured with {@code ip monitor} and {@code bridge monitor} between
 *       two marks the harness makes itself ({@link io.jflannel.e2e.KernelMonitor}); traffic-driven
 *       noise (underlay and pod ARP, cni0 learning, IPv6 link-local housekeeping) is listed, with
 *       its reason, and not counted ({@link io.jflannel.e2e.FlannelEvents}).
 *   <li>Waiting is always on a condition with a deadline (awaitility); the one deliberate window is
 *       the restart scenario's observation period, which must outlast one resync period.
 *   <li>One cluster per backend is shared by that backend's scenarios (three daemon JVMs cost more
 *       to start than every scenario together); each scenario starts from a converged cluster and
 *       leaves it converged.
 *   <li>The control plane is an interface ({@link io.jflannel.e2e.ControlPlane}) with two
 *       implementations: {@link io.jflannel.e2e.EtcdServer} and {@link
 *       io.jflannel.e2e.KubeApiServer} (net-conf.json in a file, leases as node annotations, one
 *       Node registered per host before its daemon starts). The mock API server is its own JVM
 *       ({@link io.jflannel.e2e.MockApiServerMain}, started with the test classpath) inside the
 *       switch namespace, since the daemons cannot reach the test JVM's namespace and the test JVM
 *       cannot reach theirs: the harness makes its API calls with {@code curl} run in the switch
 *       namespace.
 * </ul>
 *
 * <p>Every cluster copies its daemon and control-plane logs to {@code
 * target/e2e-logs/<cluster>-<sfx>/} when it closes. Run: {@code mvn -B -pl src-test verify} as
 * root, after the sibling modules are installed; without root every test is skipped with the
 * reason.
 */
package io.jflannel.e2e;
