/**
 * The wireguard backend: pod traffic to another node goes through the WireGuard device {@code
 * flannel-wg} (and {@code flannel-wg-v6} in separate mode with IPv6), encrypted, in UDP datagrams
 * to the peer's public IP on {@code ListenPort} (51820; 51821 for IPv6).
 *
 * <p>As upstream's ({@code pkg/backend/wireguard}): options {@code ListenPort}, {@code
 * ListenPortV6}, {@code PSK}, {@code PersistentKeepaliveInterval} (seconds), {@code MTU} and {@code
 * Mode} ({@code separate}, {@code auto}, {@code ipv4}, {@code ipv6}); device MTU = MTU − 80; the
 * device holds the lease's first address ({@code /32}, {@code /128}) and one link-scope route for
 * the whole Network; the private key lives in {@code /run/flannel/wgkey} (or {@code
 * $WIREGUARD_KEY_FILE}), mode 0400, made on the first start; leases carry {@code BackendType
 * "wireguard"} and {@code {"PublicKey":"<base64>"}} in {@code BackendData}/{@code BackendV6Data},
 * so upstream nodes and ours share a cluster. One peer per lease: the peer's key, endpoint {@code
 * <PublicIP>:<our ListenPort>} (leases carry no port, so every node must use the same one), allowed
 * IPs = its subnet(s), PSK and keepalive when set.
 *
 * <p>Two ways to program the device behind one interface ({@link
 * io.jflannel.backend.wireguard.WgDevice}), chosen at start and logged ({@link
 * io.jflannel.backend.wireguard.WgDevices}): the kernel's WireGuard through our generic-netlink
 * binding, or, where the kernel has none, {@code wireguard-go} over its UAPI socket, started and
 * supervised by flanneld (beyond upstream, which needs the kernel module).
 *
 * <p>Differences from upstream: upstream deletes and re-creates an existing device at start and
 * deletes it on exit; we adopt a kernel device and leave it in place on exit, so a restart writes
 * nothing and drops no packet (a wireguard-go we started is stopped on exit, taking its device with
 * it). Upstream only reacts to events; we also reconcile: peers someone removed, changed or added
 * by hand are repaired on every {@code --resync-period}. A lease with a malformed key is skipped
 * with one warning naming the node instead of an error per event.
 */
package io.jflannel.backend.wireguard;
