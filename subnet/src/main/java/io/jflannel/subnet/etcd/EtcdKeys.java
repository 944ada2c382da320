package io.jflannel.subnet.etcd;

import io.jflannel.core.lease.LeaseKey;
import java.util.Optional;

/**
 * The etcd key layout under {@code --etcd-prefix}, as upstream writes it: {@code <prefix>/config}
 * holds net-conf.json, {@code <prefix>/subnets/<subnet key>} one lease each (see {@link
 * SubnetKeys}).
 *
 * <p>Upstream lists and watches {@code <prefix>/subnets} without the trailing slash and so would
 * also see a key {@code <prefix>/subnetsX/...}; here the range is {@code <prefix>/subnets/}.
 *
 * <p>Immutable and thread-safe.
 */
final class EtcdKeys {

  private final String prefix;
  private final String subnets; // made once: every listed and watched key is checked against it

  EtcdKeys(String prefix) {
    this.prefix = prefix;
    this.subnets = prefix + "/subnets/";
  }

  /** Returns the key prefix without a trailing slash, e.g. {@code /coreos.com/network}. */
  String prefix() {
    return prefix;
  }

  /** Returns {@code <prefix>/config}. */
  String config() {
    return prefix + "/config";
  }

  /** Returns {@code <prefix>/subnets/}, the range every lease key lies in. */
  String subnets() {
    return subnets;
  }

  /** Returns the full key of a lease, e.g. {@code /coreos.com/network/subnets/10.5.52.0-24}. */
  String lease(LeaseKey key) {
    return subnets + SubnetKeys.name(key);
  }

  /**
   * Returns the subnets a full key names, or empty if the key is not under {@code
   * <prefix>/subnets/} or its last element is not a subnet key.
   */
  Optional<LeaseKey> parse(String fullKey) {
    if (!fullKey.startsWith(subnets)) {
      return Optional.empty();
    }
    return SubnetKeys.parse(fullKey, subnets.length());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EtcdKeys other && prefix.equals(other.prefix);
  }

  @Override
  public int hashCode() {
    return prefix.hashCode();
  }

  @Override
  public String toString() {
    return "EtcdKeys[prefix=" + prefix + "]";
  }
}
