package io.jflannel.daemon.traffic;

/**
 * One difference between the rules in the kernel and flannel's, found and repaired by {@link
 * TrafficRules}: a missing, duplicated, foreign or misordered rule, a missing chain or table, or
 * rules no longer wanted.
 *
 * @param family the address family whose tables held it
 * @param table iptables: {@code nat} or {@code filter}; nftables: {@code flannel-ipv4} or {@code
 *     flannel-ipv6}
 * @param chain the flannel chain concerned ({@code FLANNEL-POSTRTG}, {@code FLANNEL-FWD}, {@code
 *     postrtg}, {@code forward}), or null when it is a whole nftables table
 * @param detail what was wrong, e.g. {@code "FLANNEL-FWD: missing [-s 10.244.0.0/16 ...]"}
 */
public record Drift(IpFamily family, String table, String chain, String detail) {
  @Override
  public String toString() {
    return family + " " + table + ": " + detail;
  }
}
