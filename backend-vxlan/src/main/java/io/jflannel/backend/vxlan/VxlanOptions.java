package io.jflannel.backend.vxlan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jflannel.backend.common.BackendOptions;
import io.jflannel.core.backend.BackendException;
import io.jflannel.netlink.VxlanAttrs;
import java.net.InetAddress;
import java.util.Iterator;
import java.util.Map;

/**
 * The vxlan options of net-conf.json's {@code Backend} object, keys case-insensitive as upstream:
 * {@code VNI} (1), {@code Port} (0 = the kernel's 8472), {@code GBP}, {@code Learning}, {@code
 * DirectRouting} (all false) and {@code MTU} (the underlay MTU; 0 = the external interface's); and
 * ours, {@code NexthopRoutes} (false): routes through nexthop objects, linear to program at any
 * cluster size (see {@link io.jflannel.backend.common.NexthopIds}); upstream ignores the key.
 */
public record VxlanOptions(
    int vni,
    int port,
    boolean gbp,
    boolean learning,
    boolean directRouting,
    int mtu,
    boolean nexthopRoutes) {
  /** The kernel's (and flannel's) default VXLAN port on Linux. */
  public static final int DEFAULT_PORT = 8472;

  /**
   * Reads the options from the Backend object.
   *
   * @throws BackendException naming the option and the fix when a value has the wrong type or range
   */
  public static VxlanOptions parse(ObjectNode backend) throws BackendException {
    int vni = 1;
    int port = 0;
    boolean gbp = false;
    boolean learning = false;
    boolean direct = false;
    int mtu = 0;
    boolean nexthops = false;
    for (Iterator<Map.Entry<String, JsonNode>> it = backend.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      switch (e.getKey().toLowerCase(java.util.Locale.ROOT)) {
        case "vni" -> vni = integer(e.getKey(), v, 0, 0xffffff);
        case "port" -> port = integer(e.getKey(), v, 0, 65535);
        case "gbp" -> gbp = bool(e.getKey(), v);
        case "learning" -> learning = bool(e.getKey(), v);
        case "directrouting" -> direct = bool(e.getKey(), v);
        case "mtu" -> mtu = integer(e.getKey(), v, 0, 65535);
        case "nexthoproutes" -> nexthops = bool(e.getKey(), v);
        default -> {
          // Type and options of other backends: ignored, as upstream does
        }
      }
    }
    return new VxlanOptions(vni, port, gbp, learning, direct, mtu, nexthops);
  }

  /** The port the device uses: {@code Port}, or 8472. */
  public int effectivePort() {
    return port == 0 ? DEFAULT_PORT : port;
  }

  private static int integer(String key, JsonNode v, int min, int max) throws BackendException {
    return v.isNull() ? 0 : BackendOptions.wholeNumber("vxlan", key, v, min, max, null);
  }

  private static boolean bool(String key, JsonNode v) throws BackendException {
    return !v.isNull() && BackendOptions.bool("vxlan", key, v);
  }

  /** The device's settings with these options, over {@code underlayIndex} from {@code local}. */
  public VxlanAttrs deviceAttrs(InetAddress local, int underlayIndex) {
    return new VxlanAttrs(vni, local, underlayIndex, effectivePort(), learning, gbp);
  }
}
