package io.jflannel.daemon.metrics;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The counters a backend's {@link io.jflannel.core.backend.Network} keeps, found by the names of
 * its public accessors, so that the daemon can export them without a compile-time dependency on any
 * backend.
 *
 * <p>Why by name: the daemon has the backends on its runtime classpath only, and the backends
 * cannot see the daemon, so neither side can name an interface the other implements. The right
 * long-term home is an optional SPI in core ({@code io.jflannel.core.backend.NetworkStats}) that
 * networks implement; until then this is the contract, and a counter a network does not have is
 * simply not exported. The accessors:
 *
 * <ul>
 *   <li>{@code long writes()}: kernel write requests sent (vxlan: ARP, FDB, route, nexthop replaces
 *       and deletes; host-gw: route replaces and deletes; udp: device repairs). Read on the event
 *       thread right after each {@code handle}/{@code reconcile}, so it may be {@code synchronized}
 *       with them.
 *   <li>{@code long writeErrors()}: of those, the ones the kernel refused. Read like {@code
 *       writes()}. No backend has it yet.
 *   <li>{@code stats()} returning a record of {@code long} components: packet counters (udp's
 *       {@code UdpStats}), read at scrape time from another thread, so it must not block (udp sums
 *       {@code LongAdder}s). {@link Metrics} names the components' metrics by pattern.
 * </ul>
 *
 * <p>Accessors must be public on a public class (they are looked up with the public lookup).
 * Immutable and thread-safe; the suppliers call the network.
 */
public final class NetworkCounters {

  /** A {@code long} accessor a network may have. */
  public enum Counter {
    WRITES("writes"),
    WRITE_ERRORS("writeErrors");

    private final String accessor;

    Counter(String accessor) {
      this.accessor = accessor;
    }

    /** The accessor's method name, e.g. {@code writes}. */
    public String accessor() {
      return accessor;
    }
  }

  /**
   * A network's {@code stats()} record: the names of its {@code long} components, in declaration
   * order, and a way to read them all at once.
   */
  public static final class Stats {
    private final MethodHandle stats;
    private final List<String> names;
    private final List<MethodHandle> components;

    private Stats(MethodHandle stats, List<String> names, List<MethodHandle> components) {
      this.stats = stats;
      this.names = List.copyOf(names);
      this.components = List.copyOf(components);
    }

    /** The {@code long} components' names, e.g. {@code sentPackets}, {@code droppedTtl}. */
    public List<String> names() {
      return names;
    }

    /** One {@code stats()} call: every {@code long} component by name, in declaration order. */
    public Map<String, Long> read() {
      Object record = invoke(stats);
      Map<String, Long> values = new LinkedHashMap<>();
      for (int i = 0; i < names.size(); i++) {
        values.put(names.get(i), (long) invoke(components.get(i), record));
      }
      return values;
    }
  }

  private static final MethodType LONG = MethodType.methodType(long.class);

  private final Map<Counter, LongSupplier> found;
  private final Stats stats;

  private NetworkCounters(Map<Counter, LongSupplier> found, Stats stats) {
    this.found = found;
    this.stats = stats;
  }

  /** Finds the counters {@code network} has. */
  public static NetworkCounters of(Object network) {
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
    Map<Counter, LongSupplier> found = new LinkedHashMap<>();
    for (Counter c : Counter.values()) {
      try {
        MethodHandle h = lookup.findVirtual(network.getClass(), c.accessor(), LONG).bindTo(network);
        found.put(c, () -> (long) invoke(h));
      } catch (NoSuchMethodException | IllegalAccessException e) {
        // not kept by this backend
      }
    }
    return new NetworkCounters(found, statsOf(network, lookup));
  }

  private static Stats statsOf(Object network, MethodHandles.Lookup lookup) {
    try {
      Method m = network.getClass().getMethod("stats");
      Class<?> type = m.getReturnType();
      if (!type.isRecord() || !Modifier.isPublic(type.getModifiers())) {
        return null;
      }
      List<String> names = new ArrayList<>();
      List<MethodHandle> components = new ArrayList<>();
      for (RecordComponent rc : type.getRecordComponents()) {
        if (rc.getType() == long.class) {
          names.add(rc.getName());
          components.add(lookup.unreflect(rc.getAccessor()));
        }
      }
      return names.isEmpty()
          ? null
          : new Stats(lookup.unreflect(m).bindTo(network), names, components);
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return null;
    }
  }

  private static Object invoke(MethodHandle h, Object... args) {
    try {
      return h.invokeWithArguments(args);
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

  /** The network's {@code stats()} record of packet counters, or empty. */
  public Optional<Stats> stats() {
    return Optional.ofNullable(stats);
  }
}
