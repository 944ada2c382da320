package io.jflannel.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jflannel.netlink.testing.TestNetns;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * One simulated node: host namespace {@code jfl-h<i>-<sfx>} (underlay {@code eth0} =
 * 192.168.100.(10+i)/24 and, on an IPv6 LAN, fd00:100::(10+i)/64, where flanneld runs) and one pod
 * namespace {@code jfl-p<i>-<sfx>} behind the host's {@code cni0} bridge, wired as the flannel CNI
 * plugin would once subnet.env exists, in each family subnet.env carries.
 *
 * <p>Owned by its {@link Cluster}, which starts and stops its daemons and deletes its namespaces.
 * Not thread-safe: a scenario drives one host from one thread.
 */
final class Host {
  private final int index;
  private final TestNetns ns;
  private final TestNetns pod;
  private final Path dir;
  private Daemon daemon;
  private boolean plugged;
  private String podIp;
  private String podIp6;

  Host(int index, TestNetns ns, TestNetns pod, Path dir) {
    this.index = index;
    this.ns = ns;
    this.pod = pod;
    this.dir = dir;
  }

  int index() {
    return index;
  }

  /** {@code h<i>}, for messages. */
  String name() {
    return "h" + index;
  }

  TestNetns ns() {
    return ns;
  }

  TestNetns podNs() {
    return pod;
  }

  String publicIp() {
    return Lan.hostAddress(index);
  }

  /** The host's IPv6 address on an IPv6 LAN ({@link Lan#hostAddress6}). */
  String publicIpv6() {
    return Lan.hostAddress6(index);
  }

  Path subnetFile() {
    return dir.resolve("subnet.env");
  }

  Path log() {
    return dir.resolve("flanneld.log");
  }

  Path dir() {
    return dir;
  }

  /** The daemon last started on this host (running or not), or null. */
  Daemon daemon() {
    return daemon;
  }

  void daemon(Daemon d) {
    this.daemon = d;
  }

  boolean running() {
    return daemon != null && daemon.isAlive();
  }

  Optional<SubnetEnv> subnetEnv() {
    return SubnetEnv.read(subnetFile());
  }

  /** The current subnet.env; fails if the daemon has not written it. */
  SubnetEnv lease() {
    return subnetEnv().orElseThrow(() -> new AssertionError(name() + " has no subnet.env"));
  }

  /**
   * The pod's IPv4 address ({@code 10.244.X.2}), once {@link #plugPod} ran with an IPv4 lease; else
   * null.
   */
  String podIp() {
    return podIp;
  }

  /**
   * The pod's IPv6 address ({@code fd10:0:0:X::2}), once {@link #plugPod} ran with an IPv6 lease;
   * else null.
   */
  String podIp6() {
    return podIp6;
  }

  /**
   * The status of {@code GET /readyz} on the daemon's health port ({@link Cluster#HEALTHZ_PORT} on
   * the host's loopback), 0 when nothing answers.
   */
  int readyz() {
    return status(httpGet("/readyz", true));
  }

  /** The status of {@code GET /healthz}, 0 when nothing answers. */
  int healthz() {
    return status(httpGet("/healthz", true));
  }

  /** The JSON body of {@code GET <path>} ({@code /readyz}, {@code /healthz}); empty if none. */
  String body(String path) {
    String all = httpGet(path, false);
    int blank = all.indexOf("\r\n\r\n");
    return blank < 0 ? "" : all.substring(blank + 4).strip();
  }

  private static int status(String response) {
    String[] status = response.strip().split(" ");
    return status.length > 1 && status[1].matches("\\d{3}") ? Integer.parseInt(status[1]) : 0;
  }

  /**
   * The value of the sample {@code name{labels}} (e.g. {@code
   * flannel_udp_packets_dropped_total{reason="unknown_source"}}, or {@code flannel_peers} with
   * {@code labels} empty) in the daemon's {@code /metrics}; fails if the daemon does not export it.
   */
  double metric(String name, String labels) {
    String sample = labels.isEmpty() ? name + " " : name + "{" + labels + "} ";
    String body = httpGet("/metrics", false);
    return body.lines()
        .filter(l -> l.startsWith(sample))
        .map(l -> Double.parseDouble(l.substring(sample.length()).strip().split(" ")[0]))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    name() + " exports no " + sample.strip() + " in /metrics:\n" + body));
  }

  /**
   * {@code GET <path>} on the daemon's health port, HTTP/1.0, asked with bash's {@code /dev/tcp}
   * inside the host namespace (so no HTTP client needs to be installed); the status line alone, or
   * the whole response (as far as it came within 2 s). Empty when nothing answers.
   */
  private String httpGet(String path, boolean statusOnly) {
    String script =
        "exec 3<>/dev/tcp/127.0.0.1/"
            + Cluster.HEALTHZ_PORT
            + " || exit 1; printf 'GET "
            + path
            + " HTTP/1.0\\r\\n\\r\\n' >&3; "
            + (statusOnly ? "timeout 2 head -n 1 <&3" : "timeout 2 cat <&3");
    return ns.exec("bash", "-c", script).stdout();
  }

  /**
   * Waits (10 s at most) until the current run of this host's daemon has logged a WARN line
   * containing {@code needle}; fails with the log's tail.
   */
  void awaitWarningNaming(String needle) {
    await(name() + " warns about " + needle)
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () ->
                assertThat(daemon.output().lines())
                    .as(
                        () ->
                            name()
                                + "'s log has a WARN line naming "
                                + needle
                                + "\n"
                                + daemon.logTail(20))
                    .anyMatch(l -> l.contains(" WARN ") && l.contains(needle)));
  }

  KernelState kernel() {
    return new KernelState(ns);
  }

  /**
   * What the flannel CNI plugin (bridge + host-local) does for the first pod: bridge {@code cni0}
   * with FLANNEL_SUBNET's address and MTU FLANNEL_MTU; the pod's {@code eth0} gets the next
   * address, the same MTU and a default route via cni0. The same for IPv6 when subnet.env has
   * FLANNEL_IPV6_SUBNET (without duplicate address detection, see {@link Lan}). Done once: a daemon
   * restart does not re-plug.
   */
  void plugPod(SubnetEnv env) {
    if (plugged) {
      return;
    }
    String mtu = Integer.toString(env.mtu());
    ns.ip("link", "add", "cni0", "mtu", mtu, "type", "bridge");
    if (env.lease() != null) {
      ns.ip("addr", "add", env.subnet(), "dev", "cni0");
    }
    if (env.lease6() != null) {
      ns.ip("-6", "addr", "add", env.subnet6(), "dev", "cni0", "nodad");
    }
    ns.ip("link", "set", "cni0", "up");
    ns.ip(
        "link",
        "add",
        "veth0",
        "mtu",
        mtu,
        "type",
        "veth",
        "peer",
        "name",
        "eth0",
        "netns",
        pod.name());
    ns.ip("link", "set", "veth0", "master", "cni0");
    ns.ip("link", "set", "veth0", "up");
    pod.ip("link", "set", "eth0", "up");
    if (env.lease() != null) {
      String address = Ip4.plus(env.lease(), 2);
      String prefix = env.subnet().substring(env.subnet().indexOf('/'));
      pod.ip("addr", "add", address + prefix, "dev", "eth0");
      pod.ip("route", "add", "default", "via", Ip4.address(env.subnet()));
      podIp = address;
    }
    if (env.lease6() != null) {
      String address = Ip6.plus(env.lease6(), 2);
      String prefix = env.subnet6().substring(env.subnet6().indexOf('/'));
      pod.ip("-6", "addr", "add", address + prefix, "dev", "eth0", "nodad");
      pod.ip("-6", "route", "add", "default", "via", Ip6.address(env.subnet6()));
      podIp6 = address;
    }
    plugged = true;
  }

  @Override
  public String toString() {
    return name() + "(" + ns.name() + ")";
  }
}
