package io.jflannel.daemon.metrics;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The counters a backend's {@link io.jflannel.core.backend.Network} keeps, found by the name of a
 * public no-argument {@code long} accessor on its class, so that the daemon can export them without
 * a compile-time dependency on any backend.
 *
 * <p>Why by name: the daemon has the backends on its runtime classpath only, and the backends
 * cannot see the daemon, so neither side can name an interface the other implements. The right
 * long-term home is an optional SPI in core ({@code io.jflannel.core.backend.NetworkStats} with
 * {@code OptionalLong} defaults) that networks implement; until then this is the contract, and the
 * metrics of a counter a network does not have are simply not exported. The accessors:
 *
 * <ul>
 *   <li>{@code writes()}: kernel write requests sent (vxlan: ARP, FDB, route, nexthop replaces and
 *       deletes; host-gw: route replaces and deletes). Read on the event thread right after each
 *       {@code handle}/{@code reconcile}, so it may be {@code synchronized} with them.
 *   <li>{@code writeErrors()}: of those, the ones the kernel refused (not counting ENOENT on
 *       delete). Read like {@code writes()}.
 *   <li>{@code packetsSent()}, {@code packetsReceived()}, {@code packetsDropped()}: udp backend,
 *       packets encapsulated to peers, decapsulated from peers, and dropped (source holds no lease,
 *       no route, TUN or socket error). Read at scrape time from another thread, so they must not
 *       block: a {@code LongAdder.sum()} or an {@code AtomicLong.get()}.
 * </ul>
 *
 * <p>The accessor must be public on a public class (it is looked up with the public lookup).
 * Immutable and thread-safe; the suppliers call the network.
 */
public final class NetworkCounters {

  /** A counter a network may keep, by accessor name. */
  public enum Counter {
    WRITES("writes"),
    WRITE_ERRORS("writeErrors"),
    PACKETS_SENT("packetsSent"),
    PACKETS_RECEIVED("packetsReceived"),
    PACKETS_DROPPED("packetsDropped");

    private final String accessor;

    Counter(String accessor) {
      this.accessor = accessor;
    }

    /** The accessor's method name, e.g. {@code writes}. */
    public String accessor() {
      return accessor;
    }
  }

  private static final MethodType LONG = MethodType.methodType(long.class);

  private final Map<Counter, LongSupplier> found;

  private NetworkCounters(Map<Counter, LongSupplier> found) {
    this.found = found;
  }

  /** Finds the counters {@code network} has. */
  public static NetworkCounters of(Object network) {
    Map<Counter, LongSupplier> found = new EnumMap<>(Counter.class);
    for (Counter c : Counter.values()) {
      MethodHandle h;
      try {
        h = MethodHandles.publicLookup().findVirtual(network.getClass(), c.accessor(), LONG);
      } catch (NoSuchMethodException | IllegalAccessException e) {
        continue;
      }
      MethodHandle bound = h.bindTo(network);
      found.put(c, () -> invoke(bound));
    }
    return new NetworkCounters(found);
  }

  private static long invoke(MethodHandle h) {
    try {
      return (long) h.invokeExact();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("counter accessor failed", e);
    }
  }

  /** The supplier of {@code counter}, or empty if the network does not keep it. */
  public Optional<LongSupplier> get(Counter counter) {
    return Optional.ofNullable(found.get(counter));
  }
}
