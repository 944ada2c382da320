package io.jflannel.core.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jflannel.core.ip.Ip4;
import io.jflannel.core.ip.Ip4Net;
import io.jflannel.core.ip.Ip6;
import io.jflannel.core.ip.Ip6Net;
import java.math.BigInteger;

/**
 * The keys of a network config exactly as written, before defaults and validation; a field is null
 * when its key is absent (or {@code null}).
 *
 * <p>Mutable scratch state of one {@link NetConfReader#read} call; never shared.
 */
final class RawConfig {
  Boolean enableIPv4;
  Boolean enableIPv6;
  Boolean enableNFTables;

  Ip4Net network;
  BigInteger subnetLen;
  Ip4 subnetMin;
  Ip4 subnetMax;

  Ip6Net ipv6Network;
  BigInteger ipv6SubnetLen;
  Ip6 ipv6SubnetMin;
  Ip6 ipv6SubnetMax;

  /** The Backend object; null when the key is absent. */
  ObjectNode backend;
}
