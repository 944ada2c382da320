package io.jflannel.daemon;

import io.jflannel.core.config.NetworkConfig;
import io.jflannel.core.lease.LeaseAttrs;
import io.jflannel.netlink.Netlink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up work that does not wait for the lease store, done on a thread of its own while the main
 * thread connects to the store (the store client's first request loads its HTTP client, TLS, and in
 * kube mode fabric8): it opens netlink and reads the host's links and addresses (loading the
 * netlink binding, jnr-ffi and jffi, as the interface selection does later), and parses a sample
 * network config and lease (loading Jackson and the config classes, as the store's first answers
 * do). On a host with two or more CPUs that class loading and initialisation is then off the
 * critical path (BENCHMARKS.md, "Start-up below 1,000 peers").
 *
 * <p>Reads only: nothing in the kernel or the store changes, and its outcome is never used; a
 * failure is logged at debug level and the main thread does the same work again anyway.
 */
final class StartupWarmup {
  private static final Logger log = LoggerFactory.getLogger(StartupWarmup.class);

  private StartupWarmup() {}

  /**
   * Starts the warm-up on a daemon thread named {@code warm-up} and returns at once; with {@code
   * FLANNELD_WARMUP=off} in the environment (to measure it) it does nothing.
   */
  static void start() {
    if ("off".equals(System.getenv("FLANNELD_WARMUP"))) {
      return;
    }
    Thread t = new Thread(StartupWarmup::run, "warm-up");
    t.setDaemon(true);
    t.start();
  }

  static void run() {
    long t0 = System.nanoTime();
    try (Netlink nl = Netlink.open()) {
      nl.links().list();
      nl.addresses().list();
    } catch (Exception | LinkageError e) {
      log.debug("warm-up: netlink: {}", e.toString());
    }
    try {
      NetworkConfig.parse("{\"Network\":\"10.0.0.0/8\",\"Backend\":{\"Type\":\"vxlan\"}}");
      LeaseAttrs.fromJson(
          "{\"PublicIP\":\"192.0.2.1\",\"BackendType\":\"vxlan\","
              + "\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"02:00:00:00:00:01\"}}");
    } catch (Exception | LinkageError e) {
      log.debug("warm-up: JSON: {}", e.toString());
    }
    log.debug("warm-up done in {} ms", (System.nanoTime() - t0) / 1_000_000);
  }
}
