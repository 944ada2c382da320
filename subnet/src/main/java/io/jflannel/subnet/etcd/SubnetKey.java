package io.jflannel.subnet.etcd;

import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.ip.Ip6Net;
import io.jflannel.core.lease.Lease;
import java.util.Objects;
import java.util.Optional;

/**
 * The subnets a lease key names: the last path element of {@code <prefix>/subnets/10.5.52.0-24} or,
 * dual-stack, {@code <prefix>/subnets/10.5.52.0-24&fc00::-64}; also the identity of a peer in the
 * lease watch.
 *
 * <p>The text form is upstream's ({@code pkg/subnet/subnet.go} {@code MakeSubnetKey}, {@code
 * ParseSubnetKey}): the network address, {@code -}, the prefix length; the IPv6 part in Go's
 * lower-case compressed form. Parsing follows upstream's regular expression {@code
 * (\d+\.\d+.\d+.\d+)-(\d+)(?:&([a-f\d:]+)-(\d+))?$} and its limits (IPv4 prefix 0..31, IPv6
 * 0..127), and is stricter in three ways, so that a key and its subnets correspond one to one:
 *
 * <ul>
 *   <li>the whole name must match (upstream's expression is not anchored at the start, so it would
 *       read {@code x10.5.52.0-24} as {@code 10.5.52.0/24});
 *   <li>host bits are refused ({@code 10.5.52.1-24}); upstream keeps them and then compares subnets
 *       that are not network addresses;
 *   <li>the name must be in the canonical form {@link #toString()} writes (no {@code 024}, no
 *       {@code fc00:0::}), so two different keys never name the same lease.
 * </ul>
 *
 * <p>A name that fails any of this is "not a subnet key": {@link #parse} returns empty and never
 * throws. Upstream and jflannel only ever write canonical keys.
 *
 * <p>Immutable and thread-safe.
 *
 * @param subnet the IPv4 subnet; never null (etcd leases always have one, as upstream)
 * @param ipv6Subnet the IPv6 subnet of a dual-stack lease; null for an IPv4-only key
 */
public record SubnetKey(Ip4Net subnet, Ip6Net ipv6Subnet) {

  private static final int MAX_NAME = 96;

  /** Checks that the IPv4 subnet is present. */
  public SubnetKey {
    Objects.requireNonNull(subnet, "subnet");
  }

  /** Returns the key of a lease's subnets. */
  public static SubnetKey of(Lease lease) {
    return new SubnetKey(lease.subnet(), lease.ipv6Subnet());
  }

  /**
   * Parses the last path element of a lease key, e.g. {@code 10.5.52.0-24} or {@code
   * 10.5.52.0-24&fc00::-64}.
   *
   * @return the subnets, or empty if {@code name} is not a canonical subnet key; never throws
   */
  public static Optional<SubnetKey> parse(String name) {
    return name == null ? Optional.empty() : parse(name, 0);
  }

  /**
   * As {@link #parse(String)}, for the name that starts at {@code from} in {@code text} (a full
   * etcd key). An IPv4-only name, the common case, is read in place: every listed and watched key
   * passes through here, 50,000 at a time in a large cluster.
   */
  static Optional<SubnetKey> parse(String text, int from) {
    Ip4Net v4 = canonicalV4(text, from);
    if (v4 != null) {
      return Optional.of(new SubnetKey(v4, null));
    }
    return parseSlow(text.substring(from));
  }

  /**
   * Reads {@code text} from {@code from} to its end as exactly the canonical IPv4 key {@link
   * #toString()} writes ({@code a.b.c.d-p}: decimal octets 0..255 and a prefix 0..31, no leading
   * zeros, no host bits), or returns null for anything else, which {@link #parseSlow} then judges.
   */
  private static Ip4Net canonicalV4(String text, int from) {
    int n = text.length();
    int i = from;
    int address = 0;
    for (int octet = 0; octet < 4; octet++) {
      int start = i;
      int value = 0;
      while (i < n && i - start < 4) {
        char c = text.charAt(i);
        if (c < '0' || c > '9') {
          break;
        }
        value = value * 10 + (c - '0');
        i++;
      }
      int digits = i - start;
      if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && text.charAt(start) == '0')) {
        return null;
      }
      address = (address << 8) | value;
      if (i >= n || text.charAt(i) != (octet < 3 ? '.' : '-')) {
        return null;
      }
      i++;
    }
    int digits = n - i;
    if (digits < 1 || digits > 2 || (digits == 2 && text.charAt(i) == '0')) {
      return null;
    }
    int prefix = 0;
    for (; i < n; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
      prefix = prefix * 10 + (c - '0');
    }
    if (prefix > 31 || (address & (int) (0xffffffffL >>> prefix)) != 0) {
      return null;
    }
    return new Ip4Net(address, prefix);
  }

  /** The general parse: any name, IPv6 part included; package-private for a test. */
  static Optional<SubnetKey> parseSlow(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_NAME) {
      return Optional.empty();
    }
    int amp = name.indexOf('&');
    String v4Part = amp < 0 ? name : name.substring(0, amp);
    Ip4Net v4 = parseV4(v4Part);
    if (v4 == null) {
      return Optional.empty();
    }
    Ip6Net v6 = null;
    if (amp >= 0) {
      v6 = parseV6(name.substring(amp + 1));
      if (v6 == null) {
        return Optional.empty();
      }
    }
    SubnetKey key = new SubnetKey(v4, v6);
    return key.toString().equals(name) ? Optional.of(key) : Optional.empty();
  }

  /** Returns true if {@code lease} claims exactly these subnets. */
  public boolean matches(Lease lease) {
    return subnet.equals(lease.subnet()) && Objects.equals(ipv6Subnet, lease.ipv6Subnet());
  }

  /**
   * Returns the subnets for log lines, e.g. {@code 10.5.52.0/24} or {@code 10.5.52.0/24+fc00::/64}.
   */
  public String subnets() {
    return ipv6Subnet == null ? subnet.toString() : subnet + "+" + ipv6Subnet;
  }

  /** Returns upstream's key name, e.g. {@code 10.5.52.0-24} or {@code 10.5.52.0-24&fc00::-64}. */
  @Override
  public String toString() {
    String v4 = subnet.ip() + "-" + subnet.prefixLength();
    return ipv6Subnet == null ? v4 : v4 + "&" + ipv6Subnet.ip() + "-" + ipv6Subnet.prefixLength();
  }

  private static Ip4Net parseV4(String part) {
    int dash = part.lastIndexOf('-');
    if (dash < 0) {
      return null;
    }
    int prefix = prefixLength(part.substring(dash + 1), 31);
    if (prefix < 0) {
      return null;
    }
    try {
      Ip4 ip = Ip4.parse(part.substring(0, dash));
      return new Ip4Net(ip.value(), prefix);
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
    int prefix = prefixLength(part.substring(dash + 1), 127);
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

  /** Returns the decimal prefix length 0..max, or -1; like Go's ParseUint, no sign allowed. */
  private static int prefixLength(String text, int max) {
    if (text.isEmpty() || text.length() > 3) {
      return -1;
    }
    int value = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value <= max ? value : -1;
  }
}
