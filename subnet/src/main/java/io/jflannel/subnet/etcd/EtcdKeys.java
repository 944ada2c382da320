package io.jflannel.subnet.etcd;

import java.util.Optional;

/**
 * The etcd key layout under {@code --etcd-prefix}, as upstream writes it: {@code <prefix>/config}
 * holds net-conf.json, {@code <prefix>/subnets/<subnet key>} one lease each (see {@link
 * SubnetKey}).
 *
 * <p>Upstream lists and watches {@code <prefix>/subnets} without the trailing slash and so would
 * also see a key {@code <prefix>/subnetsX/...}; here the range is {@code <prefix>/subnets/}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param prefix the key prefix without a trailing slash, e.g. {@code /coreos.com/network}
 */
record EtcdKeys(String prefix) {

  /** Returns {@code <prefix>/config}. */
  String config() {
    return prefix + "/config";
  }

  /** Returns {@code <prefix>/subnets/}, the range every lease key lies in. */
  String subnets() {
    return prefix + "/subnets/";
  }

  /** Returns the full key of a lease, e.g. {@code /coreos.com/network/subnets/10.5.52.0-24}. */
  String lease(SubnetKey key) {
    return subnets() + key;
  }

  /**
   * Returns the subnets a full key names, or empty if the key is not under {@code
   * <prefix>/subnets/} or its last element is not a subnet key.
   */
  Optional<SubnetKey> parse(String fullKey) {
    if (!fullKey.startsWith(subnets())) {
      return Optional.empty();
    }
    return SubnetKey.parse(fullKey.substring(subnets().length()));
  }
}
