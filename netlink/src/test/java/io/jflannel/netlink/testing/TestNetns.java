package io.jflannel.netlink.testing;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * A network namespace a test creates and deletes: {@code jfl-<purpose>-<random>}, so parallel runs
 * cannot collide and the root namespace is never touched.
 *
 * <p>Made with {@code ip netns add}, removed by {@link #close()} (which also kills nothing: tests
 * stop their own processes). Loopback is brought up.
 */
public final class TestNetns implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final String name;

  private TestNetns(String name) {
    this.name = name;
  }

  /** A fresh random suffix shared by the namespaces of one scenario. */
  public static String suffix() {
    return Integer.toString(RANDOM.nextInt(1 << 24), 36);
  }

  /** Creates {@code jfl-<purpose>-<random>} with loopback up. */
  public static TestNetns create(String purpose) {
    return createNamed("jfl-" + purpose + "-" + suffix());
  }

  /** Creates a namespace with exactly this (already randomised) name. */
  public static TestNetns createNamed(String name) {
    Sh.run("ip", "netns", "add", name);
    TestNetns ns = new TestNetns(name);
    ns.ip("link", "set", "lo", "up");
    return ns;
  }

  public String name() {
    return name;
  }

  /** {@code ip -n <ns> <args>}; returns stdout. */
  public String ip(String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
    cmd.addAll(List.of(args));
    return Sh.run(cmd.toArray(String[]::new));
  }

  /** {@code ip netns exec <ns> <cmd>}; returns the outcome without failing. */
  public Sh.Out exec(String... cmd) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
    full.addAll(List.of(cmd));
    return Sh.exec(full.toArray(String[]::new));
  }

  @Override
  public void close() {
    Sh.exec("ip", "netns", "del", name);
  }

  @Override
  public String toString() {
    return name;
  }
}
