package io.jflannel.daemon;

import io.jflannel.netlink.Ips;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The value checks of {@link FlannelOptions#validate}. Upstream checks only the lease renew margin
 * and fails later, often obscurely, on the rest; we check every value whose mistake we can name
 * before anything starts.
 */
final class OptionsValidator {
  private OptionsValidator() {}

  static void validate(FlannelOptions o) throws OptionsException {
    long margin = o.subnetLeaseRenewMargin().toMinutes();
    if (margin < 1 || margin > 1439) {
      throw new OptionsException(
          "--subnet-lease-renew-margin="
              + margin
              + " is out of range: use 1 to 1439 minutes (the lease lasts 24 h)");
    }
    if (o.healthzPort() < 0 || o.healthzPort() > 65535) {
      throw new OptionsException(
          "--healthz-port=" + o.healthzPort() + " is not a port: use 1 to 65535, or 0 to disable");
    }
    if (!isIp(o.healthzIp())) {
      throw new OptionsException(
          "--healthz-ip=" + o.healthzIp() + " is not an IP address: use e.g. 0.0.0.0 or 127.0.0.1");
    }
    if (o.iptablesResync().toSeconds() < 1) {
      throw new OptionsException(
          "--iptables-resync=" + o.iptablesResync().toSeconds() + " must be at least 1 (seconds)");
    }
    if (o.resyncPeriod().toSeconds() < 1) {
      throw new OptionsException(
          "--resync-period=" + o.resyncPeriod().toSeconds() + " must be at least 1 (seconds)");
    }
    try {
      o.publicIp();
    } catch (IllegalArgumentException e) {
      throw new OptionsException("--public-ip: " + e.getMessage());
    }
    try {
      o.publicIpv6();
    } catch (IllegalArgumentException e) {
      throw new OptionsException("--public-ipv6: " + e.getMessage());
    }
    String reach = o.ifaceCanReach().orElse("");
    if (!reach.isEmpty() && !isIp(reach)) {
      throw new OptionsException(
          "--iface-can-reach="
              + reach
              + " is not an IP address: give the address of a peer or gateway");
    }
    for (String regex : o.ifaceRegex()) {
      try {
        Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        throw new OptionsException(
            "--iface-regex=" + regex + " is not a valid regex: " + e.getDescription());
      }
    }
    o.health().validate();
    if (o.verbosity() < 0) {
      throw new OptionsException("-v=" + o.verbosity() + " must be 0 or more");
    }
  }

  private static boolean isIp(String s) {
    try {
      Ips.parse(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
