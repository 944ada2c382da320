package io.jflannel.e2e;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node's lease as every other node sees it: its subnet ({@code 10.244.3.0/24}), public IP,
 * backend type and, for vxlan, its VTEP MAC; {@code value} is the stored JSON verbatim.
 */
record PeerLease(String subnet, String publicIp, String backendType, String vtepMac, String value) {
  private static final Pattern PUBLIC_IP = Pattern.compile("\"PublicIP\"\\s*:\\s*\"([0-9.]+)\"");
  private static final Pattern TYPE = Pattern.compile("\"BackendType\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern MAC = Pattern.compile("\"VtepMAC\"\\s*:\\s*\"([0-9a-fA-F:]+)\"");

  /** Parses flannel's LeaseAttrs JSON; returns null if {@code value} does not look like it. */
  static PeerLease parse(String subnet, String value) {
    Matcher ip = PUBLIC_IP.matcher(value);
    if (!value.strip().startsWith("{") || !ip.find()) {
      return null;
    }
    Matcher type = TYPE.matcher(value);
    Matcher mac = MAC.matcher(value);
    return new PeerLease(
        subnet,
        ip.group(1),
        type.find() ? type.group(1) : "",
        mac.find() ? mac.group(1).toLowerCase() : null,
        value);
  }
}
