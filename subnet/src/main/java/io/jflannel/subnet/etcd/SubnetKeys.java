package io.jflannel.subnet.etcd;

import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.lease.LeaseKey;
import java.util.Optional;

/**
 * The name of a lease key and the subnets it names: the last path element of {@code
 * <prefix>/subnets/10.5.52.0-24}, dual-stack {@code <prefix>/subnets/10.5.52.0-24&fc00::-64}, or
 * IPv6-only {@code <prefix>/subnets/0.0.0.0-0&fc00::-64}, read into and written from a {@link
 * LeaseKey}.
 *
 * <p>The text form is upstream's ({@code pkg/subnet/subnet.go} {@code MakeSubnetKey}, {@code
 * ParseSubnetKey}): the network address, {@code -}, the prefix length; the IPv6 part in Go's
 * lower-case compressed form. An IPv6-only lease has upstream's empty IPv4 network in its name,
 * {@code 0.0.0.0-0}: upstream's {@code MakeSubnetKey} always writes the IPv4 part, and writes the
 * IPv6 part only when that network is not empty ({@code ::/0}). So {@code 0.0.0.0-0} before the
 * {@code &} reads as "no IPv4 subnet", and a name without any subnet ({@code 0.0.0.0-0} alone, or
 * with {@code &::-0}) is not a subnet key. Parsing follows upstream's regular expression {@code
 * (\d+\.\d+.\d+.\d+)-(\d+)(?:&([a-f\d:]+)-(\d+))?$} and its limits (IPv4 prefix 0..31, IPv6
 * 0..127), and is stricter in three ways, so that a key and its subnets correspond one to one:
 *
 * <ul>
 *   <li>the whole name must match (upstream's expression is not anchored at the start, so it would
 *       read {@code x10.5.52.0-24} as {@code 10.5.52.0/24});
 *   <li>host bits are refused ({@code 10.5.52.1-24}); upstream keeps them and then compares subnets
 *       that are not network addresses;
 *   <li>the name must be in the canonical form {@link #name} writes (no {@code 024}, no {@code
 *       fc00:0::}), so two different keys never name the same lease.
 * </ul>
 *
 * <p>A name that fails any of this is "not a subnet key": {@link #parse} returns empty and never
 * throws. Upstream and jflannel only ever write canonical keys.
 *
 * <p>Stateless and thread-safe.
 */
final class SubnetKeys {

  private static final int MAX_NAME = 96;

  /** Upstream's name for the empty IPv4 network, the IPv4 part of an IPv6-only key. */
  private static final String NO_IPV4 = "0.0.0.0-0";

  private SubnetKeys() {}

  /**
   * Parses the last path element of a lease key, e.g. {@code 10.5.52.0-24}, {@code
   * 10.5.52.0-24&fc00::-64} or {@code 0.0.0.0-0&fc00::-64} (IPv6-only).
   *
   * @return the subnets, or empty if {@code name} is not a canonical subnet key; never throws
   */
  static Optional<LeaseKey> parse(String name) {
    return name == null ? Optional.empty() : parse(name, 0);
  }

  /**
   * As {@link #parse(String)}, for the name from {@code from} to the end of {@code text} (a full
   * etcd key). An IPv4-only name, the common case, is read in place: every listed and watched key
   * passes through here, 50,000 at a time in a large cluster.
   */
  static Optional<LeaseKey> parse(String text, int from) {
    int n = text.length();
    if (from >= n || n - from > MAX_NAME) {
      return Optional.empty();
    }
    int amp = text.indexOf('&', from);
    Ip4Net v4 = parseV4(text, from, amp < 0 ? n : amp);
    if (v4 == null) {
      return Optional.empty();
    }
    boolean noV4 = v4.prefixLength() == 0; // 0.0.0.0-0: upstream's empty IPv4 network
    if (amp < 0) {
      // canonical already: Ip4.parseInt and prefixLength take no leading zeros, Ip4Net no host bits
      return noV4 ? Optional.empty() : Optional.of(new LeaseKey(v4, null));
    }
    Ip6Net v6 = parseV6(text.substring(amp + 1));
    if (v6 == null || v6.prefixLength() == 0) {
      return Optional.empty(); // ::-0 is upstream's empty IPv6 network, which it never writes
    }
    LeaseKey key = new LeaseKey(noV4 ? null : v4, v6);
    // an IPv6 address has many spellings (fc00:0::); only the one name() writes names the key
    return name(key).equals(text.substring(from)) ? Optional.of(key) : Optional.empty();
  }

  /**
   * Returns upstream's key name, e.g. {@code 10.5.52.0-24}, {@code 10.5.52.0-24&fc00::-64} or, for
   * an IPv6-only lease, {@code 0.0.0.0-0&fc00::-64}.
   */
  static String name(LeaseKey key) {
    Ip4Net subnet = key.subnet();
    String v4 = subnet == null ? NO_IPV4 : subnet.ip() + "-" + subnet.prefixLength();
    Ip6Net v6 = key.ipv6Subnet();
    return v6 == null ? v4 : v4 + "&" + v6.ip() + "-" + v6.prefixLength();
  }

  private static Ip4Net parseV4(String text, int from, int to) {
    int dash = text.lastIndexOf('-', to - 1);
    if (dash < from) {
      return null;
    }
    int prefix = prefixLength(text, dash + 1, to, 31);
    if (prefix < 0) {
      return null;
    }
    try {
      return new Ip4Net(Ip4.parseInt(text, from, dash), prefix);
    } catch (IllegalArgumentException e) {
      return null; // not an address, or host bits set
    }
  }

  private static Ip6Net parseV6(String part) {
    int dash = part.lastIndexOf('-');
    if (dash < 0) {
      return null;
    }
    String address = part.substring(0, dash);
    for (int i = 0; i < address.length(); i++) {
      char c = address.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':')) {
        return null; // upstream's [a-f\d:]+
      }
    }
    int prefix = prefixLength(part, dash + 1, part.length(), 127);
    if (prefix < 0 || address.isEmpty()) {
      return null;
    }
    try {
      Ip6 ip = Ip6.parse(address);
      return new Ip6Net(ip.high(), ip.low(), prefix);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Returns the decimal prefix length 0..max in {@code text} from {@code from} to {@code to}, or
   * -1; like Go's ParseUint, no sign allowed, and in the canonical form: no leading zero.
   */
  private static int prefixLength(String text, int from, int to, int max) {
    int length = to - from;
    if (length < 1 || length > 3 || (length > 1 && text.charAt(from) == '0')) {
      return -1;
    }
    int value = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value <= max ? value : -1;
  }
}
