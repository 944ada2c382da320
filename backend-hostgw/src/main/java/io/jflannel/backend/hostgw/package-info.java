/**
 * The host-gw backend: every peer's pod subnet is routed via that peer's public IP on the external
 * interface, {@code ip route replace 10.244.2.0/24 via 192.168.1.12 dev eth0}. No encapsulation, so
 * the fastest backend, but every node must sit on one L2 segment: the kernel refuses a gateway it
 * cannot reach directly ("network is unreachable"), and a router between nodes would not know the
 * pod subnets. Behind NAT (public IP different from the interface IP) it cannot work at all and
 * refuses to start, as upstream does.
 *
 * <p>Per peer it costs one route. Unlike upstream, which re-adds missing routes every 10 s but
 * never removes routes of nodes that left while it was down (issue #2554), {@link
 * io.jflannel.backend.hostgw.HostGwNetwork} reconciles: it owns the gatewayed routes on the
 * external link whose destination lies inside the flannel Network, and makes them exactly the
 * peers' routes.
 */
package io.jflannel.backend.hostgw;
