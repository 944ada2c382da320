package io.jflannel.netlink;

import static io.jflannel.netlink.wire.Rt.*;

import io.jflannel.netlink.wire.Attrs;
import io.jflannel.netlink.wire.MessageBuilder;
import io.jflannel.netlink.wire.NlMessage;
import java.net.InetAddress;
import java.util.function.IntFunction;

/** Encodes address requests and decodes {@code RTM_NEWADDR} messages. Pure, no I/O. */
final class AddressCodec {
  private AddressCodec() {}

  private static MessageBuilder ifaddr(int type, int flags, Address a) {
    byte[] ip = a.prefix().address().getAddress();
    MessageBuilder m =
        new MessageBuilder(type, NLM_F_REQUEST | flags)
            .u8(a.prefix().family())
            .u8(a.prefix().length())
            .u8(0)
            .u8(a.scope())
            .u32(a.linkIndex())
            .attr(IFA_LOCAL, ip)
            .attr(IFA_ADDRESS, ip);
    if (a.flags() != 0) {
      m.attrU32(IFA_FLAGS, a.flags());
    }
    return m;
  }

  static Request add(Address a, IntFunction<String> names) {
    return new Request(
        ifaddr(RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, a),
        () -> "RTM_NEWADDR " + a.prefix() + " dev " + names.apply(a.linkIndex()));
  }

  static Request replace(Address a, IntFunction<String> names) {
    return new Request(
        ifaddr(RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, a),
        () -> "RTM_NEWADDR " + a.prefix() + " dev " + names.apply(a.linkIndex()) + " (replace)");
  }

  static Request delete(Address a, IntFunction<String> names) {
    return new Request(
        ifaddr(RTM_DELADDR, NLM_F_ACK, a),
        () -> "RTM_DELADDR " + a.prefix() + " dev " + names.apply(a.linkIndex()));
  }

  static Request dump(int family) {
    return new Request(
        new MessageBuilder(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP)
            .u8(family)
            .u8(0)
            .u8(0)
            .u8(0)
            .u32(0),
        "RTM_GETADDR dump");
  }

  static Address decode(NlMessage msg) throws NetlinkParseException {
    int family = msg.u8(0);
    int len = msg.u8(1);
    int scope = msg.u8(3);
    int index = msg.s32(4);
    Attrs a = msg.attrs(IFADDRMSG_LEN);
    int flags = a.has(IFA_FLAGS) ? a.u32(IFA_FLAGS) : msg.u8(2);
    InetAddress ip =
        a.has(IFA_LOCAL) ? a.ip(IFA_LOCAL) : a.has(IFA_ADDRESS) ? a.ip(IFA_ADDRESS) : null;
    if (ip == null) {
      throw new NetlinkParseException("address message without IFA_LOCAL/IFA_ADDRESS");
    }
    if (family != Ips.family(ip) || len > (family == AF_INET ? 32 : 128)) {
      throw new NetlinkParseException("address family " + family + " length " + len);
    }
    return new Address(index, new IpPrefix(ip, len), scope, flags);
  }
}
