/**
 * flannel's masquerade and forward rules ({@link io.jflannel.daemon.traffic.TrafficRules}): with
 * iptables ({@link io.jflannel.daemon.traffic.IptablesRules}, chains {@code FLANNEL-POSTRTG} and
 * {@code FLANNEL-FWD}, written with {@code iptables-restore --noflush} and checked against {@code
 * iptables-save}) or, with {@code "EnableNFTables": true}, with nftables ({@link
 * io.jflannel.daemon.traffic.NftablesRules}, tables {@code flannel-ipv4}/{@code flannel-ipv6},
 * written with {@code nft -f -} and checked against {@code nft list table}).
 *
 * <p>Design notes. Why shell out: the iptables rule format is an ABI of the iptables binaries
 * (legacy and nft back ends differ in the kernel), and nftables' netlink expressions are an ABI of
 * {@code nft}, so the binaries are the only stable interface; they are the only execs jflannel
 * makes. Why compare the printed text: {@code iptables-save} and {@code nft list} print a rule in a
 * canonical form, which our rules are written in, so "is the chain right" is a list comparison,
 * which also catches the duplicates and misordering upstream's presence check misses (issue #1337).
 * Why one restore or one {@code nft -f} per reconcile: a chain or table is flushed and refilled
 * inside one transaction, so packets never see it half-built.
 */
package io.jflannel.daemon.traffic;
