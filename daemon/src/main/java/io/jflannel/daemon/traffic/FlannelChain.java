package io.jflannel.daemon.traffic;

import java.util.ArrayList;
import java.util.List;

/**
 * One of flannel's two iptables chains with the rules it must hold, in order, and the built-in
 * chain that jumps to it: {@code FLANNEL-POSTRTG} (table nat, from {@code POSTROUTING}, comment
 * {@code "flanneld masq"}) and {@code FLANNEL-FWD} (table filter, from {@code FORWARD}, comment
 * {@code "flanneld forward"}). The rule shapes are upstream's, token for token, so a node switched
 * between flannel and jflannel finds its rules already right.
 *
 * <p>A rule is its argument tokens after {@code -A <chain>}, unquoted, exactly as {@code
 * iptables-save} prints them back; that is what makes the drift check a plain list comparison.
 *
 * <p>Immutable and thread-safe.
 *
 * @param table {@code nat} or {@code filter}
 * @param chain {@code FLANNEL-POSTRTG} or {@code FLANNEL-FWD}
 * @param parent the built-in chain holding the jump rule: {@code POSTROUTING} or {@code FORWARD}
 * @param comment the {@code -m comment} text every rule carries; it also marks stale rules of ours
 * @param rules the rules of {@code chain}, in order
 */
public record FlannelChain(
    String table, String chain, String parent, String comment, List<List<String>> rules) {

  /** The masquerade chain's name. */
  public static final String MASQ_CHAIN = "FLANNEL-POSTRTG";

  /** The forward chain's name. */
  public static final String FORWARD_CHAIN = "FLANNEL-FWD";

  /** kube-proxy's masquerade mark: traffic it marks is NATed by kube-proxy, not again by us. */
  public static final String KUBE_PROXY_MARK = "0x4000/0x4000";

  public FlannelChain {
    rules = rules.stream().map(List::copyOf).toList();
  }

  /**
   * The six masquerade rules of upstream's {@code masqRules}: leave kube-proxy's marked traffic,
   * pod-to-pod traffic and traffic arriving for this node's pods alone; masquerade the rest that
   * leaves the overlay (but not multicast), and host traffic into the overlay.
   *
   * @param network the cluster network, e.g. {@code 10.244.0.0/16}
   * @param subnet this node's pod subnet, e.g. {@code 10.244.1.0/24}
   * @param family which multicast range to exempt
   * @param randomFully whether MASQUERADE gets {@code --random-fully}
   */
  public static FlannelChain masquerade(
      String network, String subnet, IpFamily family, boolean randomFully) {
    String c = "flanneld masq";
    List<List<String>> r = new ArrayList<>();
    r.add(
        List.of(
            "-m",
            "mark",
            "--mark",
            KUBE_PROXY_MARK,
            "-m",
            "comment",
            "--comment",
            c,
            "-j",
            "RETURN"));
    r.add(List.of("-s", subnet, "-d", network, "-m", "comment", "--comment", c, "-j", "RETURN"));
    r.add(List.of("-s", network, "-d", subnet, "-m", "comment", "--comment", c, "-j", "RETURN"));
    r.add(
        List.of("!", "-s", network, "-d", subnet, "-m", "comment", "--comment", c, "-j", "RETURN"));
    r.add(masq(List.of("-s", network, "!", "-d", family.multicast()), c, randomFully));
    r.add(masq(List.of("!", "-s", network, "-d", network), c, randomFully));
    return new FlannelChain("nat", MASQ_CHAIN, "POSTROUTING", c, r);
  }

  /**
   * The two forward rules of upstream's {@code forwardRules}: accept traffic from and to the
   * cluster network, whatever the {@code FORWARD} policy (Docker sets it to DROP).
   */
  public static FlannelChain forward(String network) {
    String c = "flanneld forward";
    return new FlannelChain(
        "filter",
        FORWARD_CHAIN,
        "FORWARD",
        c,
        List.of(
            List.of("-s", network, "-m", "comment", "--comment", c, "-j", "ACCEPT"),
            List.of("-d", network, "-m", "comment", "--comment", c, "-j", "ACCEPT")));
  }

  /**
   * Both chains with no rules: enough to remove them ({@link ChainPlan#retire} needs only the
   * chain, its parent and its comment), whatever network their rules were written for.
   */
  static List<FlannelChain> anyRules() {
    return List.of(
        new FlannelChain("nat", MASQ_CHAIN, "POSTROUTING", "flanneld masq", List.of()),
        new FlannelChain("filter", FORWARD_CHAIN, "FORWARD", "flanneld forward", List.of()));
  }

  private static List<String> masq(List<String> match, String comment, boolean randomFully) {
    List<String> r = new ArrayList<>(match);
    r.addAll(List.of("-m", "comment", "--comment", comment, "-j", "MASQUERADE"));
    if (randomFully) {
      r.add("--random-fully");
    }
    return r;
  }

  /** The rule in {@link #parent} that sends packets into {@link #chain}. */
  public List<String> jumpRule() {
    return List.of("-m", "comment", "--comment", comment, "-j", chain);
  }
}
