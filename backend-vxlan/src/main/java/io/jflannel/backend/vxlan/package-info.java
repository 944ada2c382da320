/**
 * The vxlan backend: pod traffic to another node is wrapped in VXLAN (UDP 8472) by the kernel's
 * {@code flannel.<VNI>} device and sent to that node's public IP.
 *
 * <p>Design, as upstream's: the device is created with learning off and no L2/L3-miss callbacks;
 * instead flanneld programs, for each remote node, everything the kernel would otherwise have to
 * discover: one permanent ARP entry (the remote subnet's network address → the remote VTEP MAC),
 * one FDB entry (that MAC → the remote public IP, {@code self permanent}) and one route ({@code
 * 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink}), written in that order so the kernel never
 * has to ARP for a gateway it cannot resolve. Each remote host therefore costs one route, one ARP
 * entry and one FDB entry. Upstream used L2/L3-miss notifications until 2017; they were dropped
 * because missed notifications left peers unreachable.
 *
 * <p>With {@code DirectRouting}, a peer whose public IP is directly reachable on the external link
 * gets a plain route via that IP instead (no encapsulation), as host-gw would.
 *
 * <p>Beyond upstream: {@link io.jflannel.backend.vxlan.VxlanNetwork} is level-triggered. It owns
 * the permanent IPv4 neighbours, the FDB entries and the main-table routes of the device (and, with
 * DirectRouting, the gatewayed routes into the Network on the external link), and reconcile makes
 * them exactly what the peer leases say: entries of nodes that left while the daemon was down go,
 * entries someone deleted come back, and correct entries are not touched. The device MAC is taken
 * from this node's previous lease or annotation when the device must be created again (upstream
 * issue #1795), so peers' entries stay right across reboots.
 */
package io.jflannel.backend.vxlan;
