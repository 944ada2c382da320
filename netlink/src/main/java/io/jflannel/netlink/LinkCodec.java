package io.jflannel.netlink;

import static io.jflannel.netlink.wire.Rt.*;

import io.jflannel.netlink.wire.Attrs;
import io.jflannel.netlink.wire.MessageBuilder;
import io.jflannel.netlink.wire.NlMessage;
import java.net.Inet4Address;
import java.util.function.IntFunction;

/** Encodes link requests and decodes {@code RTM_NEWLINK} messages. Pure functions, no I/O. */
final class LinkCodec {
  private LinkCodec() {}

  static MessageBuilder ifinfo(int type, int flags, int index, int ifFlags, int change) {
    return new MessageBuilder(type, NLM_F_REQUEST | flags)
        .u8(AF_UNSPEC)
        .u8(0)
        .u16(0)
        .u32(index)
        .u32(ifFlags)
        .u32(change);
  }

  static Request dump() {
    return new Request(ifinfo(RTM_GETLINK, NLM_F_DUMP, 0, 0, 0), "RTM_GETLINK dump");
  }

  static Request getByName(String name) {
    return new Request(
        ifinfo(RTM_GETLINK, 0, 0, 0, 0).attrString(IFLA_IFNAME, name), "RTM_GETLINK dev " + name);
  }

  static Request getByIndex(int index) {
    return new Request(ifinfo(RTM_GETLINK, 0, index, 0, 0), "RTM_GETLINK index " + index);
  }

  static Request createVxlan(VxlanSpec spec) {
    VxlanAttrs a = spec.attrs();
    MessageBuilder m =
        ifinfo(RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 0, 0, 0)
            .attrString(IFLA_IFNAME, spec.name());
    if (spec.mtu() > 0) {
      m.attrU32(IFLA_MTU, spec.mtu());
    }
    if (spec.mac() != null) {
      m.attr(IFLA_ADDRESS, spec.mac().bytes());
    }
    int info = m.beginNested(IFLA_LINKINFO);
    m.attrString(IFLA_INFO_KIND, "vxlan");
    int data = m.beginNested(IFLA_INFO_DATA);
    m.attrU32(IFLA_VXLAN_ID, a.vni());
    if (a.underlayIndex() > 0) {
      m.attrU32(IFLA_VXLAN_LINK, a.underlayIndex());
    }
    if (a.local() != null) {
      m.attr(
          a.local() instanceof Inet4Address ? IFLA_VXLAN_LOCAL : IFLA_VXLAN_LOCAL6,
          a.local().getAddress());
    }
    m.attrU8(IFLA_VXLAN_LEARNING, a.learning() ? 1 : 0);
    if (a.port() > 0) {
      m.attrU16be(IFLA_VXLAN_PORT, a.port());
    }
    if (a.gbp()) {
      m.attrFlag(IFLA_VXLAN_GBP);
    }
    m.endNested(data);
    m.endNested(info);
    return new Request(m, "RTM_NEWLINK " + spec.name() + " type " + a);
  }

  /** {@code ip link add <name> [mtu M] type wireguard}. */
  static Request createWireguard(String name, int mtu) {
    MessageBuilder m =
        ifinfo(RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 0, 0, 0)
            .attrString(IFLA_IFNAME, name);
    if (mtu > 0) {
      m.attrU32(IFLA_MTU, mtu);
    }
    int info = m.beginNested(IFLA_LINKINFO);
    m.attrString(IFLA_INFO_KIND, "wireguard");
    m.endNested(info);
    return new Request(m, "RTM_NEWLINK " + name + " type wireguard");
  }

  static Request createVeth(String name, String peer, int peerNetnsFd) {
    MessageBuilder m =
        ifinfo(RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 0, 0, 0)
            .attrString(IFLA_IFNAME, name);
    int info = m.beginNested(IFLA_LINKINFO);
    m.attrString(IFLA_INFO_KIND, "veth");
    int data = m.beginNested(IFLA_INFO_DATA);
    int p = m.beginNested(VETH_INFO_PEER);
    m.u8(AF_UNSPEC).u8(0).u16(0).u32(0).u32(0).u32(0); // the peer's ifinfomsg
    m.attrString(IFLA_IFNAME, peer);
    if (peerNetnsFd >= 0) {
      m.attrU32(IFLA_NET_NS_FD, peerNetnsFd);
    }
    m.endNested(p);
    m.endNested(data);
    m.endNested(info);
    return new Request(m, "RTM_NEWLINK " + name + " type veth peer name " + peer);
  }

  static Request setUp(int index, boolean up, IntFunction<String> names) {
    return new Request(
        ifinfo(RTM_NEWLINK, NLM_F_ACK, index, up ? IFF_UP : 0, IFF_UP),
        () -> "RTM_NEWLINK dev " + names.apply(index) + (up ? " up" : " down"));
  }

  static Request setMtu(int index, int mtu, IntFunction<String> names) {
    return new Request(
        ifinfo(RTM_NEWLINK, NLM_F_ACK, index, 0, 0).attrU32(IFLA_MTU, mtu),
        () -> "RTM_NEWLINK dev " + names.apply(index) + " mtu " + mtu);
  }

  static Request setMac(int index, MacAddress mac, IntFunction<String> names) {
    return new Request(
        ifinfo(RTM_NEWLINK, NLM_F_ACK, index, 0, 0).attr(IFLA_ADDRESS, mac.bytes()),
        () -> "RTM_NEWLINK dev " + names.apply(index) + " address " + mac);
  }

  static Request delete(int index, IntFunction<String> names) {
    return new Request(
        ifinfo(RTM_DELLINK, NLM_F_ACK, index, 0, 0), () -> "RTM_DELLINK dev " + names.apply(index));
  }

  /** The {@code IFLA_MASTER} of an {@code RTM_NEWLINK} message (a bridge port's bridge), or 0. */
  static int master(NlMessage msg) throws NetlinkParseException {
    return msg.attrs(IFINFOMSG_LEN).u32(IFLA_MASTER, 0);
  }

  /** Decodes an {@code RTM_NEWLINK} message. */
  static Link decode(NlMessage msg) throws NetlinkParseException {
    int index = msg.s32(4);
    int flags = msg.s32(8);
    Attrs a = msg.attrs(IFINFOMSG_LEN);
    String name = a.has(IFLA_IFNAME) ? a.string(IFLA_IFNAME) : "";
    int mtu = a.u32(IFLA_MTU, 0);
    MacAddress mac = a.length(IFLA_ADDRESS) == 6 ? MacAddress.of(a.bytes(IFLA_ADDRESS)) : null;
    int parent = a.u32(IFLA_LINK, 0);
    String kind = "";
    VxlanAttrs vxlan = null;
    if (a.has(IFLA_LINKINFO)) {
      Attrs info = a.nested(IFLA_LINKINFO);
      if (info.has(IFLA_INFO_KIND)) {
        kind = info.string(IFLA_INFO_KIND);
      }
      if (kind.equals("vxlan") && info.has(IFLA_INFO_DATA)) {
        vxlan = decodeVxlan(info.nested(IFLA_INFO_DATA));
      }
    }
    return new Link(index, name, kind, flags, mtu, mac, parent, vxlan);
  }

  private static VxlanAttrs decodeVxlan(Attrs d) throws NetlinkParseException {
    return new VxlanAttrs(
        d.u32(IFLA_VXLAN_ID, 0),
        d.has(IFLA_VXLAN_LOCAL)
            ? d.ip(IFLA_VXLAN_LOCAL)
            : d.has(IFLA_VXLAN_LOCAL6) ? d.ip(IFLA_VXLAN_LOCAL6) : null,
        d.u32(IFLA_VXLAN_LINK, 0),
        d.has(IFLA_VXLAN_PORT) ? d.u16be(IFLA_VXLAN_PORT) : 0,
        d.has(IFLA_VXLAN_LEARNING) && d.u8(IFLA_VXLAN_LEARNING) != 0,
        d.has(IFLA_VXLAN_GBP));
  }
}
