package io.jflannel.core.ip;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * An IPv4 network in CIDR form, such as the cluster network {@code 10.244.0.0/16} or a node's lease
 * {@code 10.244.1.0/24}.
 *
 * <p>The address is always the network address: the constructor rejects host bits, {@link #parse}
 * rejects them with a message that names the network address to use instead, and {@link #of} clears
 * them. Upstream flannel silently clears them when parsing net-conf.json; rejecting them here turns
 * a likely typo ({@code 10.244.1.0/16}) into a clear error. In JSON a network is the string {@code
 * "10.244.0.0/16"}, as in upstream.
 *
 * <p>Instances are immutable and thread-safe. Ordering is by address (unsigned), then by prefix
 * length.
 *
 * @param address the network address bits, most significant octet first (see {@link Ip4})
 * @param prefixLength the number of leading network bits, 0 to 32
 */
public record Ip4Net(int address, int prefixLength) implements Comparable<Ip4Net> {

  /**
   * Checks that the prefix length is 0–32 and that no host bit is set.
   *
   * @throws IllegalArgumentException otherwise
   */
  public Ip4Net {
    if (prefixLength < 0 || prefixLength > 32) {
      throw new IllegalArgumentException("IPv4 prefix length must be 0 to 32, got " + prefixLength);
    }
    if ((address & ~mask(prefixLength)) != 0) {
      throw new IllegalArgumentException(
          Ip4.format(address)
              + "/"
              + prefixLength
              + " has host bits set; use its network address "
              + Ip4.format(address & mask(prefixLength))
              + "/"
              + prefixLength);
    }
  }

  /** Returns the network of the given length that contains {@code address} (host bits cleared). */
  public static Ip4Net of(int address, int prefixLength) {
    if (prefixLength < 0 || prefixLength > 32) {
      throw new IllegalArgumentException("IPv4 prefix length must be 0 to 32, got " + prefixLength);
    }
    return new Ip4Net(address & mask(prefixLength), prefixLength);
  }

  /** Returns the network of the given length that contains {@code ip} (host bits cleared). */
  public static Ip4Net of(Ip4 ip, int prefixLength) {
    return of(ip.value(), prefixLength);
  }

  /**
   * Parses CIDR text such as {@code "10.244.0.0/16"}.
   *
   * @throws IllegalArgumentException if the text is not {@code <dotted quad>/<0-32>} or has host
   *     bits set; the message says which and, for host bits, names the network address
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Ip4Net parse(String cidr) {
    long parsed = parseBits(cidr);
    return new Ip4Net((int) (parsed >>> 8), (int) (parsed & 0xff));
  }

  /**
   * Parses CIDR text whose address may have host bits, such as subnet.env's {@code
   * "10.244.1.1/24"}, and returns the network that contains the address ({@code 10.244.1.0/24}), as
   * Go's {@code net.ParseCIDR} does.
   *
   * @throws IllegalArgumentException if the text is not {@code <dotted quad>/<0-32>}
   */
  public static Ip4Net parseContaining(String cidr) {
    long parsed = parseBits(cidr);
    return of((int) (parsed >>> 8), (int) (parsed & 0xff));
  }

  /** Returns the address bits shifted left by 8, or-ed with the prefix length. */
  private static long parseBits(String cidr) {
    if (cidr == null) {
      throw new IllegalArgumentException("IPv4 CIDR is missing");
    }
    int slash = cidr.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException(
          "\""
              + Texts.printable(cidr)
              + "\" is not an IPv4 CIDR: the /<prefix length> is missing, e.g. 10.244.0.0/16");
    }
    int address;
    try {
      address = Ip4.parseInt(cidr.substring(0, slash));
    } catch (IllegalArgumentException e) {
      throw notCidr(cidr);
    }
    int prefixLength = Prefixes.parse(cidr.substring(slash + 1), 32);
    if (prefixLength < 0) {
      throw notCidr(cidr);
    }
    return ((address & 0xffffffffL) << 8) | prefixLength;
  }

  /** Returns the netmask for a prefix length, e.g. {@code 0xFFFFFF00} for 24. */
  public static int mask(int prefixLength) {
    return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
  }

  /** Returns the network address, e.g. {@code 10.244.1.0} for {@code 10.244.1.0/24}. */
  public Ip4 ip() {
    return new Ip4(address);
  }

  /** Returns the netmask of this network, e.g. {@code 0xFFFFFF00} for a /24. */
  public int mask() {
    return mask(prefixLength);
  }

  /** Returns the number of addresses in this network, 1 for a /32 up to 2^32 for a /0. */
  public long size() {
    return 1L << (32 - prefixLength);
  }

  /** Returns the last address, e.g. {@code 10.244.1.255} for {@code 10.244.1.0/24}. */
  public Ip4 lastAddress() {
    return new Ip4(address | ~mask());
  }

  /**
   * Returns the first address after the network address, e.g. {@code 10.244.1.1} for {@code
   * 10.244.1.0/24}: the address subnet.env's {@code FLANNEL_SUBNET} carries.
   *
   * @throws IllegalStateException for a /32, which has no address after its network address
   */
  public Ip4 firstUsable() {
    if (prefixLength == 32) {
      throw new IllegalStateException(this + " has no address after its network address");
    }
    return new Ip4(address + 1);
  }

  /** Returns true if {@code ip} lies in this network. */
  public boolean contains(Ip4 ip) {
    return (ip.value() & mask()) == address;
  }

  /** Returns true if every address of {@code other} lies in this network. */
  public boolean contains(Ip4Net other) {
    return other.prefixLength >= prefixLength && (other.address & mask()) == address;
  }

  /** Returns true if the two networks share at least one address. */
  public boolean overlaps(Ip4Net other) {
    int common = mask(Math.min(prefixLength, other.prefixLength));
    return (address & common) == (other.address & common);
  }

  /**
   * Returns the network of the same length that follows this one, e.g. {@code 10.244.2.0/24} after
   * {@code 10.244.1.0/24}.
   *
   * @throws ArithmeticException if this is the last network of its length (it would wrap to 0)
   */
  public Ip4Net next() {
    long next = (address & 0xffffffffL) + size();
    if (next > 0xffffffffL) {
      throw new ArithmeticException("no IPv4 network follows " + this);
    }
    return new Ip4Net((int) next, prefixLength);
  }

  /**
   * Returns the number of networks of length {@code subnetLength} inside this one.
   *
   * @throws IllegalArgumentException if {@code subnetLength} is shorter than this prefix or over 32
   */
  public long subnetCount(int subnetLength) {
    checkSubnetLength(subnetLength);
    return 1L << (subnetLength - prefixLength);
  }

  /**
   * Returns, lazily and in address order, every network of length {@code subnetLength} inside this
   * one: {@code 10.244.0.0/16} has 256 subnets of length 24, {@code 10.244.0.0/24 ..
   * 10.244.255.0/24}.
   *
   * @throws IllegalArgumentException if {@code subnetLength} is shorter than this prefix or over 32
   */
  public Stream<Ip4Net> subnets(int subnetLength) {
    long count = subnetCount(subnetLength);
    int step = 32 - subnetLength;
    return LongStream.range(0, count)
        .mapToObj(i -> new Ip4Net(address + (int) (i << step), subnetLength));
  }

  @Override
  public int compareTo(Ip4Net other) {
    int c = Integer.compareUnsigned(address, other.address);
    return c != 0 ? c : Integer.compare(prefixLength, other.prefixLength);
  }

  /** Returns the CIDR text, e.g. {@code "10.244.1.0/24"}; this is also the JSON form. */
  @JsonValue
  @Override
  public String toString() {
    return Ip4.format(address) + "/" + prefixLength;
  }

  private void checkSubnetLength(int subnetLength) {
    if (subnetLength < prefixLength || subnetLength > 32) {
      throw new IllegalArgumentException(
          "subnet length must be "
              + prefixLength
              + " to 32 inside "
              + this
              + ", got "
              + subnetLength);
    }
  }

  private static IllegalArgumentException notCidr(String cidr) {
    return new IllegalArgumentException(
        "\"" + Texts.printable(cidr) + "\" is not an IPv4 CIDR like 10.244.0.0/16");
  }
}
