package io.jflannel.core.ip;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.math.BigInteger;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * An IPv6 network in CIDR form, such as the cluster network {@code 2001:cafe:42::/56} or a node's
 * lease {@code 2001:cafe:42:1::/64}: the IPv6 twin of {@link Ip4Net}, with the same operations and
 * the same rule that the address is always the network address.
 *
 * <p>The 128 address bits are held in two {@code long}s; all arithmetic is unsigned 128-bit. The
 * text form is Go's ({@link Ip6#toString()}), e.g. {@code "fc00::/48"}; in JSON a network is that
 * string, as in upstream flannel.
 *
 * <p>Instances are immutable and thread-safe. Ordering is by address (unsigned), then by prefix
 * length.
 *
 * @param addressHigh the first 64 bits of the network address
 * @param addressLow the last 64 bits of the network address
 * @param prefixLength the number of leading network bits, 0 to 128
 */
public record Ip6Net(long addressHigh, long addressLow, int prefixLength)
    implements Comparable<Ip6Net> {

  /**
   * Checks that the prefix length is 0–128 and that no host bit is set.
   *
   * @throws IllegalArgumentException otherwise
   */
  public Ip6Net {
    checkPrefixLength(prefixLength);
    if ((addressHigh & ~maskHigh(prefixLength)) != 0
        || (addressLow & ~maskLow(prefixLength)) != 0) {
      throw new IllegalArgumentException(
          new Ip6(addressHigh, addressLow)
              + "/"
              + prefixLength
              + " has host bits set; use its network address "
              + of(new Ip6(addressHigh, addressLow), prefixLength));
    }
  }

  /** Returns the network of the given length that contains {@code ip} (host bits cleared). */
  public static Ip6Net of(Ip6 ip, int prefixLength) {
    checkPrefixLength(prefixLength);
    return new Ip6Net(
        ip.high() & maskHigh(prefixLength), ip.low() & maskLow(prefixLength), prefixLength);
  }

  /**
   * Parses CIDR text such as {@code "2001:cafe:42::/56"}.
   *
   * @throws IllegalArgumentException if the text is not {@code <IPv6 address>/<0-128>} or has host
   *     bits set; the message says which and, for host bits, names the network address
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Ip6Net parse(String cidr) {
    Ip6 ip = parseAddress(cidr);
    return new Ip6Net(ip.high(), ip.low(), parsePrefix(cidr));
  }

  /**
   * Parses CIDR text whose address may have host bits, such as subnet.env's {@code
   * "2001:cafe:42:1::1/64"}, and returns the network that contains the address ({@code
   * 2001:cafe:42:1::/64}), as Go's {@code net.ParseCIDR} does.
   *
   * @throws IllegalArgumentException if the text is not {@code <IPv6 address>/<0-128>}
   */
  public static Ip6Net parseContaining(String cidr) {
    return of(parseAddress(cidr), parsePrefix(cidr));
  }

  private static Ip6 parseAddress(String cidr) {
    if (cidr == null) {
      throw new IllegalArgumentException("IPv6 CIDR is missing");
    }
    int slash = cidr.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException(
          "\""
              + Texts.printable(cidr)
              + "\" is not an IPv6 CIDR: the /<prefix length> is missing, e.g. fc00::/48");
    }
    try {
      return Ip6.parse(cidr.substring(0, slash));
    } catch (IllegalArgumentException e) {
      throw notCidr(cidr);
    }
  }

  private static int parsePrefix(String cidr) {
    int prefixLength = Prefixes.parse(cidr.substring(cidr.indexOf('/') + 1), 128);
    if (prefixLength < 0) {
      throw notCidr(cidr);
    }
    return prefixLength;
  }

  /** Returns the network address, e.g. {@code fc00::} for {@code fc00::/48}. */
  public Ip6 ip() {
    return new Ip6(addressHigh, addressLow);
  }

  /** Returns the number of addresses in this network, 2^(128 - prefix length). */
  public BigInteger size() {
    return BigInteger.ONE.shiftLeft(128 - prefixLength);
  }

  /** Returns the last address of this network. */
  public Ip6 lastAddress() {
    return new Ip6(addressHigh | ~maskHigh(prefixLength), addressLow | ~maskLow(prefixLength));
  }

  /**
   * Returns the first address after the network address, e.g. {@code 2001:cafe:42:1::1} for {@code
   * 2001:cafe:42:1::/64}: the address subnet.env's {@code FLANNEL_IPV6_SUBNET} carries.
   *
   * @throws IllegalStateException for a /128, which has no address after its network address
   */
  public Ip6 firstUsable() {
    if (prefixLength == 128) {
      throw new IllegalStateException(this + " has no address after its network address");
    }
    return new Ip6(addressHigh, addressLow + 1);
  }

  /** Returns true if {@code ip} lies in this network. */
  public boolean contains(Ip6 ip) {
    return (ip.high() & maskHigh(prefixLength)) == addressHigh
        && (ip.low() & maskLow(prefixLength)) == addressLow;
  }

  /** Returns true if every address of {@code other} lies in this network. */
  public boolean contains(Ip6Net other) {
    return other.prefixLength >= prefixLength && contains(other.ip());
  }

  /** Returns true if the two networks share at least one address. */
  public boolean overlaps(Ip6Net other) {
    int common = Math.min(prefixLength, other.prefixLength);
    return (addressHigh & maskHigh(common)) == (other.addressHigh & maskHigh(common))
        && (addressLow & maskLow(common)) == (other.addressLow & maskLow(common));
  }

  /**
   * Returns the network of the same length that follows this one, e.g. {@code fc00:0:0:2::/64}
   * after {@code fc00:0:0:1::/64}.
   *
   * @throws ArithmeticException if this is the last network of its length (it would wrap to ::)
   */
  public Ip6Net next() {
    Ip6Net next = nextOrNull(this);
    if (next == null) {
      throw new ArithmeticException("no IPv6 network follows " + this);
    }
    return next;
  }

  /**
   * Returns the number of networks of length {@code subnetLength} inside this one.
   *
   * @throws IllegalArgumentException if {@code subnetLength} is shorter than this prefix or over
   *     128
   */
  public BigInteger subnetCount(int subnetLength) {
    checkSubnetLength(subnetLength);
    return BigInteger.ONE.shiftLeft(subnetLength - prefixLength);
  }

  /**
   * Returns, lazily and in address order, every network of length {@code subnetLength} inside this
   * one: {@code fc00::/48} has 65,536 subnets of length 64, {@code fc00::/64 ..
   * fc00:0:0:ffff::/64}. The stream may be astronomically long; limit it.
   *
   * @throws IllegalArgumentException if {@code subnetLength} is shorter than this prefix or over
   *     128
   */
  public Stream<Ip6Net> subnets(int subnetLength) {
    checkSubnetLength(subnetLength);
    Ip6Net first = new Ip6Net(addressHigh, addressLow, subnetLength);
    Iterator<Ip6Net> iterator =
        new Iterator<>() {
          private Ip6Net next = first;

          @Override
          public boolean hasNext() {
            return next != null;
          }

          @Override
          public Ip6Net next() {
            if (next == null) {
              throw new NoSuchElementException();
            }
            Ip6Net current = next;
            Ip6Net following = nextOrNull(current);
            next = following != null && contains(following) ? following : null;
            return current;
          }
        };
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(
            iterator, Spliterator.ORDERED | Spliterator.DISTINCT | Spliterator.NONNULL),
        false);
  }

  @Override
  public int compareTo(Ip6Net other) {
    int c = ip().compareTo(other.ip());
    return c != 0 ? c : Integer.compare(prefixLength, other.prefixLength);
  }

  /** Returns the CIDR text, e.g. {@code "2001:cafe:42::/56"}; this is also the JSON form. */
  @JsonValue
  @Override
  public String toString() {
    return ip() + "/" + prefixLength;
  }

  /** Returns the first 64 bits of the netmask for a prefix length. */
  public static long maskHigh(int prefixLength) {
    if (prefixLength <= 0) {
      return 0;
    }
    return prefixLength >= 64 ? -1L : -1L << (64 - prefixLength);
  }

  /** Returns the last 64 bits of the netmask for a prefix length. */
  public static long maskLow(int prefixLength) {
    if (prefixLength <= 64) {
      return 0;
    }
    return -1L << (128 - prefixLength);
  }

  private static Ip6Net nextOrNull(Ip6Net net) {
    int hostBits = 128 - net.prefixLength;
    if (hostBits == 128) {
      return null;
    }
    long high = net.addressHigh;
    long low = net.addressLow;
    if (hostBits >= 64) {
      long step = 1L << (hostBits - 64);
      long sum = high + step;
      if (Long.compareUnsigned(sum, high) < 0) {
        return null;
      }
      return new Ip6Net(sum, low, net.prefixLength);
    }
    long step = 1L << hostBits;
    long sum = low + step;
    if (Long.compareUnsigned(sum, low) < 0) {
      if (high == -1L) {
        return null;
      }
      high++;
    }
    return new Ip6Net(high, sum, net.prefixLength);
  }

  private void checkSubnetLength(int subnetLength) {
    if (subnetLength < prefixLength || subnetLength > 128) {
      throw new IllegalArgumentException(
          "subnet length must be "
              + prefixLength
              + " to 128 inside "
              + this
              + ", got "
              + subnetLength);
    }
  }

  private static void checkPrefixLength(int prefixLength) {
    if (prefixLength < 0 || prefixLength > 128) {
      throw new IllegalArgumentException(
          "IPv6 prefix length must be 0 to 128, got " + prefixLength);
    }
  }

  private static IllegalArgumentException notCidr(String cidr) {
    return new IllegalArgumentException(
        "\"" + Texts.printable(cidr) + "\" is not an IPv6 CIDR like fc00::/48");
  }
}
