/**
 * IP value types: {@link io.jflannel.core.ip.Ip4}, {@link io.jflannel.core.ip.Ip6} and the CIDR
 * networks {@link io.jflannel.core.ip.Ip4Net}, {@link io.jflannel.core.ip.Ip6Net}.
 *
 * <p>Why not {@code InetAddress}: it resolves host names (a typo in a config could block on DNS),
 * it has no network type, and its text form is not Go's, which upstream flannel writes to
 * subnet.env, etcd keys and node annotations. These types parse text without any lookup, print
 * exactly what Go prints, and keep the arithmetic flannel needs (next subnet, subnets of a length,
 * first usable address) in one place. IPv4 is an {@code int}, IPv6 two {@code long}s: no allocation
 * per comparison when diffing 10,000 leases.
 *
 * <p>A network always holds its network address: host bits are rejected when parsing (a likely
 * typo) and cleared by the {@code of} factories.
 */
package io.jflannel.core.ip;
