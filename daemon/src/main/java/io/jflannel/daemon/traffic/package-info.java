/**
 * flannel's iptables rules ({@link io.jflannel.daemon.traffic.TrafficRules}): the masquerade chain
 * {@code FLANNEL-POSTRTG} and the forward chain {@code FLANNEL-FWD}, written with {@code
 * iptables-restore --noflush} and checked against {@code iptables-save}.
 *
 * <p>Design notes. Why shell out: the iptables rule format is an ABI of the iptables binaries
 * (legacy and nft back ends differ in the kernel), so the binaries are the only stable interface;
 * it is the one exec jflannel makes. Why compare the saved text: {@code iptables-save} prints a
 * rule in a canonical form that matches upstream's rule specs token for token, so "is the chain
 * right" is a list comparison, which also catches the duplicates and misordering upstream's
 * presence check misses (issue #1337). Why one restore per family: a chain is flushed and refilled
 * inside one transaction, so packets never see it half-built. nftables mode ({@code
 * EnableNFTables}) is not implemented.
 */
package io.jflannel.daemon.traffic;
