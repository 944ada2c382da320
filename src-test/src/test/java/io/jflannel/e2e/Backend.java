package io.jflannel.e2e;

/** The flannel backends the scenarios run against, with the net-conf.json that selects each. */
enum Backend {
  VXLAN("vxlan", 50),
  HOST_GW("host-gw", 0);

  /** The overlay network of every scenario. */
  static final String NETWORK = "10.244.0.0/16";

  /** The MTU of every host's underlay {@code eth0} (a veth's default). */
  static final int UNDERLAY_MTU = 1500;

  private final String type;
  private final int overhead;

  Backend(String type, int overhead) {
    this.type = type;
    this.overhead = overhead;
  }

  /** The {@code Backend.Type} value, as upstream registers it. */
  String type() {
    return type;
  }

  /** {@code {"Network":"10.244.0.0/16","Backend":{"Type":"<type>"}}}. */
  String netConf() {
    return "{\"Network\":\"" + NETWORK + "\",\"Backend\":{\"Type\":\"" + type + "\"}}";
  }

  /** The pod MTU flannel reports in subnet.env: the underlay's minus the encapsulation overhead. */
  int mtu() {
    return UNDERLAY_MTU - overhead;
  }
}
