package io.jflannel.e2e;

/** The flannel backends the scenarios run against, with the net-conf.json that selects each. */
enum Backend {
  VXLAN("vxlan", "vxlan", 50, 70, true),
  HOST_GW("host-gw", "host-gw", 0, 0, true),
  /**
   * Upstream's udp writes no {@code BackendType} in its lease (reference/flannel.md §3.3); it has
   * no IPv6.
   */
  UDP("udp", "", 28, -1, false);

  /** The overlay network of every scenario. */
  static final String NETWORK = "10.244.0.0/16";

  /** The MTU of every host's underlay {@code eth0} (a veth's default). */
  static final int UNDERLAY_MTU = 1500;

  private final String type;
  private final String leaseType;
  private final int overhead;
  private final int overhead6;
  private final boolean kernelDataPlane;

  Backend(String type, String leaseType, int overhead, int overhead6, boolean kernelDataPlane) {
    this.type = type;
    this.leaseType = leaseType;
    this.overhead = overhead;
    this.overhead6 = overhead6;
    this.kernelDataPlane = kernelDataPlane;
  }

  /** The {@code Backend.Type} value, as upstream registers it. */
  String type() {
    return type;
  }

  /** The {@code BackendType} a node on this backend advertises in its lease, as upstream's. */
  String leaseType() {
    return leaseType;
  }

  /** {@code {"Network":"10.244.0.0/16","Backend":{"Type":"<type>"}}}. */
  String netConf() {
    return "{\"Network\":\"" + NETWORK + "\",\"Backend\":{\"Type\":\"" + type + "\"}}";
  }

  /** The pod MTU flannel reports in subnet.env: the underlay's minus the encapsulation overhead. */
  int mtu() {
    return UNDERLAY_MTU - overhead;
  }

  /**
   * The pod MTU in subnet.env when IPv6 is enabled (dual-stack or IPv6 only): the underlay's minus
   * the IPv6 encapsulation overhead (vxlan: 70, an IPv6 outer header is 20 bytes longer), the MTU
   * of flannel-v6.1 and, in dual-stack, the smaller of the two devices' MTUs, so that a full-size
   * pod packet fits either tunnel. Upstream's vxlan writes underlay − 50 (1450) in dual-stack and
   * IPv6 only alike, a full-size IPv6 pod packet then being 20 bytes too large for flannel-v6.1.
   */
  int mtu6() {
    if (overhead6 < 0) {
      throw new IllegalStateException(type + " has no IPv6");
    }
    return UNDERLAY_MTU - overhead6;
  }

  /**
   * Whether the kernel forwards the pod traffic from per-peer entries flanneld programmed (vxlan,
   * host-gw): then every peer is visible with {@code ip}/{@code bridge}, and the traffic does not
   * notice the daemon dying. The udp backend forwards in the daemon itself, from a peer table in
   * its memory, through a TUN device that lives only as long as the process: the kernel holds one
   * route for the whole Network, and a daemon restart interrupts the traffic.
   */
  boolean kernelDataPlane() {
    return kernelDataPlane;
  }
}
