package io.jflannel.e2e;

/**
 * The address families a cluster's network config enables: IPv4 only (every scenario before
 * dual-stack), dual-stack ({@code "EnableIPv6": true} beside {@code Network}), or IPv6 only ({@code
 * "EnableIPv4": false}). The simulated LAN carries IPv6 ({@link Lan#GATEWAY6}) when the stack needs
 * it; the control plane is reached over IPv4 in every stack.
 */
enum Stack {
  IPV4(true, false),
  DUAL(true, true),
  IPV6(false, true);

  /** The IPv6 overlay network of every IPv6 scenario ({@code IPv6Network}); leases are /64s. */
  static final String IPV6_NETWORK = "fd10::/56";

  private final boolean v4;
  private final boolean v6;

  Stack(boolean v4, boolean v6) {
    this.v4 = v4;
    this.v6 = v6;
  }

  boolean v4() {
    return v4;
  }

  boolean v6() {
    return v6;
  }

  /** The families of this stack, IPv4 first. */
  java.util.List<Family> families() {
    return v4 && v6
        ? java.util.List.of(Family.V4, Family.V6)
        : java.util.List.of(v4 ? Family.V4 : Family.V6);
  }

  /**
   * The net-conf.json selecting {@code backend} in this stack: IPv4 as {@link Backend#netConf};
   * dual-stack adds {@code "EnableIPv6":true,"IPv6Network":"fd10::/56"}; IPv6 only has {@code
   * "EnableIPv4":false} and no {@code Network}.
   */
  String netConf(Backend backend) {
    String type = "\"Backend\":{\"Type\":\"" + backend.type() + "\"}";
    String v6net = "\"EnableIPv6\":true,\"IPv6Network\":\"" + IPV6_NETWORK + "\"";
    return switch (this) {
      case IPV4 -> backend.netConf();
      case DUAL -> "{\"Network\":\"" + Backend.NETWORK + "\"," + v6net + "," + type + "}";
      case IPV6 -> "{\"EnableIPv4\":false," + v6net + "," + type + "}";
    };
  }

  /** The pod MTU flanneld reports in subnet.env for {@code backend} in this stack. */
  int mtu(Backend backend) {
    return v6 ? backend.mtu6() : backend.mtu();
  }
}
