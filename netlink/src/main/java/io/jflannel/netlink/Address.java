package io.jflannel.netlink;

/**
 * An interface address: what {@code ip addr} prints and takes.
 *
 * @param linkIndex the interface
 * @param prefix the address with its prefix length ({@code 10.244.1.0/32})
 * @param scope {@code ifa_scope} (0 = global, 253 = link, 254 = host)
 * @param flags {@code IFA_FLAGS} ({@code permanent}, {@code nodad}, ...)
 */
public record Address(int linkIndex, IpPrefix prefix, int scope, int flags) {
  /** A global-scope address on {@code linkIndex}. */
  public static Address of(int linkIndex, IpPrefix prefix) {
    return new Address(linkIndex, prefix, 0, 0);
  }
}
