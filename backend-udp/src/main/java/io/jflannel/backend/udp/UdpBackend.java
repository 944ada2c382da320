package io.jflannel.backend.udp;

import io.jflannel.backend.common.DeviceCheck;
import io.jflannel.backend.common.Kernel;
import io.jflannel.backend.common.KernelTypes;
import io.jflannel.backend.common.NetworkInspection;
import io.jflannel.backend.common.ReadOnlyKernel;
import io.jflannel.backend.udp.sys.Native;
import io.jflannel.core.backend.Backend;
import io.jflannel.core.backend.BackendException;
import io.jflannel.core.backend.ExternalInterface;
import io.jflannel.core.backend.Finding;
import io.jflannel.core.backend.Inspection;
import io.jflannel.core.backend.Network;
import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.lease.Lease;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.netlink.Errno;
import io.jflannel.netlink.Link;
import io.jflannel.netlink.NetlinkException;
import io.jflannel.netlink.Tun;
import io.jflannel.netlink.sys.SysException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The udp backend before and after lease acquisition: {@link #prepare} creates the TUN device
 * {@code flannel0} and advertises this node's public IP with an empty backend type (as upstream);
 * {@link #register} gives the device its {@code /32} address, MTU and the route for the whole
 * Network, binds the UDP socket to {@code <interface IP>:<Port>} and returns the {@link UdpNetwork}
 * that forwards packets.
 *
 * <p>The TUN device is not persistent: it exists while the backend's queues are open and goes, with
 * its address and route, when the network is closed, exactly as upstream's (whose TUN closes on
 * exit). Equivalent, for the device, to {@code ip tuntap add dev flannel0 mode tun multi_queue} for
 * the life of the process.
 *
 * <p>Owns the {@link Kernel} and the TUN queues until {@link #register} hands them to the network
 * (which closes them); if {@code register} fails they are closed. Called from the daemon's start-up
 * thread only.
 */
public final class UdpBackend implements Backend {
  private static final Logger log = LoggerFactory.getLogger(UdpBackend.class);

  /** IPv4 (20) + UDP (8). */
  static final int OVERHEAD = 28;

  /** Socket buffer size asked for: a few milliseconds of traffic at line rate. */
  private static final int SOCKET_BUFFER = 4 << 20;

  private final NetworkConfig config;
  private final UdpOptions options;
  private final ExternalInterface iface;
  private final Kernel kernel;
  private final Namespace namespace;
  private final int queueCount;
  private final List<Tun> queues = new ArrayList<>();

  /** A backend in the caller's network namespace with one TUN queue. */
  public UdpBackend(
      NetworkConfig config, UdpOptions options, ExternalInterface iface, Kernel kernel) {
    this(config, options, iface, kernel, Namespace.CURRENT, 1);
  }

  /**
   * A backend that opens its TUN and socket in {@code namespace} (tests, benchmarks), with {@code
   * queueCount} TUN queues, each served by its own pair of packet threads.
   */
  UdpBackend(
      NetworkConfig config,
      UdpOptions options,
      ExternalInterface iface,
      Kernel kernel,
      Namespace namespace,
      int queueCount) {
    if (queueCount < 1) {
      throw new IllegalArgumentException("need at least one queue, got " + queueCount);
    }
    this.config = config;
    this.options = options;
    this.iface = iface;
    this.kernel = kernel;
    this.namespace = namespace;
    this.queueCount = queueCount;
  }

  /** The TUN MTU: the interface MTU less the IPv4 and UDP headers. */
  int tunMtu() {
    return iface.mtu() - OVERHEAD;
  }

  @Override
  public LeaseAttrs prepare(LeaseAttrs previous) throws BackendException {
    if (iface.address() == null || config.network() == null) {
      throw new BackendException(
          "udp: the udp backend carries IPv4 only, but "
              + (iface.address() == null
                  ? iface.name() + " has no IPv4 address"
                  : "the net config has no IPv4 Network")
              + "; use the vxlan or host-gw backend for IPv6");
    }
    if (config.enableIPv6()) {
      throw new BackendException(
          "udp: the udp backend carries IPv4 only, but the net config enables IPv6; use the vxlan"
              + " or host-gw backend for IPv6, or set \"EnableIPv6\": false");
    }
    if (!queues.isEmpty()) {
      throw new IllegalStateException("prepare called twice");
    }
    try {
      queues.addAll(openQueues("flannel%d"));
    } catch (NetlinkException e) {
      closeQueues();
      throw new BackendException(
          "udp: cannot create the TUN device: "
              + e.getMessage()
              + (e.errno() == Errno.ENOENT
                  ? "; /dev/net/tun is missing: load the tun module (modprobe tun)"
                  : ""),
          e);
    }
    log.info("created TUN device {} ({} queue(s))", queues.get(0).name(), queues.size());
    // upstream's udp backend advertises no BackendType and no BackendData
    return new LeaseAttrs(iface.publicIp(), null, "", null, null);
  }

  /**
   * Opens the TUN device {@code name} (a pattern such as {@code flannel%d} picks the first free
   * number) with {@link #queueCount} queues, IPv6 off, not yet up or addressed. Closes what it
   * opened when it fails.
   */
  private List<Tun> openQueues(String name) throws NetlinkException {
    List<Tun> opened = new ArrayList<>();
    try {
      Tun first = namespace.call(() -> Tun.open(name, true));
      opened.add(first);
      for (int q = 1; q < queueCount; q++) {
        opened.add(namespace.call(() -> Tun.open(first.name(), true)));
      }
    } catch (NetlinkException | RuntimeException e) {
      opened.forEach(Tun::close);
      throw e;
    }
    disableIpv6(opened.get(0).name());
    return opened;
  }

  /**
   * Turns IPv6 off on the TUN before it goes up: the device carries IPv4 only, and with IPv6 on the
   * kernel sends its own router solicitations and MLD reports into it, which the forwarder would
   * have to drop (they showed up as {@code malformed} drops). Not fatal when it cannot be done.
   */
  private void disableIpv6(String device) {
    try {
      namespace.call(
          () -> {
            Path knob = Path.of("/proc/sys/net/ipv6/conf", device, "disable_ipv6");
            if (Files.exists(knob)) {
              try {
                Files.writeString(knob, "1");
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }
            return null;
          });
    } catch (NetlinkException | UncheckedIOException e) {
      log.debug("udp: cannot turn IPv6 off on {}: {}", device, e.toString());
    }
  }

  @Override
  public Network register(Lease lease) throws BackendException {
    if (queues.isEmpty()) {
      throw new IllegalStateException("register before prepare");
    }
    if (lease.subnet() == null) {
      closeQueues();
      throw new BackendException("udp: the lease " + lease.subnets() + " has no IPv4 subnet");
    }
    String name = queues.get(0).name();
    List<Integer> sockets = new ArrayList<>();
    try {
      TunDevice device = new TunDevice(kernel, name, config.network(), lease.subnet(), tunMtu());
      device.ensure();
      int socketCount = queueCount > 1 ? queueCount : 1;
      for (int i = 0; i < socketCount; i++) {
        sockets.add(namespace.call(() -> openSocket(socketCount > 1)));
      }
      Forwarder forwarder =
          new Forwarder(
              name,
              queues,
              sockets.stream().mapToInt(Integer::intValue).toArray(),
              options.port(),
              tunMtu());
      log.info(
          "{}: {}/32, mtu {}, route {} dev {}; udp {}:{}",
          name,
          lease.subnet().ip(),
          tunMtu(),
          config.network(),
          name,
          iface.address(),
          options.port());
      return new UdpNetwork(
          kernel,
          device,
          iface,
          lease,
          forwarder,
          () -> openQueues(name),
          options.port(),
          tunMtu());
    } catch (NetlinkException | SysException e) {
      sockets.forEach(Native::close);
      closeQueues();
      kernel.close();
      throw new BackendException("udp: cannot set up " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * The TUN device as it is, for {@code flanneld diagnose}: present (it exists only while flanneld
   * runs), up, with its MTU, this node's {@code /32} and the route of the whole Network through it.
   * The udp backend keeps its peers in the daemon, so there is nothing per peer to check in the
   * kernel. Opens nothing; the inspection owns this backend's kernel from then on.
   */
  @Override
  public Inspection inspect(Lease lease) throws BackendException {
    Kernel ro = new ReadOnlyKernel(kernel);
    List<Finding> findings = new ArrayList<>();
    String name = "flannel0";
    try {
      if (lease.subnet() != null) {
        DeviceCheck check =
            new DeviceCheck(
                name,
                tunMtu(),
                null,
                KernelTypes.host(lease.subnet().ip()),
                l -> l.kind().equals("tun") ? null : "is not a TUN device (" + l.kind() + ")");
        Optional<Link> tun = check.check(ro, findings);
        if (tun.isPresent()) {
          findings.add(TunDevice.routeFinding(ro, tun.get(), config.network()));
        }
      }
    } catch (NetlinkException e) {
      ro.close();
      throw new BackendException("udp: cannot read " + name + ": " + e.getMessage(), e);
    }
    return new NetworkInspection(findings, List.of(name), tunMtu(), null, ro);
  }

  /** A UDP socket bound to {@code <interface IP>:<Port>}, with large buffers. */
  private int openSocket(boolean reusePort) throws NetlinkException {
    int fd = -1;
    String op = "socket(AF_INET, SOCK_DGRAM)";
    try {
      fd = Native.udpSocket();
      if (reusePort) {
        op = "setsockopt(SO_REUSEPORT)";
        Native.setsockopt(fd, Native.SOL_SOCKET, Native.SO_REUSEPORT, 1);
      }
      op = "setsockopt(SO_RCVBUF, SO_SNDBUF)";
      buffer(fd, Native.SO_RCVBUFFORCE, Native.SO_RCVBUF);
      buffer(fd, Native.SO_SNDBUFFORCE, Native.SO_SNDBUF);
      op = "bind udp " + iface.address() + ":" + options.port();
      Native.bind(fd, iface.address().value(), options.port());
      return fd;
    } catch (SysException e) {
      Native.close(fd);
      String hint =
          e.errno() == Errno.EADDRINUSE
              ? "another process (an old flanneld?) holds udp port " + options.port()
              : e.errno() == Errno.EADDRNOTAVAIL
                  ? iface.address() + " is not an address of this host"
                  : null;
      throw new NetlinkException(op, e.errno(), hint, e);
    }
  }

  /** Asks for {@link #SOCKET_BUFFER}, past {@code net.core.*mem_max} if allowed (root). */
  private static void buffer(int fd, int force, int plain) throws SysException {
    try {
      Native.setsockopt(fd, Native.SOL_SOCKET, force, SOCKET_BUFFER);
    } catch (SysException e) {
      Native.setsockopt(fd, Native.SOL_SOCKET, plain, SOCKET_BUFFER);
    }
  }

  private void closeQueues() {
    queues.forEach(Tun::close);
    queues.clear();
  }
}
