package io.jflannel.daemon.traffic;

import java.util.ArrayList;
import java.util.List;

/**
 * One of flannel's nftables tables as it must be: upstream's {@code flannel-ipv4} (family {@code
 * ip}) or {@code flannel-ipv6} ({@code ip6}) holding the masquerade chain {@code postrtg} and the
 * forward chain {@code forward}, with their rules in order.
 *
 * <p>{@link #text} is the table in the syntax {@code nft list table} prints and {@code nft -f}
 * reads, rules written in the canonical form nft prints them back in, so comparing a listing with
 * the wanted table is a comparison of lines ({@link NftListing}). {@link #replaceScript} replaces
 * the table whatever it holds, in one transaction.
 *
 * <p>Immutable and thread-safe.
 *
 * @param family which table
 * @param comments whether the table and its chains carry upstream's comments ({@code nft} and the
 *     kernel must support object comments: nft 0.9.7 and Linux 5.10)
 * @param chains the chains, in order
 */
record NftTable(IpFamily family, boolean comments, List<NftTable.Chain> chains) {

  /** The masquerade chain's name (upstream's). */
  static final String MASQ_CHAIN = "postrtg";

  /** The forward chain's name (upstream's). */
  static final String FORWARD_CHAIN = "forward";

  /**
   * Leaves traffic kube-proxy marked for masquerading alone (it masquerades it itself), whatever
   * other bits of the mark are set: the meaning of the iptables rule {@code -m mark --mark
   * 0x4000/0x4000}.
   */
  static final String KUBE_PROXY_MARK_RULE = "meta mark & 0x00004000 == 0x00004000 return";

  NftTable {
    chains = List.copyOf(chains);
  }

  /**
   * One base chain.
   *
   * @param name {@code postrtg} or {@code forward}
   * @param comment upstream's comment of the chain
   * @param declaration its type, hook, priority and policy as nft prints them
   * @param rules its rules, in order, as nft prints them
   */
  record Chain(String name, String comment, String declaration, List<String> rules) {
    Chain {
      rules = List.copyOf(rules);
    }
  }

  /**
   * Upstream's masquerade chain: type nat, hook postrouting, priority srcnat (100), policy accept;
   * its six rules mean what the six rules of {@code FLANNEL-POSTRTG} mean ({@link
   * FlannelChain#masquerade}): leave kube-proxy's marked traffic, pod-to-pod traffic and traffic
   * from outside the network to this node's pods alone; masquerade the rest that leaves the overlay
   * (but not multicast), and host traffic into the overlay.
   *
   * @param fullyRandom whether masquerade gets {@code fully-random}
   */
  static Chain masquerade(IpFamily f, String network, String subnet, boolean fullyRandom) {
    String k = f.nftFamily();
    String masquerade = fullyRandom ? "masquerade fully-random" : "masquerade";
    return new Chain(
        MASQ_CHAIN,
        "chain to manage traffic masquerading by flannel",
        "type nat hook postrouting priority srcnat; policy accept;",
        List.of(
            KUBE_PROXY_MARK_RULE,
            k + " saddr " + subnet + " " + k + " daddr " + network + " return",
            k + " saddr " + network + " " + k + " daddr " + subnet + " return",
            k + " saddr != " + network + " " + k + " daddr " + subnet + " return",
            k + " saddr " + network + " " + k + " daddr != " + f.multicast() + " " + masquerade,
            k + " saddr != " + network + " " + k + " daddr " + network + " " + masquerade));
  }

  /**
   * Upstream's forward chain: type filter, hook forward, priority filter (0), policy accept;
   * accepts traffic from and to the network. As with every nftables base chain, an accept here does
   * not override a drop in another table's forward chain.
   */
  static Chain forward(IpFamily f, String network) {
    String k = f.nftFamily();
    return new Chain(
        FORWARD_CHAIN,
        "chain to accept flannel traffic",
        "type filter hook forward priority filter; policy accept;",
        List.of(k + " saddr " + network + " accept", k + " daddr " + network + " accept"));
  }

  /** {@code flannel-ipv4} or {@code flannel-ipv6}. */
  String name() {
    return family.nftTable();
  }

  /** The table as nft commands name it: {@code ip flannel-ipv4}. */
  String ref() {
    return ref(family);
  }

  static String ref(IpFamily f) {
    return f.nftFamily() + " " + f.nftTable();
  }

  /** The table as {@code nft list table} prints it, which is also {@code nft -f} input. */
  String text() {
    StringBuilder sb = new StringBuilder("table ").append(ref()).append(" {\n");
    if (comments) {
      sb.append("\tcomment \"rules for ").append(name()).append("\"\n");
    }
    List<String> blocks = new ArrayList<>();
    for (Chain c : chains) {
      StringBuilder b = new StringBuilder("\tchain ").append(c.name()).append(" {\n");
      if (comments) {
        b.append("\t\tcomment \"").append(c.comment()).append("\"\n");
      }
      b.append("\t\t").append(c.declaration()).append('\n');
      c.rules().forEach(r -> b.append("\t\t").append(r).append('\n'));
      blocks.add(b.append("\t}\n").toString());
    }
    return sb.append(String.join("\n", blocks)).append("}\n").toString();
  }

  /**
   * The {@code nft -f} script that makes the table exactly {@link #text}, whatever it holds now (or
   * if it does not exist): create it if missing, delete it, declare it anew. nft applies a script
   * as one transaction, so packets see the old table or the new one, never none.
   */
  String replaceScript() {
    return deleteScript(family) + text();
  }

  /** The {@code nft -f} lines that delete the table of {@code f}, whether it exists or not. */
  static String deleteScript(IpFamily f) {
    return "add table " + ref(f) + "\ndelete table " + ref(f) + "\n";
  }
}
