package io.jflannel.backend.udp;

import io.jflannel.netlink.NetNs;
import io.jflannel.netlink.NetlinkException;

/**
 * Where the backend opens its TUN queues and UDP sockets: the calling thread's network namespace
 * (the daemon), or a named one (tests and benchmarks that run several simulated hosts in one
 * process). Descriptors stay bound to the namespace they were opened in, so only opening needs
 * this; the packet loops may run on any thread. Immutable.
 */
final class Namespace {
  static final Namespace CURRENT = new Namespace(null);

  private final String name;

  private Namespace(String name) {
    this.name = name;
  }

  /** The namespace {@code /var/run/netns/<name>}, as made by {@code ip netns add}. */
  static Namespace named(String name) {
    NetNs.path(name); // validates
    return new Namespace(name);
  }

  /** Runs {@code work} inside this namespace and returns its result. */
  <T> T call(NetNs.Work<T> work) throws NetlinkException {
    return name == null ? work.run() : NetNs.call(name, work);
  }

  @Override
  public String toString() {
    return name == null ? "current namespace" : "namespace " + name;
  }
}
